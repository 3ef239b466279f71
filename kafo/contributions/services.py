"""Writes of contributions: declarations (one employer, or a whole bulk file) and pending
registrations. Each is atomic: a rejected file leaves the database exactly as it was."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Case, F, When
from django.utils import timezone
from django.utils.translation import gettext as _

from kafo.audit import services as audit
from kafo.organisations.models import Organisation
from kafo.registry.models import Employer, EmployerStatus, Person
from kafo.rules.selectors import rates_in_force

from . import ledger, locks
from .domain import dns
from .domain.compute import Rate
from .domain.periods import canonical, overlapping
from .errors import FileRejected
from .models import (
    Channel,
    Declaration,
    DeclarationKind,
    DeclarationLine,
    DeclarationStatus,
    PendingRegistration,
    PendingStatus,
)
from .storage import LineInsert, insert_pending, line_stage, person_ids

# The steps import_frame reports to `progress` (the command's progress bar), in order.
IMPORT_STEPS = (
    "validate",
    "compute",
    "declarations",
    "persons",
    "prepare",
    "pending",
    "audit",
    "ledger",
    "lines",
    "commit",
)
SMALL_FILE = 5_000  # below this, look workers up by IN (...); above, read the organisation's


class DeclarationRejected(FileRejected):
    """A file or set of lines with faulty lines: nothing was stored."""


class DeclarationConflict(DeclarationRejected):
    """The period is already declared, or being declared right now by another submission:
    nothing was stored (the API answers 409)."""


def _in_progress(period: str | None) -> DeclarationConflict:
    return DeclarationConflict(
        [
            dns._error(
                None,
                "period",
                period,
                _(
                    "une déclaration de cet employeur pour cette période est déjà en cours "
                    "d'enregistrement ou vient d'être reçue : consultez ses déclarations avant "
                    "de renvoyer"
                ),
            )
        ]
    )


@dataclass
class SubmitResult:
    declarations: list[Declaration] = field(default_factory=list)
    duplicates: list[Declaration] = field(default_factory=list)
    line_count: int = 0
    pending_created: int = 0

    @property
    def declaration(self) -> Declaration:
        return (self.declarations or self.duplicates)[0]

    @property
    def duplicate(self) -> bool:
        return not self.declarations and bool(self.duplicates)


def _today() -> dt.date:
    return timezone.localdate()


def declaration_submit(
    *,
    employer: Employer,
    period: str,
    rows: Sequence[dict] | None = None,
    content: bytes | None = None,
    filename: str = "",
    kind: str = DeclarationKind.ORIGINAL,
    submitted_by=None,
    channel: str | None = None,
    today: dt.date | None = None,
) -> SubmitResult:
    """Validate, compute and store one employer's declaration for one period.

    Give either `rows` (dicts with the DNS columns; employer_number and period default to the
    declaration's) or `content` (CSV or .xlsx bytes). The same content sent twice is recognised
    and returned as a duplicate without storing anything. Raise DeclarationRejected listing every
    faulty line.
    """
    period = canonical(period)
    if rows is not None:
        rows = [{"employer_number": employer.number, "period": period} | dict(r) for r in rows]
        frame = dns.frame_from_rows(rows)
        channel = channel or Channel.API
    else:
        parsed = dns.read_bytes(content or b"", filename)
        if parsed.errors:
            raise DeclarationRejected(parsed.errors)
        frame = parsed.frame
        channel = channel or Channel.FILE
    return import_frame(
        frame=frame,
        organisation=employer.organisation,
        kind=kind,
        channel=channel,
        submitted_by=submitted_by,
        expected_employer=employer.number,
        expected_period=period,
        today=today,
    )


def import_frame(
    *,
    frame: pl.DataFrame,
    organisation: Organisation,
    kind: str = DeclarationKind.ORIGINAL,
    channel: str = Channel.BULK,
    submitted_by=None,
    expected_employer: str | None = None,
    expected_period: str | None = None,
    today: dt.date | None = None,
    progress=None,
    migration: bool = False,
) -> SubmitResult:
    """Validate, compute and store a frame of DNS lines, one declaration per employer × period.

    Set-based: Polars validates and computes; lines are inserted in bulk (COPY on PostgreSQL).
    `progress(step_name, n)` is called as steps finish (the command's progress bar).
    `migration`: declarations taken over from an earlier system, whose filing dates Kafo does
    not know: no late-declaration penalty is assessed on them.
    """
    tick = progress or (lambda step, n=0: None)
    today = today or _today()
    if kind not in DeclarationKind.values:
        raise DeclarationRejected(
            [dns._error(None, "kind", kind, _("nature inconnue : initiale ou rectificative"))]
        )
    frame, errors = dns.normalise_columns(frame)
    if errors:
        raise DeclarationRejected(errors)
    if frame.height == 0:
        raise DeclarationRejected([dns._error(None, None, None, _("aucune ligne déclarée"))])
    if expected_period is not None:
        expected_period = canonical(expected_period)
        try:
            _check_period(expected_period)
        except ValueError:
            raise DeclarationRejected(
                [dns._error(None, "period", expected_period, _("période invalide"))]
            ) from None
    employers = _employers_frame(organisation, frame)
    typed, errors = dns.validate(
        frame,
        employers=employers,
        today=today,
        expected_employer=expected_employer,
        expected_period=expected_period,
    )
    tick("validate", frame.height)
    if errors:
        raise DeclarationRejected(errors)
    rates = _rates_by_period(
        organisation.pk, typed.select("period", "period_start").unique().iter_rows()
    )
    missing = [p for p, r in rates.items() if not r]
    if missing:
        raise DeclarationRejected(
            [
                dns._error(None, "period", p, _("aucun taux en vigueur pour cette période"))
                for p in missing
            ]
        )
    computed = dns.compute(typed, rates)
    tick("compute", frame.height)
    try:
        with line_stage(computed.height) as stage, transaction.atomic():
            result = _store(
                computed,
                organisation=organisation,
                rates=rates,
                kind=kind,
                channel=channel,
                submitted_by=submitted_by,
                tick=tick,
                migration=migration,
                stage=stage,
            )
    except IntegrityError as exc:
        # The database's own guard (uniq_declaration_*): a submission that got past the lock
        # (none should) is refused, not stored twice.
        if locks.is_declaration_clash(exc):
            raise _in_progress(expected_period) from exc
        raise
    except OperationalError as exc:
        if locks.is_lock_timeout(exc):
            raise _in_progress(expected_period) from exc
        raise
    tick("commit", frame.height)
    return result


def _rates_by_period(organisation_id: int, periods_) -> dict[str, list[Rate]]:
    """`rates_in_force` on each period's first day, looked up once per set of versions: what is
    in force changes only on an `effective_from` date (a career taken over since 2000 spans
    300 months and a handful of rate versions)."""
    from bisect import bisect_right

    from kafo.rules.models import ContributionRate

    changes = sorted(
        set(
            ContributionRate.objects.filter(organisation_id=organisation_id).values_list(
                "effective_from", flat=True
            )
        )
    )
    by_version: dict = {}
    found = {}
    for period, start in periods_:
        at = bisect_right(changes, start)
        version = changes[at - 1] if at else None
        if version not in by_version:
            by_version[version] = rates_in_force(organisation_id=organisation_id, on=start)
        found[period] = by_version[version]
    return found


def _check_period(period: str) -> None:
    from .domain import periods

    periods.parse(period)


def _employers_frame(organisation: Organisation, frame: pl.DataFrame) -> pl.DataFrame:
    numbers = frame["employer_number"].unique().to_list()
    qs = Employer.unscoped.filter(organisation=organisation)
    # A number that lost its leading zeros in a spreadsheet is completed by dns.validate:
    # look up the completed numbers too.
    if len(numbers) < SMALL_FILE:
        length = dns.NUMBER_LENGTHS["employer_number"]
        numbers += [n.zfill(length) for n in numbers if n and n.isdigit() and len(n) < length]
        qs = qs.filter(number__in=numbers)
    closed = Case(When(status=EmployerStatus.CLOSED, then=F("status_since")), default=None)
    rows = list(qs.values_list("number", "pk", "risk_class", closed))
    return pl.DataFrame(
        rows,
        schema={
            "employer_number": pl.Utf8,
            "employer_id": pl.Int64,
            "risk_class": pl.Int64,
            "closed_on": pl.Date,
        },
        orient="row",
    )


def _persons(organisation: Organisation, typed: pl.DataFrame) -> pl.DataFrame:
    """Attach person_id by worker number, else by national identifier (null: unknown)."""
    qs = Person.unscoped.filter(organisation=organisation)
    nid_none = pl.DataFrame(schema={"national_id": pl.Utf8, "id": pl.Int64})
    if typed.height < SMALL_FILE:
        numbers = [n for n in typed["worker_number"].unique().to_list() if n]
        nids = [n for n in typed["national_id"].unique().to_list() if n]
        by_number = list(qs.filter(number__in=numbers).values_list("number", "pk"))
        by_nid = list(qs.filter(national_id__in=nids).values_list("national_id", "pk"))
        num = pl.DataFrame(by_number, schema={"number": pl.Utf8, "id": pl.Int64}, orient="row")
        nid = pl.DataFrame(by_nid, schema={"national_id": pl.Utf8, "id": pl.Int64}, orient="row")
    else:
        num = person_ids(organisation.pk, "number")
        any_nid = typed.select((pl.col("national_id") != "").any()).item()
        nid = person_ids(organisation.pk, "national_id") if any_nid else nid_none
    num = num.rename({"number": "worker_number", "id": "_pn"})
    nid = nid.rename({"id": "_pi"})
    out = typed.join(num, on="worker_number", how="left").join(nid, on="national_id", how="left")
    return out.with_columns(pl.coalesce("_pn", "_pi").alias("person_id")).drop("_pn", "_pi")


def _store(
    computed: pl.DataFrame,
    *,
    organisation: Organisation,
    rates: dict[str, list[Rate]],
    kind: str,
    channel: str,
    submitted_by,
    tick=lambda step, n=0: None,
    migration: bool = False,
    stage=None,
) -> SubmitResult:
    result = SubmitResult()
    hashes = dns.content_hashes(computed)
    groups = (
        computed.group_by("employer_number", "employer_id", "risk_class", "period", "period_start")
        .agg(
            pl.len().alias("line_count"),
            pl.col("gross").sum().alias("total_salary"),
            *[pl.col(c).sum() for c in dns.AMOUNT_COLUMNS],
            pl.col("employer_total").sum(),
            pl.col("employee_total").sum(),
        )
        .join(hashes, on=["employer_number", "period"])
    )
    employer_ids = groups["employer_id"].unique().to_list()
    locks.lock_employers(employer_ids, wait=locks.lock_wait(channel))
    # Read after the lock: what a concurrent import committed meanwhile is seen here.
    periods_ = sorted({o for p in groups["period"].unique().to_list() for o in overlapping(p)})
    existing = {}
    for d in (
        Declaration.unscoped.filter(
            organisation=organisation, employer_id__in=employer_ids, period__in=periods_
        )
        if len(employer_ids) < SMALL_FILE
        else Declaration.unscoped.filter(organisation=organisation, period__in=periods_)
    ):
        existing.setdefault((d.employer_id, d.period), []).append(d)
    in_file = {}
    for e, p in groups.select("employer_id", "period").iter_rows():
        in_file.setdefault(e, set()).add(p)

    now = timezone.now()
    new_decls: list[Declaration] = []
    superseded: list[Declaration] = []
    errors = []
    conflict = False
    for g in groups.iter_rows(named=True):
        previous = existing.get((g["employer_id"], g["period"]), [])
        in_force = next((d for d in previous if d.status == DeclarationStatus.IN_FORCE), None)
        same = _same_content(previous, in_force, g["file_hash"], kind)
        if same is not None:
            result.duplicates.append(same)
            continue
        clash = locks.overlap(g, existing, in_file)
        if clash:
            conflict = True
            errors.append(_overlap_error(g, clash, in_file))
            continue
        if kind == DeclarationKind.ORIGINAL and in_force is not None:
            conflict = True
            errors.append(
                dns._error(
                    None,
                    "period",
                    g["period"],
                    _(
                        "l'employeur %(e)s a déjà déclaré cette période : "
                        "envoyez une déclaration rectificative"
                    )
                    % {"e": g["employer_number"]},
                )
            )
            continue
        if kind == DeclarationKind.CORRECTIVE and in_force is None:
            errors.append(
                dns._error(None, "period", g["period"], _("aucune déclaration à rectifier"))
            )
            continue
        branch_totals = {
            b: {"employer": g[f"{b}_er"], "employee": g[f"{b}_ee"]}
            for b in dns.BRANCHES
            if g[f"{b}_er"] or g[f"{b}_ee"]
        }
        decl = Declaration(
            organisation=organisation,
            employer_id=g["employer_id"],
            period=g["period"],
            kind=kind,
            amends=in_force,
            file_hash=g["file_hash"],
            channel=channel,
            submitted_by=submitted_by,
            submitted_at=now,
            rules_on=g["period_start"],
            risk_class=g["risk_class"],
            line_count=g["line_count"],
            total_salary=g["total_salary"],
            employer_total=g["employer_total"],
            employee_total=g["employee_total"],
            total=g["employer_total"] + g["employee_total"],
            branch_totals=branch_totals,
        )
        new_decls.append(decl)
        if in_force is not None:
            superseded.append(in_force)
    if errors:
        raise (DeclarationConflict if conflict else DeclarationRejected)(errors)
    tick("declarations", computed.height)
    if not new_decls:
        return result

    computed = _persons(organisation, computed)
    tick("persons", computed.height)
    pending_counts = {
        (e, p): n
        for e, p, n in computed.filter(pl.col("person_id").is_null())
        .group_by("employer_id", "period")
        .len()
        .iter_rows()
    }
    for d in new_decls:
        d.pending_count = pending_counts.get((d.employer_id, d.period), 0)
    # The superseded go first: the database holds one declaration in force per period.
    if superseded:
        Declaration.unscoped.filter(pk__in=[d.pk for d in superseded]).update(
            status=DeclarationStatus.SUPERSEDED
        )
    Declaration.unscoped.bulk_create(new_decls)
    keys = pl.DataFrame(
        [(d.employer_id, d.period, d.pk) for d in new_decls],
        schema={"employer_id": pl.Int64, "period": pl.Utf8, "declaration_id": pl.Int64},
        orient="row",
    )
    lines = computed.join(keys, on=["employer_id", "period"])
    lines = lines.with_columns(
        pl.lit(organisation.pk, dtype=pl.Int64).alias("organisation_id"),
        pl.col("line").alias("line_no"),
        pl.col("days").alias("days_worked"),
        pl.col("gross").alias("gross_salary"),
    )
    tick("prepare", computed.height)
    # Lines are inserted last: with a stage (a large SQLite import), they are written into it
    # on another thread while the account and audit entries are made on this one.
    lines_insert = LineInsert(lines, stage)
    result.pending_created = _pending_registrations(organisation, lines)
    tick("pending", computed.height)
    _audit_declarations(new_decls)
    tick("audit", computed.height)
    ledger.post_declarations(new_decls, superseded, late_filing=not migration)
    if not migration:  # workers are told what was declared for them (one job, after commit)
        from kafo.messaging.jobs import enqueue_declared_workers

        enqueue_declared_workers(organisation.pk, [d.pk for d in new_decls])
    tick("ledger", computed.height)
    result.line_count = lines_insert.finish()
    tick("lines", computed.height)
    result.declarations = new_decls
    return result


def _same_content(previous, in_force, file_hash: str, kind: str) -> Declaration | None:
    """The declaration this content was already received as, if any: the one in force; for an
    original, any earlier one too (the same file sent again). A correction identical to a
    superseded declaration is not a repeat: it reverts a wrong correction."""
    if in_force is not None and in_force.file_hash == file_hash:
        return in_force
    if kind == DeclarationKind.ORIGINAL:
        return next((d for d in previous if d.file_hash == file_hash), None)
    return None


def _overlap_error(g: dict, clash: str, in_file: dict) -> dict:
    """Why a month and its quarter are refused: declared already, or both in this submission."""
    values = {"p": g["period"], "o": clash, "e": g["employer_number"]}
    if clash in in_file.get(g["employer_id"], ()):
        reason = _(
            "la période %(p)s chevauche la période %(o)s du même envoi pour l'employeur %(e)s : "
            "un mois se déclare une seule fois, seul ou dans son trimestre"
        )
    else:
        reason = _(
            "la période %(p)s chevauche la période %(o)s déjà déclarée par l'employeur %(e)s : "
            "un mois se déclare une seule fois, seul ou dans son trimestre (rectifiez %(o)s "
            "au besoin)"
        )
    return dns._error(None, "period", g["period"], reason % values)


def _audit_declarations(new_decls: list[Declaration]) -> None:
    """One audit event per new declaration, with its totals, on the employer's history (its
    lines are derived data). A bulk file's events go in one insert."""
    if len(new_decls) == 1:
        audit.record_created(new_decls[0], subject=new_decls[0].employer)
        return
    # Each event names its declaration by the employer's number (Declaration.__str__): the
    # employers in one query, not one query per declaration (a bulk file of 11,000 DNS).
    missing = {d.employer_id for d in new_decls if not Declaration.employer.is_cached(d)}
    employers = Employer.unscoped.in_bulk(list(missing)) if missing else {}
    for d in new_decls:
        if d.employer_id in employers:
            d.employer = employers[d.employer_id]
    audit.record_created_many(new_decls, subject_type="employer", subject_field="employer_id")


def _pending_registrations(organisation: Organisation, lines: pl.DataFrame) -> int:
    """Create one open pending registration per unknown worker not already pending."""
    unknown = (
        lines.filter(pl.col("person_id").is_null())
        .unique(subset=["identity"], keep="first", maintain_order=True)
        .select(
            "identity",
            "employer_id",
            "declaration_id",
            "worker_number",
            "national_id",
            "family_name",
            "given_names",
        )
    )
    if unknown.height == 0:
        return 0
    idents = unknown["identity"].to_list()
    known: set[str] = set()
    qs = PendingRegistration.unscoped.filter(organisation=organisation)
    for start in range(0, len(idents), 900):
        known.update(
            qs.filter(identity__in=idents[start : start + 900]).values_list("identity", flat=True)
        )
    todo = unknown.filter(~pl.col("identity").is_in(list(known)))
    return insert_pending(
        todo.select(
            pl.lit(organisation.pk, dtype=pl.Int64).alias("organisation_id"),
            "identity",
            "employer_id",
            pl.col("declaration_id").alias("first_declaration_id"),
            "worker_number",
            "national_id",
            "family_name",
            "given_names",
            pl.lit(PendingStatus.OPEN.value).alias("status"),
        ),
        created_at=timezone.now(),
    )


@transaction.atomic
def pending_registration_resolve(*, pending: PendingRegistration, person: Person):
    """Attach a pending worker to a registered person; their declared lines follow."""
    if person.organisation_id != pending.organisation_id:
        raise ValidationError({"person": _("Assuré inconnu dans cet organisme.")})
    before = audit.snapshot(pending)
    pending.person = person
    pending.status = "resolved"
    pending.save(update_fields=["person", "status"])
    field_name = "worker_number" if pending.identity.startswith("n:") else "national_id"
    DeclarationLine.unscoped.filter(
        organisation_id=pending.organisation_id,
        person__isnull=True,
        **{field_name: pending.identity[2:]},
    ).update(person=person)
    audit.record_updated(pending, before)
    return pending
