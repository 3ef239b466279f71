"""Payroll runs: prepare (set-based), approve (four eyes, within a delegation), freeze (files),
cancel, and record returns (failed lines, paid again by the next run).

The amounts come from kafo/payroll/domain/run.py over frames read here in a few statements; a
run prepared for a large organisation is computed by a job (kafo/jobs, queue "payroll"). What
counts as paid: the months of every line of a run not cancelled, unless the line failed; so a
second run of the same period pays nothing twice, and a failed line's months come back.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import polars as pl
import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kafo.accounts.models import RoleCode
from kafo.audit import services as audit
from kafo.jobs import enqueue_on_commit, task
from kafo.organisations.models import Organisation

from .domain import pain001
from .domain import run as domain
from .models import (
    AmountVersion,
    BenefitInPayment,
    LineStatus,
    Overpayment,
    PayrollFile,
    PayrollLine,
    PayrollRecovery,
    PayrollReturn,
    PayrollRun,
    RunStatus,
)
from .run_files import DEFAULT_DEBTOR_RIB, write_files

RULES_FILE = Path(__file__).parent / "reference" / "runs.yaml"
INLINE_LIMIT = 5_000  # benefits in payment above which a run is prepared by a job


@lru_cache(maxsize=1)
def _rules() -> dict:
    return yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))


def rules_for(organisation: Organisation) -> dict:
    """The run rules of the organisation (its own entry over the default)."""
    data = _rules()
    return {**data["default"], **(data.get("organisations") or {}).get(organisation.code, {})}


def recovery_cap(organisation: Organisation) -> Fraction:
    return Fraction(str(rules_for(organisation)["recovery_cap"]))


def horizon(organisation: Organisation) -> int:
    """The first month Kafo pays (earlier months were paid by the previous system)."""
    return domain.month_index(dt.date.fromisoformat(str(rules_for(organisation)["first_period"])))


def _now():
    return timezone.now()


def _check_officer(user, organisation) -> None:
    if user.organisation_id != organisation.pk or not user.has_role(
        RoleCode.PAYMENT_OFFICER, RoleCode.DIRECTOR
    ):
        raise ValidationError(
            {"user": _("Seul un agent de paiement de l'organisme peut préparer une campagne.")}
        )


# --- what was paid, read set-based ---------------------------------------------------------


def _paid_lines(organisation_id: int):
    return PayrollLine.unscoped.filter(organisation_id=organisation_id).exclude(
        run__status=RunStatus.CANCELLED
    )


def read_frames(organisation: Organisation, *, exclude_run: int | None = None) -> dict:
    """Return the frames domain.run computes from: benefits, amounts, unpaid, deductions, paid."""
    org = organisation.pk
    lines = _paid_lines(org)
    if exclude_run:
        lines = lines.exclude(run_id=exclude_run)
    last = dict(
        lines.exclude(status=LineStatus.FAILED)
        .values("benefit_id")
        .annotate(to=Max("period_to"))
        .values_list("benefit_id", "to")
    )
    rows = BenefitInPayment.unscoped.filter(organisation_id=org).values_list(
        "pk",
        "claim_id",
        "beneficiary_id",
        "kind",
        "status",
        "start_date",
        "end_date",
        "payee_death_date",
        "channel",
    )
    benefits = pl.DataFrame(
        [
            (
                pk,
                f"{kind}:{claim}:{beneficiary}" if claim else f"b{pk}",
                status,
                start,
                end,
                death,
                channel,
                domain.month_index(last[pk]) if pk in last else None,
            )
            for pk, claim, beneficiary, kind, status, start, end, death, channel in rows
        ],
        schema=domain.BENEFITS_SCHEMA,
        orient="row",
    )
    amounts = pl.DataFrame(
        [
            (b, f, int(a))
            for b, f, a in AmountVersion.unscoped.filter(organisation_id=org).values_list(
                "benefit_id", "effective_from", "monthly_amount"
            )
        ],
        schema=domain.AMOUNTS_SCHEMA,
        orient="row",
    )
    failed = lines.filter(status=LineStatus.FAILED, repaid_by__isnull=True).values_list(
        "benefit_id", "months"
    )
    unpaid = pl.DataFrame(
        [(b, m) for b, months in failed for m in months], schema=domain.UNPAID_SCHEMA, orient="row"
    )
    has_target = any(f.name == "recover_from" for f in Overpayment._meta.fields)
    over = Overpayment.unscoped.filter(organisation_id=org, recovered__lt=F("amount"))
    fields = [
        "pk",
        "recover_from_id" if has_target else "benefit_id",
        "benefit_id",
        "amount",
        "recovered",
    ]
    deductions = pl.DataFrame(
        [(pk, target or own, int(a - r)) for pk, target, own, a, r in over.values_list(*fields)],
        schema=domain.DEDUCTIONS_SCHEMA,
        orient="row",
    )
    return {"benefits": benefits, "amounts": amounts, "unpaid": unpaid, "deductions": deductions}


def paid_months(organisation_id: int, *, exclude_run: int) -> pl.DataFrame:
    """(benefit_id, month) of every line of other runs that is not failed (for the checks)."""
    rows = (
        _paid_lines(organisation_id)
        .exclude(run_id=exclude_run)
        .exclude(status=LineStatus.FAILED)
        .values_list("benefit_id", "months")
    )
    return pl.DataFrame(
        [(b, m) for b, months in rows for m in months], schema=domain.UNPAID_SCHEMA, orient="row"
    )


# --- prepare ----------------------------------------------------------------------------------


@transaction.atomic
def run_prepare(*, organisation: Organisation, period_start: dt.date, months: int, user):
    """Open a run for the period and compute its lines (by a job for a large organisation)."""
    _check_officer(user, organisation)
    if period_start.day != 1:
        raise ValidationError({"period_start": _("La période commence le premier du mois.")})
    if months not in (1, 2, 3):
        raise ValidationError({"months": _("Une période compte 1, 2 ou 3 mois.")})
    Organisation.objects.select_for_update().get(pk=organisation.pk)  # one run at a time
    busy = PayrollRun.unscoped.filter(
        organisation=organisation, status__in=[RunStatus.PREPARING, RunStatus.PREPARED]
    ).first()
    if busy:
        raise ValidationError(
            {
                "period_start": _(
                    "La campagne %(ref)s est en cours : approuvez-la ou annulez-la d'abord."
                )
                % {"ref": busy.reference}
            }
        )
    run = PayrollRun.unscoped.create(
        organisation=organisation,
        period_start=period_start,
        period_months=months,
        prepared_by=user,
        prepared_at=_now(),
    )
    audit.record_created(run)
    count = BenefitInPayment.unscoped.filter(organisation=organisation).count()
    if count > INLINE_LIMIT:
        enqueue_on_commit(prepare_run_job, run.pk)
    else:
        fill_run(run)
    return run


@task(queue_name="payroll")
def prepare_run_job(run_id: int) -> None:
    run = PayrollRun.unscoped.get(pk=run_id)
    try:
        with transaction.atomic():
            fill_run(run)
    except Exception as exc:  # noqa: BLE001 - shown on the run's page, the run stays open
        PayrollRun.unscoped.filter(pk=run_id).update(error=str(exc)[:500])
        raise


def _line_reference(run_id: int, benefit_id: int) -> str:
    return f"K{run_id:07d}B{benefit_id:010d}"


def fill_run(run: PayrollRun) -> PayrollRun:
    """Compute the run's lines and insert them, with their recoveries; check them."""
    org = run.organisation
    period = domain.Period(domain.month_index(run.period_start), run.period_months)
    f = read_frames(org, exclude_run=run.pk)
    computed = domain.compute(
        f["benefits"],
        f["amounts"],
        period,
        horizon=horizon(org),
        unpaid=f["unpaid"],
        deductions=f["deductions"],
        cap=recovery_cap(org),
    )
    months = dict(computed.months.group_by("benefit_id").agg(pl.col("month").sort()).iter_rows())
    details = (
        {
            r[0]: r[1:]
            for r in BenefitInPayment.unscoped.filter(
                pk__in=computed.lines["benefit_id"].to_list()
            ).values_list(
                "pk", "payee_name", "rib", "iban", "bic", "msisdn", "operator", "paying_agency"
            )
        }
        if computed.lines.height <= 50_000
        else _details_by_org(org)
    )
    objs = []
    for row in computed.lines.iter_rows(named=True):
        bid = row["benefit_id"]
        name, rib, iban, bic, msisdn, operator, agency = details[bid]
        objs.append(
            PayrollLine(
                organisation=org,
                run=run,
                benefit_id=bid,
                period_from=domain.month_start(row["period_from"]),
                period_to=domain.month_start(row["period_to"]),
                months=months[bid],
                month_count=row["month_count"],
                regular=row["regular"],
                arrears=row["arrears"],
                gross=row["gross"],
                deductions=row["deductions"],
                net=row["net"],
                channel=row["channel"],
                payee_name=name,
                rib=rib,
                iban=iban,
                bic=bic,
                msisdn=msisdn,
                operator=operator,
                paying_agency=agency,
                reference=_line_reference(run.pk, bid),
            )
        )
    PayrollLine.unscoped.bulk_create(objs, batch_size=2000)
    by_benefit = dict(PayrollLine.unscoped.filter(run=run).values_list("benefit_id", "pk"))
    # failed lines whose months this run pays again
    for line in PayrollLine.unscoped.filter(
        organisation=org,
        status=LineStatus.FAILED,
        repaid_by__isnull=True,
        benefit_id__in=list(by_benefit),
    ).exclude(run=run):
        if set(line.months) <= set(months.get(line.benefit_id, [])):
            line.repaid_by_id = by_benefit[line.benefit_id]
            line.save(update_fields=["repaid_by"])
    recoveries = [
        PayrollRecovery(
            organisation=org,
            line_id=by_benefit[b],
            overpayment_id=d,
            amount=Decimal(a),
        )
        for d, b, a in computed.recoveries.iter_rows()
    ]
    PayrollRecovery.unscoped.bulk_create(recoveries, batch_size=2000)
    for rec in recoveries:
        Overpayment.unscoped.filter(pk=rec.overpayment_id).update(
            recovered=F("recovered") + rec.amount
        )
    before = audit.snapshot(run)
    _set_totals(run, computed.totals)
    run.problems = _problems(run, computed.lines, computed.months, f["benefits"])
    run.status = RunStatus.PREPARED
    run.error = ""
    run.save()
    audit.record_updated(run, before)
    return run


