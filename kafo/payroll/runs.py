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

Here: prepare, approve, freeze, cancel. The rest lives in run_rules.py, run_reads.py,
run_lines.py and run_returns.py; this module re-exports every name so that
`kafo.payroll.runs.X` keeps working.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kafo.accounts.models import RoleCode
from kafo.audit import services as audit
from kafo.jobs import enqueue_on_commit, task
from kafo.organisations.models import Organisation

from .domain import pain001
from .models import (
    BenefitInPayment,
    LineStatus,
    Overpayment,
    PayrollFile,
    PayrollLine,
    PayrollRecovery,
    PayrollRun,
    RunStatus,
)
from .run_files import DEFAULT_DEBTOR_RIB, write_files
from .run_lines import (  # noqa: F401
    _details_by_org,
    _line_reference,
    _problems,
    _set_totals,
    fill_run,
    lines_frame,
    run_checks,
)
from .run_reads import (  # noqa: F401
    _paid_lines,
    paid_months,
    read_frames,
)
from .run_returns import (  # noqa: F401
    MM_MAX_ATTEMPTS,
    MM_RETRY_MINUTES,
    _batch_save,
    _record_returns,
    mobile_money_batch_job,
    mobile_money_batches,
    operator_for,
    run_record_operator_results,
    run_record_returns,
)
from .run_rules import (  # noqa: F401
    OPEN_STATUSES,
    RULES_FILE,
    _check_officer,
    _lock,
    _now,
    _reverse_recoveries,
    _rules,
    bank_csv_config,
    benefit_in_open_run,
    horizon,
    recovery_cap,
    rules_for,
)

INLINE_LIMIT = 5_000  # benefits in payment above which a run is prepared by a job
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


# --- approve, freeze, cancel --------------------------------------------------------------------
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
