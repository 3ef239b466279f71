"""Writes of the employer account: amounts due from declarations, payments (recorded or from a
bank statement), late-payment penalties, certificates of good standing.

Every function is atomic and audited; bad input raises ValidationError({field: message}) and
stores nothing. The allocation of payments (oldest debt first) is derived on reading
(`selectors.account_state`), never stored, so a late or corrective entry re-allocates by itself.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kafo.audit import services as audit
from kafo.organisations.models import Organisation
from kafo.registry.models import Employer
from kafo.rules.models import DeclarationRule, PenaltyKind, PenaltyRule

from . import selectors
from .domain import bank_statement, periods
from .domain.compute import format_amount
from .domain.ledger import (
    MAX_PAYMENT_AMOUNT,
    REFERENCE_MAX_LENGTH,
    late_declaration_penalty,
    late_payment_penalty,
)
from .errors import FileRejected
from .models import (
    BankStatement,
    Certificate,
    Declaration,
    DeclarationKind,
    EntryKind,
    LedgerEntry,
    Payment,
    PaymentMethod,
)

DEFAULT_DUE_DAY = 15  # when an organisation has no declaration rule (none in the seed lacks one)
CERTIFICATE_VALIDITY_DAYS = 90  # assumption: 3 months, the usual validity of an attestation
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed safely
CODE_LENGTH = 12  # 32**12 = 2**60 codes
AUDIT_EACH_ENTRY_UP_TO = 50  # bulk imports: the declarations' own audit events cover their dues


def _today() -> dt.date:
    return timezone.localdate()


# --- Amounts due from declarations --------------------------------------------------------------


def period_due_date(*, organisation_id: int, period: str, cache: dict | None = None) -> dt.date:
    """Return the due date of `period`: the due day (rule in force on the period's first day) of
    the month after the period."""
    key = (organisation_id, period)
    if cache is not None and key in cache:
        return cache[key]
    start, _end = periods.parse(period)
    rule = (
        DeclarationRule.unscoped.filter(organisation_id=organisation_id).in_force(on=start).first()
    )
    due = periods.due_date(period, rule.due_day if rule else DEFAULT_DUE_DAY)
    if cache is not None:
        cache[key] = due
    return due


def post_declarations(
    new_decls: list[Declaration], superseded: list[Declaration], *, late_filing: bool = True
) -> None:
    """Post what new declarations make due; reverse what the declarations they replace did;
    with `late_filing`, the late-declaration penalties of those filed after their due date.

    Called inside the declaration's transaction (services._store). Set-based: one bulk insert,
    whatever the number of declarations of a bulk file.
    """
    if not new_decls:
        return
    cache: dict = {}
    entries: list[LedgerEntry] = []
    posted = {
        e.declaration_id: e
        for e in LedgerEntry.unscoped.filter(
            kind=EntryKind.CONTRIBUTION, declaration_id__in=[d.pk for d in superseded]
        )
    }
    for old in superseded:
        original = posted.get(old.pk)
        if original is None:  # declared before the account existed: nothing to reverse
            continue
        entries.append(
            LedgerEntry(
                organisation_id=old.organisation_id,
                employer_id=old.employer_id,
                kind=EntryKind.REVERSAL,
                period=old.period,
                due_date=original.due_date,
                amount=-original.amount,
                declaration=old,
                label=_("Annulation DNS %(p)s (remplacée par une rectificative)")
                % {"p": old.period},
            )
        )
    for d in new_decls:
        entries.append(
            LedgerEntry(
                organisation_id=d.organisation_id,
                employer_id=d.employer_id,
                kind=EntryKind.CONTRIBUTION,
                period=d.period,
                due_date=period_due_date(
                    organisation_id=d.organisation_id, period=d.period, cache=cache
                ),
                amount=d.total,
                declaration=d,
                label=_("Cotisations %(p)s (DNS %(k)s)")
                % {"p": d.period, "k": d.get_kind_display()},
            )
        )
    if late_filing:
        entries.extend(_late_filing_entries(new_decls, cache))
    LedgerEntry.unscoped.bulk_create(entries, batch_size=5000)
    if len(entries) <= AUDIT_EACH_ENTRY_UP_TO:
        for e in entries:
            audit.record_created(e, subject=e.employer)
    # A provisional assessment (taxation d'office) of a period now declared is reversed.
    from kafo.collection.services import assessments_reverse  # collection builds on this app

    assessments_reverse(new_decls)


def _penalty_rule(organisation_id: int, kind: str, on: dt.date, cache: dict) -> PenaltyRule | None:
    """The penalty rule of `kind` in force on `on` (a due date), looked up once per run."""
    key = (organisation_id, kind, on)
    if key not in cache:
        cache[key] = (
            PenaltyRule.unscoped.filter(organisation_id=organisation_id, kind=kind)
            .in_force(on=on)
            .first()
        )
    return cache[key]


def _late_filing_entries(new_decls: list[Declaration], due_cache: dict) -> list[LedgerEntry]:
    """The late-declaration penalties of original declarations filed after their due date.

    A corrective declaration owes none: the lateness was assessed on the declaration it amends.
    The rule is the one in force on the due date.
    """
    rules: dict = {}
    entries = []
    for d in new_decls:
        if d.kind != DeclarationKind.ORIGINAL:
            continue
        due = period_due_date(organisation_id=d.organisation_id, period=d.period, cache=due_cache)
        filed_on = timezone.localdate(d.submitted_at)
        if filed_on <= due:
            continue
        rule = _penalty_rule(d.organisation_id, PenaltyKind.LATE_DECLARATION, due, rules)
        if rule is None:
            continue
        trace = late_declaration_penalty(
            contributions=d.total,
            due_date=due,
            filed_on=filed_on,
            percent_flat=rule.percent_flat,
            percent_per_day=rule.percent_per_day,
            percent_per_month_started=rule.percent_per_month_started,
        )
        if trace.amount <= 0:
            continue
        entries.append(
            LedgerEntry(
                organisation_id=d.organisation_id,
                employer_id=d.employer_id,
                kind=EntryKind.LATE_FILING,
                period=d.period,
                due_date=filed_on,
                amount=trace.amount,
                declaration=d,
                label=_("Majoration pour déclaration tardive %(p)s (reçue le %(d)s)")
                % {"p": d.period, "d": f"{filed_on:%d/%m/%Y}"},
                detail={
                    "rule_id": rule.pk,
                    "percent_flat": str(rule.percent_flat),
                    "percent_per_day": str(rule.percent_per_day),
                    "percent_per_month_started": str(rule.percent_per_month_started),
                    "due_date": due.isoformat(),
                    "exact": str(trace.exact),
                    "steps": list(trace.steps),
                },
            )
        )
    return entries


# --- Payments -------------------------------------------------------------------------------------


def _check_amount(amount) -> Decimal:
    try:
        value = Decimal(str(amount).replace(" ", "").replace("\u202f", "").replace("\u00a0", ""))
    except ArithmeticError:
        raise ValidationError({"amount": _("Montant invalide.")}) from None
    if not value.is_finite() or value <= 0 or value != value.to_integral_value():
        raise ValidationError(
            {"amount": _("Le montant doit être un nombre entier de francs positif.")}
        )
    if value > MAX_PAYMENT_AMOUNT:
        raise ValidationError(
            {
                "amount": _("Montant trop élevé : %(limit)s au plus par paiement.")
                % {"limit": format_amount(MAX_PAYMENT_AMOUNT)}
            }
        )
    return value


def _reference_recorded(*, organisation_id: int, method: str, reference: str) -> bool:
    return Payment.unscoped.filter(
        organisation_id=organisation_id, method=method, reference=reference
    ).exists()


def _is_reference_conflict(exc: IntegrityError) -> bool:
    """Whether `exc` is the violation of the payment reference's uniqueness
    (`uniq_payment_reference`), and no other constraint."""
    diag = getattr(exc.__cause__, "diag", None)
    if diag is not None:  # PostgreSQL names the constraint
        return diag.constraint_name == "uniq_payment_reference"
    table = Payment._meta.db_table  # SQLite names the columns
    return f"UNIQUE constraint failed: {table}.organisation_id, {table}.method, " in str(exc)


def _reference_taken_error() -> ValidationError:
    return ValidationError(
        {"reference": _("Référence déjà enregistrée : ce paiement est déjà compté.")}
    )


def probable_duplicate(
    *, employer: Employer, amount: Decimal, paid_on: dt.date, method: str, reference: str
) -> Payment | None:
    """Return an earlier payment of `employer` that this one probably repeats, or None.

    Probable: the same reference but for its case (`VIR-123`, `vir-123`), whatever the means;
    without a reference, the same cash amount on the same day. A rejected payment no longer
    credits the account, so recording it again is no double credit: it is not counted.
    """
    same = Payment.unscoped.filter(employer_id=employer.pk, reversed_on=None)
    if reference:
        same = same.filter(reference__iexact=reference)
    elif method == PaymentMethod.CASH:
        same = same.filter(method=method, reference="", amount=amount, paid_on=paid_on)
    else:
        return None
    return same.order_by("pk").first()


def _probable_duplicate_error(earlier: Payment) -> ValidationError:
    return ValidationError(
        {
            "confirm_duplicate": _(
                "Paiement probablement en double : %(m)s %(r)s de %(a)s du %(d)s déjà "
                "enregistré pour cet employeur. Confirmez pour l'enregistrer quand même."
            )
            % {
                "m": earlier.get_method_display(),
                "r": earlier.reference or _("sans référence"),
                "a": format_amount(earlier.amount),
                "d": f"{earlier.paid_on:%d/%m/%Y}",
            }
        }
    )


@transaction.atomic
def payment_record(
    *,
    employer: Employer,
    amount,
    paid_on: dt.date,
    method: str,
    reference: str = "",
    recorded_by=None,
    statement: BankStatement | None = None,
    today: dt.date | None = None,
    confirm_duplicate: bool = False,
) -> Payment:
    """Record a payment received from an employer and credit its account.

    Bank transfers and mobile money need their reference; a reference is recorded once per
    means of payment ("référence déjà enregistrée", also when two arrive at once). A probable
    duplicate (`probable_duplicate`) is refused unless `confirm_duplicate`; then the payment is
    recorded with `probable_duplicate_of` set, shown on the account.
    """
    today = today or _today()
    value = _check_amount(amount)
    reference = (reference or "").strip()
    if method not in PaymentMethod.values:
        raise ValidationError({"method": _("Moyen de paiement inconnu.")})
    if not isinstance(paid_on, dt.date) or paid_on > today:
        raise ValidationError({"paid_on": _("La date de valeur ne peut être dans le futur.")})
    if method in (PaymentMethod.BANK, PaymentMethod.MOBILE_MONEY) and not reference:
        raise ValidationError({"reference": _("La référence de l'opération est obligatoire.")})
    if len(reference) > REFERENCE_MAX_LENGTH:
        raise ValidationError(
            {
                "reference": _("Référence trop longue : %(n)s caractères, %(max)s au plus.")
                % {"n": len(reference), "max": REFERENCE_MAX_LENGTH}
            }
        )
    # One payment at a time per employer: a probable duplicate sent at the same moment is seen.
    Employer.unscoped.select_for_update().filter(pk=employer.pk).first()
    if reference and _reference_recorded(
        organisation_id=employer.organisation_id, method=method, reference=reference
    ):
        raise _reference_taken_error()
    earlier = probable_duplicate(
        employer=employer, amount=value, paid_on=paid_on, method=method, reference=reference
    )
    if earlier is not None and not confirm_duplicate:
        raise _probable_duplicate_error(earlier)
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            payment = Payment.objects.create(
                organisation_id=employer.organisation_id,
                employer=employer,
                paid_on=paid_on,
                amount=value,
                method=method,
                reference=reference,
                statement=statement,
                recorded_by=recorded_by,
                probable_duplicate_of=earlier,
            )
    except IntegrityError as exc:
        # Another employer's payment with this reference committed since the check above.
        if _is_reference_conflict(exc):
            raise _reference_taken_error() from None
        raise
    entry = LedgerEntry.objects.create(
        organisation_id=employer.organisation_id,
        employer=employer,
        kind=EntryKind.PAYMENT,
        due_date=paid_on,
        amount=-value,
        payment=payment,
        label=_("Paiement %(m)s %(r)s") % {"m": payment.get_method_display(), "r": reference},
    )
    audit.record_created(payment, subject=employer)
    audit.record_created(entry, subject=employer)
    return payment


@transaction.atomic
def payment_reverse(
    *, payment: Payment, reason: str, reversed_by=None, today: dt.date | None = None
) -> LedgerEntry:
    """Cancel a payment the bank rejected (bounced cheque, returned transfer).

    The payment and its account entry stay; an opposite entry cancels the credit, so the debts
    it had settled are due again (and run late-payment penalties from their own due dates).
    """
    today = today or _today()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif du rejet.")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("Motif trop long (200 caractères au plus).")})
    locked = Payment.unscoped.select_for_update().get(pk=payment.pk)
    if locked.reversed_on is not None:
        raise ValidationError({"reason": _("Ce paiement est déjà annulé.")})
    before = audit.snapshot(locked)
    locked.reversed_on = today
    locked.reversal_reason = reason
    locked.save(update_fields=["reversed_on", "reversal_reason"])
    original = LedgerEntry.unscoped.get(payment=locked)
    entry = LedgerEntry.objects.create(
        organisation_id=locked.organisation_id,
        employer_id=locked.employer_id,
        kind=EntryKind.PAYMENT_REVERSAL,
        due_date=today,
        amount=-original.amount,
        reverses=original,
        label=_("Rejet du paiement %(r)s : %(m)s")
        % {"r": locked.reference or locked.pk, "m": reason},
        detail={"payment_id": locked.pk, "recorded_by": getattr(reversed_by, "pk", None)},
    )
    audit.record_updated(locked, before, subject=locked.employer)
    audit.record_created(entry, subject=locked.employer)
    _revoke_certificates_resting_on(locked, reason=reason, today=today)
    return entry


def _revoke_certificates_resting_on(payment: Payment, *, reason: str, today: dt.date) -> None:
    """Without the rejected payment the employer may no longer be in good standing: then the
    certificates still valid that were issued since the payment was recorded are revoked."""
    if selectors.account_state(employer=payment.employer, as_of=today).in_good_standing:
        return
    since = timezone.localdate(payment.created_at)
    for certificate in Certificate.unscoped.filter(
        employer_id=payment.employer_id,
        revoked_on=None,
        issued_on__gte=since,
        valid_until__gte=today,
    ):
        certificate_revoke(
            certificate=certificate,
            reason=_("Paiement %(r)s rejeté : %(m)s") % {"r": payment.reference, "m": reason},
            today=today,
        )


class StatementRejected(FileRejected):
    """A bank statement with faulty lines: nothing was stored."""


@dataclass
class StatementResult:
    statement: BankStatement | None = None
    payments: list[Payment] = field(default_factory=list)
    already_recorded: list[dict] = field(default_factory=list)  # {line, reference}
    # {line, reference, earlier}: lines that probably repeat an earlier payment (reference
    # differing only in case): not recorded, for an agent to record by hand if they are not
    probable_duplicates: list[dict] = field(default_factory=list)
    duplicate: bool = False


def _statement_messages() -> dict[str, str]:
    return {
        "encoding": _("fichier illisible : encodez-le en UTF-8"),
        "empty": _("aucune ligne de paiement"),
        "missing_column": _("colonne obligatoire absente"),
        "field_count": _("nombre de colonnes incorrect"),
        "date": _("date invalide (jj/mm/aaaa ou aaaa-mm-jj)"),
        "future": _("date dans le futur"),
        "amount": _("montant invalide : nombre entier de francs positif attendu"),
        "required": _("valeur obligatoire"),
        "repeated": _("référence déjà présente ligne %s"),
        "amount_too_large": _("montant trop élevé : %(limit)s au plus par paiement"),
        "reference_too_long": _("référence trop longue : %(limit)s caractères au plus"),
        "total_too_large": _("total du relevé trop grand : %(limit)s au plus"),
    }


def statement_import(
    *,
    organisation: Organisation,
    content: bytes,
    filename: str = "",
    imported_by=None,
    today: dt.date | None = None,
) -> StatementResult:
    """Import a bank statement CSV (see domain.bank_statement): one bank payment per line.

    Every faulty line is reported (StatementRejected) and nothing is stored. The same statement
    imported again is recognised (content hash) and stores nothing; a line whose reference is
    already recorded (an overlapping statement) is skipped and reported, and so is a line whose
    reference matches another of the same employer but for its case (a probable duplicate).
    """
    today = today or _today()
    parsed = bank_statement.parse(content, today=today, messages=_statement_messages())
    if parsed.errors:
        raise StatementRejected(parsed.errors)
    numbers = {s.employer_number for s in parsed.lines}
    employers = {
        e.number: e for e in Employer.unscoped.filter(organisation=organisation, number__in=numbers)
    }
    errors = [
        bank_statement.error(
            s.line, "employer_number", s.employer_number, _("employeur inconnu dans cet organisme")
        )
        for s in parsed.lines
        if s.employer_number not in employers
    ]
    if errors:
        raise StatementRejected(errors)
    result = StatementResult()
    with transaction.atomic():
        existing = BankStatement.unscoped.filter(
            organisation=organisation, content_hash=parsed.content_hash
        ).first()
        if existing is not None:
            return StatementResult(statement=existing, duplicate=True)
        known = set(
            Payment.unscoped.filter(
                organisation=organisation,
                method=PaymentMethod.BANK,
                reference__in=[s.reference for s in parsed.lines],
            ).values_list("reference", flat=True)
        )
        result.already_recorded = [
            {"line": s.line, "reference": s.reference} for s in parsed.lines if s.reference in known
        ]
        fresh = []
        for s in parsed.lines:
            if s.reference in known:
                continue
            earlier = probable_duplicate(
                employer=employers[s.employer_number],
                amount=s.amount,
                paid_on=s.date,
                method=PaymentMethod.BANK,
                reference=s.reference,
            )
            if earlier is None:
                fresh.append(s)
            else:
                result.probable_duplicates.append(
                    {"line": s.line, "reference": s.reference, "earlier": earlier.reference}
                )
        statement = BankStatement.objects.create(
            organisation=organisation,
            filename=(filename or "")[:200],
            content_hash=parsed.content_hash,
            line_count=len(parsed.lines),
            total=sum((s.amount for s in fresh), Decimal(0)),
            imported_by=imported_by,
        )
        audit.record_created(statement)
        line_errors = []
        for s in fresh:
            try:
                payment = payment_record(
                    employer=employers[s.employer_number],
                    amount=s.amount,
                    paid_on=s.date,
                    method=PaymentMethod.BANK,
                    reference=s.reference,
                    recorded_by=imported_by,
                    statement=statement,
                    today=today,
                )
            except ValidationError as exc:  # the reader checks the same: a safety net
                line_errors.extend(
                    bank_statement.error(s.line, name, getattr(s, name, ""), message)
                    for name, messages in exc.message_dict.items()
                    for message in messages
                )
            else:
                result.payments.append(payment)
        if line_errors:  # raised inside the transaction: nothing of the statement is stored
            raise StatementRejected(line_errors)
        result.statement = statement
    return result


# --- Penalties ------------------------------------------------------------------------------------


def penalties_apply(*, employer: Employer, as_of: dt.date) -> list[LedgerEntry]:
    """Post the late-payment penalties an employer owes on `as_of`, net of those already posted.

    For each period's contributions overdue on `as_of`, the cumulative penalty is recomputed from
    the allocation (oldest debt first) with the rule in force on the due date; only the
    difference with what was already posted for that period is added. Running it twice for the
    same date adds nothing; a penalty already posted is never reduced.
    """
    created: list[LedgerEntry] = []
    with transaction.atomic():
        # One run at a time per employer: the lock serialises concurrent runs.
        Employer.unscoped.select_for_update().filter(pk=employer.pk).first()
        state = selectors.account_state(employer=employer, as_of=as_of)
        posted: dict[str, Decimal] = defaultdict(Decimal)
        for e in state.entries:
            if e.kind == EntryKind.PENALTY:
                posted[e.period] += e.amount
        rules: dict = {}
        for debt in state.debts:
            if debt["kind"] != EntryKind.CONTRIBUTION or debt["due_date"] >= as_of:
                continue
            due = debt["due_date"]
            rule = _penalty_rule(employer.organisation_id, PenaltyKind.LATE_PAYMENT, due, rules)
            if rule is None:
                continue
            trace = late_payment_penalty(
                amount=debt["amount"],
                due_date=due,
                paid=state.allocation.paid_portions(debt["key"]),
                as_of=as_of,
                percent_per_day=rule.percent_per_day,
                percent_per_month_started=rule.percent_per_month_started,
            )
            delta = trace.amount - posted[debt["period"]]
            if delta <= 0:
                continue
            entry = LedgerEntry.objects.create(
                organisation_id=employer.organisation_id,
                employer=employer,
                kind=EntryKind.PENALTY,
                period=debt["period"],
                due_date=as_of,
                penalty_as_of=as_of,
                amount=delta,
                label=_("Majoration de retard %(p)s au %(d)s")
                % {"p": debt["period"], "d": f"{as_of:%d/%m/%Y}"},
                detail={
                    "rule_id": rule.pk,
                    "percent_per_day": str(rule.percent_per_day),
                    "percent_per_month_started": str(rule.percent_per_month_started),
                    "debt": str(debt["amount"]),
                    "due_date": due.isoformat(),
                    "cumulative": str(trace.amount),
                    "exact": str(trace.exact),
                    "already_posted": str(posted[debt["period"]]),
                    "steps": list(trace.steps),
                },
            )
            audit.record_created(entry, subject=employer)
            created.append(entry)
    return created


def penalties_run(*, as_of: dt.date, organisation: Organisation, progress=None) -> int:
    """Apply penalties to every employer of `organisation` with contributions due; return the
    number of penalty entries posted."""
    employer_ids = (
        LedgerEntry.unscoped.filter(
            organisation=organisation, kind=EntryKind.CONTRIBUTION, due_date__lt=as_of
        )
        .values_list("employer_id", flat=True)
        .distinct()
        .order_by("employer_id")
    )
    count = 0
    for employer in Employer.unscoped.filter(pk__in=list(employer_ids)).order_by("pk"):
        count += len(penalties_apply(employer=employer, as_of=as_of))
        if progress:
            progress(1)
    return count


# --- Certificates ---------------------------------------------------------------------------------


def new_certificate_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        if not Certificate.unscoped.filter(code=code).exists():
            return code


def normalise_code(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())[:CODE_LENGTH]


def missing_declarations_message(state) -> str:
    """Why no certificate: the periods not declared, named (the first 12, then a count)."""
    labels = [p.label for p in state.missing_declarations]
    shown = ", ".join(labels[:12])
    if len(labels) > 12:
        shown += " " + _("et %(n)s autres") % {"n": len(labels) - 12}
    return _(
        "Déclaration non reçue pour %(periods)s : attestation de régularité refusée tant que "
        "ces déclarations ne sont pas déposées."
    ) % {"periods": shown}


def certificate_issue(*, employer: Employer, issued_by=None, today: dt.date | None = None):
    """Issue a certificate of good standing if the employer owes nothing overdue.

    Penalties due today are posted first (idempotent), so a late payment is seen. Refused when
    an expected declaration is missing (past its due date), when overdue contributions or
    unpaid penalties remain, or when nothing was ever declared.
    """
    today = today or _today()
    penalties_apply(employer=employer, as_of=today)
    with transaction.atomic():
        Employer.unscoped.select_for_update().filter(pk=employer.pk).first()
        state = selectors.account_state(employer=employer, as_of=today)
        if state.missing_declarations:
            raise ValidationError({"employer": missing_declarations_message(state)})
        if not any(d["kind"] == EntryKind.CONTRIBUTION for d in state.debts):
            raise ValidationError(
                {"employer": _("Aucune déclaration reçue : attestation impossible.")}
            )
        owed = state.arrears_total + state.unpaid_penalties
        if owed > 0:
            raise ValidationError(
                {
                    "employer": _(
                        "L'employeur a des arriérés de %(a)s : attestation de régularité refusée."
                    )
                    % {"a": format_amount(owed)}
                }
            )
        cert = Certificate.objects.create(
            organisation_id=employer.organisation_id,
            employer=employer,
            code=new_certificate_code(),
            issued_on=today,
            valid_until=today + dt.timedelta(days=CERTIFICATE_VALIDITY_DAYS),
            balance=state.balance,
            issued_by=issued_by,
        )
        audit.record_created(cert, subject=employer)
    return cert


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, reason: str, today: dt.date | None = None):
    """Revoke a certificate (e.g. issued on a payment later rejected by the bank)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif de la révocation.")})
    if certificate.revoked_on is not None:
        raise ValidationError({"reason": _("Cette attestation est déjà révoquée.")})
    before = audit.snapshot(certificate)
    certificate.revoked_on = today or _today()
    certificate.revoke_reason = reason[:200]
    certificate.save(update_fields=["revoked_on", "revoke_reason"])
    audit.record_updated(certificate, before, subject=certificate.employer)
    return certificate