def _details_by_org(org):
    return {
        r[0]: r[1:]
        for r in BenefitInPayment.unscoped.filter(organisation=org).values_list(
            "pk", "payee_name", "rib", "iban", "bic", "msisdn", "operator", "paying_agency"
        )
    }


def _set_totals(run: PayrollRun, totals: pl.DataFrame) -> None:
    run.totals = {
        c: {"lines": n, "gross": g, "deductions": d, "net": net}
        for c, n, g, d, net in totals.iter_rows()
    }
    run.line_count = int(totals["lines"].sum() or 0)
    run.total_gross = Decimal(int(totals["gross"].sum() or 0))
    run.total_deductions = Decimal(int(totals["deductions"].sum() or 0))
    run.total_net = Decimal(int(totals["net"].sum() or 0))


def _problems(run, lines, months, benefits, on=None) -> list[dict]:
    stated = {c: t["net"] for c, t in run.totals.items()}
    found = domain.check(
        lines,
        months,
        benefits,
        totals_by_channel=stated,
        paid=paid_months(run.organisation_id, exclude_run=run.pk),
        on=on,
    )
    return [{"code": p.code, "benefit_id": p.benefit_id, "detail": p.detail} for p in found]


def lines_frame(run: PayrollRun) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The run's lines (not failed) and months covered, as the domain's frames."""
    rows = list(
        PayrollLine.unscoped.filter(run=run)
        .exclude(status=LineStatus.FAILED)
        .values_list(
            "benefit_id",
            "benefit__claim_id",
            "benefit__beneficiary_id",
            "benefit__kind",
            "channel",
            "period_from",
            "period_to",
            "month_count",
            "regular",
            "arrears",
            "gross",
            "deductions",
            "net",
            "months",
        )
    )
    lines = pl.DataFrame(
        [
            (
                b,
                f"{k}:{c}:{bn}" if c else f"b{b}",
                ch,
                domain.month_index(pf),
                domain.month_index(pt),
                mc,
                int(r),
                int(a),
                int(g),
                int(d),
                int(n),
            )
            for b, c, bn, k, ch, pf, pt, mc, r, a, g, d, n, _m in rows
        ],
        schema=dict.fromkeys(domain.LINE_COLUMNS, pl.Int64)
        | {
            "beneficiary_key": pl.Utf8,
            "channel": pl.Utf8,
        },
        orient="row",
    )
    months = pl.DataFrame(
        [(r[0], m, 0) for r in rows for m in r[-1]],
        schema={"benefit_id": pl.Int64, "month": pl.Int64, "amount": pl.Int64},
        orient="row",
    )
    return lines, months


def run_checks(run: PayrollRun, *, on: dt.date) -> list[dict]:
    """The checks again, against the data as it is now (a death recorded since, another run)."""
    lines, months = lines_frame(run)
    benefits = read_frames(run.organisation, exclude_run=run.pk)["benefits"]
    return _problems(run, lines, months, benefits, on=on)


# --- approve, freeze, cancel --------------------------------------------------------------------


def _lock(run: PayrollRun) -> PayrollRun:
    return PayrollRun.unscoped.select_for_update().get(pk=run.pk)


def approval_refusal(run: PayrollRun, user, *, on: dt.date) -> dict:
    """Why `user` may not approve `run` on `on` ({} when they may)."""
    from kafo.governance.models import DelegationKind
    from kafo.governance.selectors import delegation_in_force

    if run.status != RunStatus.PREPARED:
        return {"status": _("Seule une campagne préparée peut être approuvée.")}
    if user.organisation_id != run.organisation_id:
        return {"user": _("L'approbateur n'est pas un agent de cet organisme.")}
    if user.pk == run.prepared_by_id:
        return {
            "user": _("Quatre yeux : l'agent qui a préparé la campagne ne peut pas l'approuver.")
        }
    if not user.has_role(RoleCode.PAYMENT_OFFICER, RoleCode.DIRECTOR):
        return {"user": _("Seuls un agent de paiement ou le directeur peuvent approuver.")}
    if user.has_role(RoleCode.DIRECTOR):
        return {}
    if delegation_in_force(user, DelegationKind.PAYMENT, run.total_net, on) is None:
        return {
            "delegation": _(
                "Aucune délégation d'ordonnancement des paiements en vigueur le %(date)s ne "
                "couvre %(amount)s F : la campagne revient à un autre agent ou au directeur."
            )
            % {"date": on.strftime("%d/%m/%Y"), "amount": run.total_net}
        }
    return {}


@transaction.atomic
def run_approve(*, run: PayrollRun, user, on: dt.date | None = None) -> PayrollRun:
    """Approve the prepared run (four eyes, within a payment delegation), checks passing."""
    from kafo.governance.models import DelegationKind
    from kafo.governance.selectors import delegation_in_force

    on = on or timezone.localdate()
    run = _lock(run)
    refusal = approval_refusal(run, user, on=on)
    if refusal:
        raise ValidationError(refusal)
    problems = run_checks(run, on=on)
    if problems:
        raise ValidationError(
            {
                "problems": _("%(n)d anomalie(s) : la campagne ne peut pas être approuvée.")
                % {"n": len(problems)}
            }
        )
    before = audit.snapshot(run)
    run.status = RunStatus.APPROVED
    run.approved_by = user
    run.approved_at = _now()
    run.approved_under = (
        None
        if user.has_role(RoleCode.DIRECTOR)
        else delegation_in_force(user, DelegationKind.PAYMENT, run.total_net, on)
    )
    run.save()
    audit.record_updated(run, before)
    return run


def debtor_account(organisation: Organisation) -> pain001.DebtorAccount:
    country = organisation.country
    currency = country.currency
    conf = getattr(settings, "KAFO_PAYROLL_DEBTOR_ACCOUNTS", {}).get(organisation.code, {})
    return pain001.DebtorAccount(
        name=conf.get("name", organisation.name),
        rib=conf.get("rib", DEFAULT_DEBTOR_RIB[currency]),
        zone="UEMOA" if currency == "XOF" else "CEMAC",
        country=country.code,
        bic=conf.get("bic", ""),
    )


def files_frame(run: PayrollRun) -> pl.DataFrame:
    rows = (
        PayrollLine.unscoped.filter(run=run, status=LineStatus.PENDING)
        .order_by("id")
        .values_list(
            "reference", "channel", "payee_name", "net", "rib", "iban", "bic", "msisdn",
            "operator", "paying_agency",
        )
    )  # fmt: skip
    schema = {c: pl.Utf8 for c in ("reference", "channel", "payee_name")} | {"net": pl.Int64}
    schema |= {c: pl.Utf8 for c in ("rib", "iban", "bic", "msisdn", "operator", "paying_agency")}
    return pl.DataFrame([(*r[:3], int(r[3]), *r[4:]) for r in rows], schema=schema, orient="row")


@transaction.atomic
def run_freeze(*, run: PayrollRun, user) -> PayrollRun:
    """Freeze the approved run: write its payment files (a job for a large run)."""
    run = _lock(run)
    if run.status != RunStatus.APPROVED:
        raise ValidationError({"status": _("Seule une campagne approuvée peut être figée.")})
    if user.organisation_id != run.organisation_id or not user.has_role(
        RoleCode.PAYMENT_OFFICER, RoleCode.DIRECTOR
    ):
        raise ValidationError({"user": _("Seul un agent de paiement peut émettre les fichiers.")})
    before = audit.snapshot(run)
    run.status = RunStatus.FROZEN
    run.frozen_at = _now()
    run.save()
    audit.record_updated(run, before)
    if run.line_count > INLINE_LIMIT:
        enqueue_on_commit(write_files_job, run.pk)
    else:
        write_run_files(run)
    return run


@task(queue_name="payroll")
def write_files_job(run_id: int) -> None:
    with transaction.atomic():
        write_run_files(PayrollRun.unscoped.get(pk=run_id))


def write_run_files(run: PayrollRun) -> list[PayrollFile]:
    now = _now()
    files = write_files(
        files_frame(run),
        run_reference=run.reference,
        debtor=debtor_account(run.organisation),
        created_at=now,
        execution_date=max(run.period_start, timezone.localdate()),
        remittance=f"Pension {run.period_start:%m/%Y}",
        organisation_name=run.organisation.name,
        period_label=f"{run.period_start:%m/%Y}",
        currency=run.organisation.country.currency,
    )
    out = []
    for f in files:
        obj = PayrollFile.unscoped.create(
            organisation_id=run.organisation_id,
            run=run,
            kind=f.kind,
            label=f.label,
            name=f.name,
            content_type=f.content_type,
            content=f.content,
            line_count=f.line_count,
            total=f.total,
            sha256=f.sha256,
            created_at=now,
        )
        audit.record_change(
            action="create",
            instance=obj,
            changes={
                k: [None, str(getattr(obj, k))]
                for k in ("kind", "label", "name", "line_count", "total", "sha256")
            },
            subject=run,
        )
        out.append(obj)
    return out


@transaction.atomic
def run_cancel(*, run: PayrollRun, user) -> PayrollRun:
    """Cancel a run not yet approved: its lines count for nothing, its recoveries are undone."""
    run = _lock(run)
    if run.status not in (RunStatus.PREPARING, RunStatus.PREPARED):
        raise ValidationError(
            {
                "status": _(
                    "Une campagne approuvée ou figée ne s'annule pas : corrigez par la suivante."
                )
            }
        )
    _check_officer(user, run.organisation)
    _reverse_recoveries(PayrollRecovery.unscoped.filter(line__run=run, reversed=False))
    PayrollLine.unscoped.filter(repaid_by__run=run).update(repaid_by=None)
    before = audit.snapshot(run)
    run.status = RunStatus.CANCELLED
    run.cancelled_at = _now()
    run.save()
    audit.record_updated(run, before)
    return run


def _reverse_recoveries(recoveries) -> None:
    for rec in list(recoveries):
        Overpayment.unscoped.filter(pk=rec.overpayment_id).update(
            recovered=F("recovered") - rec.amount
        )
        rec.reversed = True
        rec.save(update_fields=["reversed"])
        audit.record_change(
            action="update",
            instance=rec,
            changes={"reversed": [False, True]},
        )


# --- returns ------------------------------------------------------------------------------------


@transaction.atomic
def run_record_returns(
    *,
    run: PayrollRun,
    user,
    kind: str,
    name: str,
    failed: dict[str, str],
    paid: list[str] = (),
) -> PayrollReturn:
    """Mark the run's lines named in `failed` ({reference: reason}) failed — their months are
    paid by the next run, their recoveries undone — and those in `paid` paid.

    A reference that is not a line of this run, or a line already failed, stops the whole
    return (nothing changed), naming it.
    """
    run = _lock(run)
    if run.status != RunStatus.FROZEN:
        raise ValidationError({"file": _("Les retours ne concernent qu'une campagne figée.")})
    _check_officer(user, run.organisation)
    refs = set(failed) | set(paid)
    lines = {ln.reference: ln for ln in PayrollLine.unscoped.filter(run=run, reference__in=refs)}
    unknown = sorted(refs - set(lines))
    if unknown:
        raise ValidationError(
            {
                "file": _("Référence(s) inconnue(s) dans cette campagne : %(refs)s")
                % {"refs": ", ".join(unknown[:10])}
            }
        )
    now = _now()
    for ref, reason in failed.items():
        line = lines[ref]
        if line.status == LineStatus.FAILED:
            continue
        before = audit.snapshot(line)
        line.status = LineStatus.FAILED
        line.failure_reason = (reason or _("rejet sans motif"))[:300]
        line.failed_at = now
        line.save()
        audit.record_updated(line, before, subject=line.benefit)
        _reverse_recoveries(line.recoveries.filter(reversed=False))
    for ref in paid:
        line = lines[ref]
        if line.status == LineStatus.PENDING and ref not in failed:
            before = audit.snapshot(line)
            line.status = LineStatus.PAID
            line.save()
            audit.record_updated(line, before, subject=line.benefit)
    ret = PayrollReturn.unscoped.create(
        organisation_id=run.organisation_id,
        run=run,
        kind=kind,
        name=name[:160],
        failed_count=len(failed),
        paid_count=len(set(paid) - set(failed)),
        uploaded_by=user,
        uploaded_at=now,
    )
    audit.record_created(ret, subject=run)
    return ret
