"""Payroll runs: returns (failed lines) and mobile money through the operators' adapters (moved
from runs.py, which re-exports every name).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from kafo.audit import services as audit
from kafo.jobs import enqueue_on_commit, task

from .models import (
    BatchStatus,
    LineStatus,
    MobileMoneyBatch,
    PayrollLine,
    PayrollReturn,
    PayrollRun,
    RunStatus,
)
from .run_rules import _check_officer, _lock, _now, _reverse_recoveries

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
