"""Payroll runs: what was paid, read set-based (moved from runs.py, which re-exports every name)."""

from __future__ import annotations

import polars as pl
from django.db.models import F, Max, Sum

from kafo.organisations.models import Organisation

from .domain import run as domain
from .models import (
    AmountVersion,
    BenefitInPayment,
    LineStatus,
    Overpayment,
    PayrollLine,
    PayrollRecovery,
    RunStatus,
)
from .run_rules import OPEN_STATUSES

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
