"""Payroll runs: a run's lines computed, its totals and checks (moved from runs.py, which
re-exports every name).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl

from kafo.audit import services as audit

from .domain import run as domain
from .models import (
    BenefitInPayment,
    LineStatus,
    PayrollLine,
    PayrollRecovery,
    PayrollRun,
    RunStatus,
)
from .run_reads import paid_months, read_frames
from .run_rules import horizon, recovery_cap


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
