"""Payroll runs: prepare (set-based), approve (four eyes, within a delegation), freeze (files),
cancel, and record returns (failed lines, paid again by the next run).

The amounts come from kafo/payroll/domain/run.py over frames read here in a few statements; a
run prepared for a large organisation is computed by a job (kafo/jobs, queue "payroll"). What
counts as paid: the months of every line of a run not cancelled, unless the line failed; so a
second run of the same period pays nothing twice, and a failed line's months come back.

Overpayments: a run's deductions are PayrollRecovery rows from preparation on (so the next run
does not deduct them again), but an overpayment's `recovered` rises only when the run is frozen
(the money is then really withheld); a cancelled run's recoveries are dropped, a failed line's
are given back. Mobile money: at freeze each operator's lines go through its adapter
(kafo/payroll/mobile_money): a GSMA batch created, approved and its completions and rejections
read back by a job (MobileMoneyBatch), or a file for an operator that takes files.
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
from django.db.models import Count, F, Max, Sum
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
    BatchStatus,
    BenefitInPayment,
    LineStatus,
    MobileMoneyBatch,
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


def bank_csv_config(organisation: Organisation) -> tuple[str, bool]:
    """(layout code, instead of the pain.001) of the organisation's bank CSV ("" : none).

    runs.yaml, per organisation: `bank_csv: {layout: rib_detaille_pv, only: false}`; the layout
    must be one of reference/bank_layouts.yaml."""
    conf = rules_for(organisation).get("bank_csv") or {}
    layout = str(conf.get("layout") or "")
    if layout:
        from .domain.bank_csv import load_layouts

        if layout not in load_layouts():
            raise ValidationError(
                {"bank_csv": _("Gabarit CSV bancaire « %(code)s » inconnu.") % {"code": layout}}
            )
    return layout, bool(conf.get("only", False))


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


# --- open runs -------------------------------------------------------------------------------

OPEN_STATUSES = (RunStatus.PREPARING, RunStatus.PREPARED, RunStatus.APPROVED)


def benefit_in_open_run(benefit: BenefitInPayment) -> bool:
    """Whether a run not yet frozen holds this benefit: a line of a prepared or approved run, or
    a run of its organisation still being computed (its job reads the channel). The benefit's
    channel may not change then: the files are written from the lines' details at freeze."""
    return (
        PayrollLine.unscoped.filter(
            benefit_id=benefit.pk, run__status__in=[RunStatus.PREPARED, RunStatus.APPROVED]
        ).exists()
        or PayrollRun.unscoped.filter(
            organisation_id=benefit.organisation_id, status=RunStatus.PREPARING
        ).exists()
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
    # deducted by runs not frozen yet (their `recovered` rises at freeze): not twice
    held = PayrollRecovery.unscoped.filter(
        organisation_id=org, reversed=False, line__run__status__in=OPEN_STATUSES
    )
    if exclude_run:
        held = held.exclude(line__run_id=exclude_run)
    pending = dict(
        held.values("overpayment_id").annotate(s=Sum("amount")).values_list("overpayment_id", "s")
    )
    fields = [
        "pk",
        "recover_from_id" if has_target else "benefit_id",
        "benefit_id",
        "amount",
        "recovered",
    ]
    deductions = pl.DataFrame(
        [
            (pk, target or own, int(a - r - pending.get(pk, 0)))
            for pk, target, own, a, r in over.values_list(*fields)
            if a - r - pending.get(pk, 0) > 0
        ],
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
    _apply_recoveries(run)
    if run.line_count > INLINE_LIMIT:
        enqueue_on_commit(write_files_job, run.pk)
    else:
        write_run_files(run)
    return run


def _apply_recoveries(run: PayrollRun) -> None:
    """The run's deductions now withheld: each overpayment's `recovered` rises (audited)."""
    sums = (
        PayrollRecovery.unscoped.filter(line__run=run, reversed=False)
        .values("overpayment_id")
        .annotate(s=Sum("amount"))
        .values_list("overpayment_id", "s")
    )
    for overpayment_id, amount in sums:
        over = Overpayment.unscoped.select_for_update().get(pk=overpayment_id)
        before = audit.snapshot(over)
        over.recovered += amount
        over.save(update_fields=["recovered"])
        audit.record_updated(over, before, subject=over.benefit)


@task(queue_name="payroll")
def write_files_job(run_id: int) -> None:
    with transaction.atomic():
        write_run_files(PayrollRun.unscoped.get(pk=run_id))


def write_run_files(run: PayrollRun) -> list[PayrollFile]:
    now = _now()
    layout, only = bank_csv_config(run.organisation)
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
        bank_csv_layout=layout,
        bank_csv_only=only,
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
    mobile_money_batches(run)
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
    # not frozen: `recovered` never rose, the recoveries are only dropped
    _reverse_recoveries(
        PayrollRecovery.unscoped.filter(line__run=run, reversed=False), applied=False
    )
    PayrollLine.unscoped.filter(repaid_by__run=run).update(repaid_by=None)
    before = audit.snapshot(run)
    run.status = RunStatus.CANCELLED
    run.cancelled_at = _now()
    run.save()
    audit.record_updated(run, before)
    return run


def _reverse_recoveries(recoveries, *, applied: bool = True) -> None:
    """Undo recoveries: `applied` (their run was frozen) gives the amounts back to the
    overpayments' outstanding balance."""
    for rec in list(recoveries):
        if applied:
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
    return _record_returns(run, user=user, kind=kind, name=name, failed=failed, paid=paid)


def _record_returns(run, *, user, kind, name, failed, paid) -> PayrollReturn:
    """run_record_returns without the officer: `user` None for results read by a job."""
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


# --- mobile money through the operators' adapters -------------------------------------------------

MM_RETRY_MINUTES = 10  # an operator unreachable or results not ready: asked again after this
MM_MAX_ATTEMPTS = 36  # then the batch stays as it is, its error shown on the run's page


def operator_for(code: str):
    """The operator's adapter (a seam for the tests' loopback server)."""
    from .mobile_money import operator_for as build

    return build(code)


def mobile_money_batches(run: PayrollRun) -> list[MobileMoneyBatch]:
    """One batch per operators.yaml operator among the run's mobile-money lines to pay: a GSMA
    API operator's is sent by a job; a file operator's waits for its file to be deposited (the
    file was written by run_files). Lines of an operator Kafo has no adapter for get the plain
    CSV and no batch."""
    from .mobile_money import load_operator_settings

    known = load_operator_settings()
    rows = (
        PayrollLine.unscoped.filter(
            run=run, channel="mobile_money", status=LineStatus.PENDING, net__gt=0
        )
        .values("operator")
        .annotate(n=Count("id"), total=Sum("net"))
        .values_list("operator", "n", "total")
    )
    out = []
    for code, n, total in rows:
        if code not in known:
            continue
        api = known[code].get("protocol") == "gsma"
        batch, created = MobileMoneyBatch.unscoped.get_or_create(
            run=run,
            operator=code,
            defaults={
                "organisation_id": run.organisation_id,
                "reference": f"{run.reference}-{code}"[:60],
                "status": BatchStatus.PENDING if api else BatchStatus.FILE,
                "line_count": n,
                "total": total,
                "updated_at": _now(),
            },
        )
        if created:
            audit.record_created(batch, subject=run)
            if api:
                enqueue_on_commit(mobile_money_batch_job, batch.pk)
        out.append(batch)
    return out


def _batch_save(batch: MobileMoneyBatch, **fields) -> None:
    before = audit.snapshot(batch)
    for k, v in fields.items():
        setattr(batch, k, v)
    batch.updated_at = _now()
    batch.save()
    audit.record_updated(batch, before, subject=batch.run)


@task(queue_name="payroll")
def mobile_money_batch_job(batch_id: int) -> None:
    """Move one GSMA batch on: create it, approve it, then read its completions and rejections
    (lines paid / failed). An operator unreachable or not done yet: the job comes back later
    (bounded); a refusal: the batch shows the operator's message."""
    from .mobile_money import Disbursement, MobileMoneyError

    batch = MobileMoneyBatch.unscoped.select_related("run", "run__organisation").get(pk=batch_id)
    if batch.status in (BatchStatus.COMPLETED, BatchStatus.FILE, BatchStatus.ERROR):
        return
    run = batch.run
    try:
        operator = operator_for(batch.operator)
        if batch.status == BatchStatus.PENDING:
            lines = PayrollLine.unscoped.filter(
                run=run,
                operator=batch.operator,
                channel="mobile_money",
                status=LineStatus.PENDING,
                net__gt=0,
            ).order_by("id")
            currency = run.organisation.country.currency
            disbursements = [
                Disbursement(reference=r, msisdn=m, amount=int(n), currency=currency, name=p)
                for r, m, n, p in lines.values_list("reference", "msisdn", "net", "payee_name")
            ]
            submission = operator.submit(
                batch.reference, disbursements, title=f"Pensions {run.period_start:%m/%Y}"
            )
            _batch_save(batch, batch_id=submission.batch_id, status=BatchStatus.SUBMITTED)
        if batch.status == BatchStatus.SUBMITTED:
            operator.approve(batch.batch_id)
            _batch_save(batch, status=BatchStatus.APPROVED)
        state = operator.state(batch.batch_id)
        if state.status != "completed":
            raise MobileMoneyError(_("lot %(id)s : %(s)s, résultats pas encore disponibles")
                                   % {"id": batch.batch_id, "s": state.status})  # fmt: skip
        completions = operator.completions(batch.batch_id)
        rejections = operator.rejections(batch.batch_id)
    except MobileMoneyError as exc:
        attempts = batch.attempts + 1
        final = exc.permanent or attempts >= MM_MAX_ATTEMPTS
        _batch_save(
            batch,
            attempts=attempts,
            last_error=str(exc)[:500],
            status=BatchStatus.ERROR if exc.permanent else batch.status,
        )
        if not final:
            enqueue_on_commit(
                mobile_money_batch_job,
                batch.pk,
                run_after=_now() + dt.timedelta(minutes=MM_RETRY_MINUTES),
            )
        return
    with transaction.atomic():
        run = _lock(run)
        mine = set(
            PayrollLine.unscoped.filter(run=run, operator=batch.operator).values_list(
                "reference", flat=True
            )
        )
        failed = {r.reference: r.reason for r in rejections if r.reference in mine}
        paid = [c.reference for c in completions if c.reference in mine]
        _record_returns(
            run,
            user=None,
            kind="mobile_money",
            name=f"{batch.operator} {batch.batch_id}",
            failed=failed,
            paid=paid,
        )
        _batch_save(
            batch,
            status=BatchStatus.COMPLETED,
            completed_count=len(paid),
            rejected_count=len(failed),
            last_error="",
        )


def run_record_operator_results(*, run: PayrollRun, user, data: bytes, name: str):
    """The result file of an operator that takes files (its batch status `file`): its
    completions mark the lines paid, its rejections failed. None when the file is no such
    operator's (the caller reads it as a bank return)."""
    from .mobile_money import MobileMoneyError

    for batch in MobileMoneyBatch.unscoped.filter(run=run, status=BatchStatus.FILE):
        try:
            completions, rejections = operator_for(batch.operator).read_results(data)
        except MobileMoneyError:
            continue
        mine = set(
            PayrollLine.unscoped.filter(run=run, operator=batch.operator).values_list(
                "reference", flat=True
            )
        )
        failed = {r.reference: r.reason for r in rejections if r.reference in mine}
        paid = [c.reference for c in completions if c.reference in mine]
        if not failed and not paid:
            continue
        with transaction.atomic():
            ret = run_record_returns(
                run=run, user=user, kind="mobile_money", name=name, failed=failed, paid=paid
            )
            _batch_save(
                batch,
                status=BatchStatus.COMPLETED,
                completed_count=len(paid),
                rejected_count=len(failed),
            )
        return ret
    return None
