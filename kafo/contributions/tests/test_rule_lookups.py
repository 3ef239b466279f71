"""A long taken-over career (300 months) looks its rules up once per version, not per month:
the due dates and rates found are those of the rule in force on each period's first day."""

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kafo.contributions.account_dues import period_due_date
from kafo.contributions.services import _rates_by_period
from kafo.rules.models import ContributionRate, DeclarationRule
from kafo.rules.selectors import rates_in_force

PERIODS = [f"{y}-{m:02d}" for y in (2023, 2024, 2025) for m in range(1, 13)]


def _later_due_day(org) -> DeclarationRule:
    current = DeclarationRule.unscoped.filter(organisation=org).order_by("-effective_from").first()
    return DeclarationRule.unscoped.create(
        organisation=org,
        effective_from=dt.date(2024, 7, 1),
        source="test",
        monthly_from_employees=current.monthly_from_employees,
        due_day=current.due_day + 5,
    )


def test_due_dates_of_36_periods_in_a_few_queries(ci):
    org = ci["org"]
    later = _later_due_day(org)
    expected = {p: period_due_date(organisation_id=org.pk, period=p) for p in PERIODS}
    cache: dict = {}
    with CaptureQueriesContext(connection) as queries:
        found = {p: period_due_date(organisation_id=org.pk, period=p, cache=cache) for p in PERIODS}
    assert found == expected
    assert found["2024-06"].day == later.due_day - 5
    assert found["2024-07"] == dt.date(2024, 8, later.due_day)
    assert len(queries) <= 3  # the versions' dates, then one rule per version (36 before)


def test_rates_of_36_periods_in_a_few_queries(ci):
    org = ci["org"]
    rate = ContributionRate.unscoped.filter(organisation=org).order_by("-effective_from").first()
    rate.pk = None
    rate.effective_from = dt.date(2024, 7, 1)
    rate.employer_rate += 1
    rate.save()
    starts = [(p, dt.date(int(p[:4]), int(p[5:]), 1)) for p in PERIODS]
    expected = {p: rates_in_force(organisation_id=org.pk, on=start) for p, start in starts}
    with CaptureQueriesContext(connection) as queries:
        found = _rates_by_period(org.pk, starts)
    assert found == expected
    assert found["2024-06"] != found["2024-07"]
    assert len(queries) <= 4  # the versions' dates, then the rates once per version in use


def test_amounts_computed_once_per_rate_set_in_the_lines_order(monkeypatch):
    import polars as pl

    from kafo.contributions.domain import dns
    from kafo.rules.domain.rates import Rate

    old = [Rate(branch="old_age", component="base", employer_rate=Decimal("4.8"))]
    new = [Rate(branch="old_age", component="base", employer_rate=Decimal("5.6"))]
    periods = ["2024-06", "2024-05", "2024-07", "2024-06", "2024-08"]
    typed = pl.DataFrame(
        {
            "line": [1, 2, 3, 4, 5],
            "period": periods,
            "gross": [100_000, 200_000, 100_000, 300_000, 50_000],
            "months": [1] * 5,
            "category": [""] * 5,
            "risk_class": [1] * 5,
        }
    )
    rates = {"2024-05": old, "2024-06": old, "2024-07": new, "2024-08": list(new)}
    made = []
    real = dns._amount_exprs
    monkeypatch.setattr(dns, "_amount_exprs", lambda r: made.append(r) or real(r))
    out = dns.compute(typed, rates)
    assert len(made) == 2  # once per set of rates (one per period before)
    # grouped by period in order of first appearance, each period's lines in file order
    assert out["line"].to_list() == [1, 4, 2, 3, 5]
    assert out["old_age_er"].to_list() == [4_800, 14_400, 9_600, 5_600, 2_800]
    assert out["employer_total"].to_list() == [4_800, 14_400, 9_600, 5_600, 2_800]


def test_penalty_rules_of_36_due_dates_in_a_few_queries(ci):
    from kafo.contributions.account_dues import _penalty_rule
    from kafo.rules.models import PenaltyKind, PenaltyRule

    org = ci["org"]
    kind = PenaltyKind.LATE_PAYMENT
    rule = PenaltyRule.unscoped.filter(organisation=org, kind=kind).latest("effective_from")
    rule.pk = None
    rule.effective_from = dt.date(2024, 7, 20)
    rule.save()
    dues = [dt.date(int(p[:4]), int(p[5:]), 15) for p in PERIODS]
    expected = [
        PenaltyRule.unscoped.filter(organisation=org, kind=kind).in_force(on=due).first()
        for due in dues
    ]
    cache: dict = {}
    with CaptureQueriesContext(connection) as queries:
        found = [_penalty_rule(org.pk, kind, due, cache) for due in dues]
    assert found == expected
    assert found[18].pk != found[19].pk == rule.pk  # 15/07/2024 before the version, 15/08 after
    assert len(queries) <= 3  # the versions' dates, then one rule per version (36 before)
