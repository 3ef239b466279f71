"""Worked examples, each computed by hand from the sourced rules (reference/benefits.yaml).

No database: the rules come from the same reference file the seed stores, parsed by the pure
domain. Every example also checks that its trace recomputes (see `assert_trace_recomputes`).
"""

import datetime as dt
from decimal import Decimal as D

import pytest

from kafo.benefits.domain.career import CareerLine, period_index, period_of
from kafo.benefits.domain.next_dates import next_eligible
from kafo.benefits.domain.pension import Claimant, compute_old_age
from kafo.benefits.domain.survivors import Orphan, Spouse, survivors_shares
from kafo.benefits.domain.trace import Trace
from kafo.benefits.rules_file import reference_rules


def career(org, start, end, salary, days=None):
    """One line a month from `start` to `end` (YYYY-MM, inclusive) at `salary`."""
    return [
        CareerLine(org, period_of(i), D(salary), days)
        for i in range(period_index(start), period_index(end) + 1)
    ]


def assert_trace_recomputes(trace: Trace, amount=None):
    """Every step re-evaluates to its result from its recorded numbers; an input named like an
    earlier step is that step's result; the last step gives the amount."""
    seen = {}
    for step in trace.steps:
        assert step.recompute() == step.result, step.code
        for name, value in step.inputs.items():
            if name in seen:
                assert value == seen[name], (step.code, name)
        seen[step.code] = step.result
    if amount is not None:
        assert trace.steps[-1].result == amount


def test_cnss_bj_official_example_at_60_and_at_58():
    """cnss.bj/?p=834: RMM = earnings of the last 60 months ÷ 60 = 50,000; 270 months insured.

    270 − 180 = 90 months beyond; 90 ÷ 12 = 7.5 → 7 complete periods; rate 30 + 7 × 2 = 44 %;
    50,000 × 44 % = 22,000 a month. At 58 (2 years early, −5 % each): 22,000 − 2 × 5 % ×
    22,000 = 19,800; the reduction ends at 60 (recorded in the trace).
    """
    rules = reference_rules("CNSS-BJ", dt.date(2026, 1, 15))
    lines = career("CNSS-BJ", "2003-07", "2025-12", 50000, days=26)
    assert len(lines) == 270
    at_60 = compute_old_age(rules, lines, Claimant(dt.date(1965, 11, 3)), on=dt.date(2026, 1, 15))
    assert (at_60.benefit, at_60.insured_months) == ("pension", 270)
    assert (at_60.reference_salary, at_60.rate, at_60.monthly_amount) == (D(50000), D(44), D(22000))
    assert_trace_recomputes(at_60.trace, D(22000))
    at_58 = compute_old_age(rules, lines, Claimant(dt.date(1967, 11, 3)), on=dt.date(2026, 1, 15))
    assert (at_58.benefit, at_58.monthly_amount) == ("early_pension", D(19800))
    step = at_58.trace.steps[-1]
    assert step.code == "early_reduction"
    assert "supprimée à l'âge normal" in step.label_fr
    assert {p.name: p.value for p in step.params}["age.early_reduction_ends_at_normal_age"]
    assert_trace_recomputes(at_58.trace, D(19800))


def test_inps_ml_156_months_gives_32_percent_of_the_last_8_years():
    """INPS-ML: 26 % + 2 % per 12 months beyond 120; the average of the last 8 years.

    156 months: 60 at 100,000 (2013-01 … 2017-12), then 96 at 150,000 (2018-01 … 2025-12).
    Rate 26 + 2 × ⌊(156 − 120) ÷ 12⌋ = 26 + 6 = 32 %. Reference = the last 96 months only =
    96 × 150,000 ÷ 96 = 150,000. Pension 150,000 × 32 % = 48,000 (above the minimum 44,397).
    """
    rules = reference_rules("INPS-ML", dt.date(2026, 1, 15))
    lines = career("INPS-ML", "2013-01", "2017-12", 100000, 26) + career(
        "INPS-ML", "2018-01", "2025-12", 150000, 26
    )
    result = compute_old_age(
        rules, lines, Claimant(dt.date(1967, 3, 10), "M"), on=dt.date(2026, 1, 15)
    )
    assert (result.benefit, result.insured_months) == ("pension", 156)
    assert (result.reference_salary, result.rate, result.monthly_amount) == (
        D(150000),
        D(32),
        D(48000),
    )
    assert_trace_recomputes(result.trace, D(48000))


def test_inps_ml_woman_age_lowered_one_year_per_child():
    """A woman with 3 children: 58 − 3 = 55; at 56 she has a full pension, not an early one.

    180 months at 100,000: rate 26 + 2 × ⌊60 ÷ 12⌋ = 36 % → 36,000 < minimum 44,397 → 44,397.
    """
    rules = reference_rules("INPS-ML", dt.date(2026, 1, 15))
    lines = career("INPS-ML", "2011-01", "2025-12", 100000, 22)
    woman = Claimant(dt.date(1969, 6, 1), "F", children_born=3)
    result = compute_old_age(rules, lines, woman, on=dt.date(2026, 1, 15))
    assert (result.normal_age, result.benefit, result.monthly_amount) == (55, "pension", D(44397))
    assert_trace_recomputes(result.trace, D(44397))


def test_cnps_ci_25_years_under_the_2025_rules_and_the_earlier_rules():
    """CNPS-CI, best 15 years, 25 years at 200,000.

    2025 rules (from 01/11/2025): 15 × 2 % + 10 × 1.7 % = 47 %; 200,000 × 47 % = 94,000.
    Earlier rules (2016 version), career 1998-01 … 2022-12: 2 years before 2000 × 1.33 % +
    23 years × 1.70 % = 2.66 + 39.10 = 41.76 % (under the 50 % cap); 200,000 × 41.76 % = 83,520.
    """
    after = reference_rules("CNPS-CI", dt.date(2026, 3, 1))
    lines = career("CNPS-CI", "2001-01", "2025-12", 200000)
    result = compute_old_age(after, lines, Claimant(dt.date(1966, 1, 1)), on=dt.date(2026, 3, 1))
    assert (result.rate, result.reference_salary, result.monthly_amount) == (
        D(47),
        D(200000),
        D(94000),
    )
    assert result.rules_version == "CNPS-CI old_age 2025-11-01"
    assert_trace_recomputes(result.trace, D(94000))

    before = reference_rules("CNPS-CI", dt.date(2023, 1, 15))
    lines = career("CNPS-CI", "1998-01", "2022-12", 200000)
    result = compute_old_age(before, lines, Claimant(dt.date(1962, 6, 1)), on=dt.date(2023, 1, 15))
    assert (result.rate, result.monthly_amount) == (D("41.76"), D(83520))
    assert result.rules_version == "CNPS-CI old_age 2016-01-01"
    assert_trace_recomputes(result.trace, D(83520))


def test_ipres_sn_points():
    """IPRES-SN: each year, points = 14 % × 12 × salary capped at 432,000 ÷ the year's price.

    Salary 500,000 → capped 432,000 → 725,760 of contributions a year, 2000 … 2025:
    2000–2011 ÷ 1,269 = 571.91 (×12); 2012–2013 ÷ 2,499 = 290.42 (×2); 2014 ÷ 2,624 = 276.59;
    2015–2016 ÷ 2,755 = 263.43 (×2); 2017 ÷ 3,030 = 239.52; 2018–2025 ÷ 3,182 = 228.08 (×8).
    Total 6,862.92 + 580.84 + 276.59 + 526.86 + 239.52 + 1,824.64 = 10,311.37 points.
    Pension = 10,311.37 × 222.72 (value of a point, 2018 scale) ÷ 12 = 191,379.03 → 191,379.
    """
    rules = reference_rules("IPRES-SN", dt.date(2026, 1, 15))
    lines = career("IPRES-SN", "2000-01", "2025-12", 500000)
    result = compute_old_age(rules, lines, Claimant(dt.date(1965, 6, 1)), on=dt.date(2026, 1, 15))
    assert result.points == D("10311.37")
    assert result.trace.result_of("points_2000") == D("571.91")
    assert (result.benefit, result.monthly_amount) == ("pension", D(191379))
    assert_trace_recomputes(result.trace, D(191379))


def test_ipres_sn_below_400_points_buys_the_points_back_once():
    """2 years at 300,000: 504,000 ÷ 3,182 = 158.39 points a year → 316.78 < 400.

    Buy-back: 316.78 × 222.72 × 1 year = 70,553.24 → 70,553, paid once.
    """
    rules = reference_rules("IPRES-SN", dt.date(2026, 1, 15))
    lines = career("IPRES-SN", "2024-01", "2025-12", 300000)
    result = compute_old_age(rules, lines, Claimant(dt.date(1964, 1, 1)), on=dt.date(2026, 1, 15))
    assert (result.benefit, result.points, result.lump_sum_amount) == (
        "lump_sum",
        D("316.78"),
        D(70553),
    )
    assert result.monthly_amount is None
    assert_trace_recomputes(result.trace, D(70553))


def test_just_under_the_minimum_period_allowance_or_lump_sum():
    """INPS-ML 155 months (< 156) at 58: allocation de vieillesse 52 % × SMIG 40,000 = 20,800 a
    month. CNPS-CM 179 months (< 180) at 60: lump sum = average 100,000 × ⌊179 ÷ 12⌋ = 14 →
    1,400,000 once.
    """
    ml = reference_rules("INPS-ML", dt.date(2026, 1, 15))
    lines = career("INPS-ML", "2013-02", "2025-12", 150000, 26)
    assert len(lines) == 155
    result = compute_old_age(ml, lines, Claimant(dt.date(1967, 3, 10)), on=dt.date(2026, 1, 15))
    assert (result.benefit, result.monthly_amount, result.lump_sum_amount) == (
        "old_age_allowance",
        D(20800),
        None,
    )
    assert result.reasons == ["Durée d'assurance insuffisante : 155 mois pour 156 requis."]
    assert_trace_recomputes(result.trace, D(20800))

    cm = reference_rules("CNPS-CM", dt.date(2026, 1, 15))
    lines = career("CNPS-CM", "2011-02", "2025-12", 100000, 22)
    assert len(lines) == 179
    result = compute_old_age(cm, lines, Claimant(dt.date(1965, 1, 1)), on=dt.date(2026, 1, 15))
    assert (result.benefit, result.lump_sum_amount) == ("lump_sum", D(1400000))
    assert_trace_recomputes(result.trace, D(1400000))


def test_salary_above_the_ceiling_counts_up_to_the_ceiling():
    """CNPS-CI 2025: 25 years at 4,000,000, each month capped at 3,375,000 (45 × SMIG).

    Reference 3,375,000; 47 % → 1,586,250.
    """
    rules = reference_rules("CNPS-CI", dt.date(2026, 3, 1))
    lines = career("CNPS-CI", "2001-01", "2025-12", 4000000)
    result = compute_old_age(rules, lines, Claimant(dt.date(1966, 1, 1)), on=dt.date(2026, 3, 1))
    assert (result.reference_salary, result.monthly_amount) == (D(3375000), D(1586250))
    assert result.trace.result_of("salaries_2025") == D(12 * 3375000)
    assert_trace_recomputes(result.trace, D(1586250))


def test_early_pension_inps_ml_three_years_before():
    """INPS-ML at 55 (58 − 3) with 180 months at 150,000: 26 + 2 × 5 = 36 % → 54,000 (above
    the minimum); −5 % × 3 years = −15 % → 54,000 − 8,100 = 45,900."""
    rules = reference_rules("INPS-ML", dt.date(2026, 1, 15))
    lines = career("INPS-ML", "2011-01", "2025-12", 150000, 26)
    result = compute_old_age(
        rules, lines, Claimant(dt.date(1970, 6, 1), "M"), on=dt.date(2026, 1, 15)
    )
    assert (result.benefit, result.monthly_amount) == ("early_pension", D(45900))
    assert_trace_recomputes(result.trace, D(45900))


def test_survivors_two_widows_three_orphans_one_past_the_age_limit():
    """INPS-ML: deceased's pension 100,000; spouses' part 50 % = 50,000 split between two
    widows (married 2000 and 2010, both ≥ 2 years before the death) → 25,000 each. Orphans
    10 % each if under 14: aged 10 and 12 → 10,000 each; aged 16 → nothing. Total 70,000.
    """
    rules = reference_rules("INPS-ML", dt.date(2025, 7, 1))
    result = survivors_shares(
        rules,
        pension=D(100000),
        death_date=dt.date(2025, 6, 1),
        spouses=[Spouse("awa", dt.date(2000, 5, 1)), Spouse("fanta", dt.date(2010, 9, 1))],
        orphans=[
            Orphan("moussa", dt.date(2015, 1, 1)),
            Orphan("aminata", dt.date(2013, 5, 1)),
            Orphan("ibrahim", dt.date(2009, 1, 1)),
        ],
        on=dt.date(2025, 7, 1),
    )
    assert [(s.ref, s.qualifies, s.monthly_amount) for s in result.shares] == [
        ("awa", True, D(25000)),
        ("fanta", True, D(25000)),
        ("moussa", True, D(10000)),
        ("aminata", True, D(10000)),
        ("ibrahim", False, D(0)),
    ]
    assert result.shares[-1].reason == "limite d'âge dépassée"
    assert result.total == D(70000)
    assert_trace_recomputes(result.trace, D(70000))


def test_survivors_cnps_ci_2025_orphans_share_the_rest_rounded_down():
    """CNPS-CI 2025: the spouse keeps 50 % of 100,001 = 50,001 (half up); the rest of 100 %,
    50,000, is shared by three orphans under 21 → 16,666 each (rounded down: never more than
    the rest). A spouse married 1 year before the death does not qualify."""
    rules = reference_rules("CNPS-CI", dt.date(2026, 3, 1))
    result = survivors_shares(
        rules,
        pension=D(100001),
        death_date=dt.date(2026, 1, 10),
        spouses=[Spouse("adjoua", dt.date(1995, 1, 1)), Spouse("affoue", dt.date(2025, 1, 1))],
        orphans=[Orphan(n, dt.date(2010, 1, 1)) for n in ("a", "b", "c")],
        on=dt.date(2026, 3, 1),
    )
    assert [s.monthly_amount for s in result.shares] == [D(50001), D(0), *[D(16666)] * 3]
    assert_trace_recomputes(result.trace, result.total)


def test_next_eligible_dates_answer_when_and_how_much():
    """CNSS-BJ, born 03/11/1967, 270 months at 50,000 until 2025-12, on 15/01/2026 (age 58):
    early pension now (19,800); at 60 (03/11/2027) the full 22,000 as is, and if still working
    at 50,000 until then (2026-01 … 2027-11, 23 more months) 293 months: 30 + 2 × ⌊113 ÷ 12⌋
    = 48 % → 24,000."""
    rules = reference_rules("CNSS-BJ", dt.date(2026, 1, 15))
    lines = career("CNSS-BJ", "2003-07", "2025-12", 50000, days=26)
    dates = next_eligible(rules, lines, Claimant(dt.date(1967, 11, 3)), on=dt.date(2026, 1, 15))
    assert [
        (
            d.date,
            d.as_is.monthly_amount,
            d.if_still_working.insured_months,
            d.if_still_working.monthly_amount,
        )
        for d in dates
    ] == [(dt.date(2027, 11, 3), D(22000), 293, D(24000))]


def test_month_below_the_days_threshold_does_not_count():
    """CNSS-BJ counts a month with 18 days or more: 270 months, 10 of them with 10 days → 260."""
    rules = reference_rules("CNSS-BJ", dt.date(2026, 1, 15))
    lines = career("CNSS-BJ", "2003-07", "2004-04", 50000, days=10) + career(
        "CNSS-BJ", "2004-05", "2025-12", 50000, days=26
    )
    result = compute_old_age(rules, lines, Claimant(dt.date(1965, 1, 1)), on=dt.date(2026, 1, 15))
    assert result.insured_months == 260
    assert result.rate == D(42)  # 30 + 2 × ⌊80 ÷ 12⌋ = 30 + 12


@pytest.mark.parametrize(
    "code,categories",
    [("CNSS-BF", {"blue_collar": 56, "white_collar": 58, "supervisor": 60, "doctor": 63})],
)
def test_normal_age_by_category(code, categories):
    rules = reference_rules(code, dt.date(2026, 1, 15))
    lines = career(code, "2005-01", "2025-12", 100000, 22)
    for category, age in categories.items():
        result = compute_old_age(
            rules, lines, Claimant(dt.date(1960, 1, 1), category=category), on=dt.date(2026, 1, 15)
        )
        assert result.normal_age == age


def test_cnps_cm_pension_needs_twenty_years_and_sixty_recent_months():
    """CNPS-CM (benefits.md §11): 180 months, 20 years of coverage, 60 months in the last 10
    years; 30 % + 1 % per 12 months beyond 180; reference: the higher of the last 3 or 5 years.

    300 months at 200,000 (2001-01 … 2025-12), claim 15/01/2026 at 60: coverage 25 years,
    the last 10 years all insured (120 ≥ 60); rate 30 + ⌊(300 − 180) ÷ 12⌋ = 40 %; reference
    200,000; pension 200,000 × 40 % = 80,000 a month.

    The same 300 months ending in 2013-12: coverage 25 years but 0 months since 01/2016, so no
    pension; the allocation de vieillesse, a single payment of the average monthly salary per
    12 months (assumed), applies instead: 200,000 × 25 = 5,000,000.
    """
    rules = reference_rules("CNPS-CM", dt.date(2026, 1, 15))
    claimant = Claimant(dt.date(1965, 11, 3), "M")
    recent = career("CNPS-CM", "2001-01", "2025-12", 200000, 26)
    result = compute_old_age(rules, recent, claimant, on=dt.date(2026, 1, 15))
    assert (result.benefit, result.insured_months, result.rate) == ("pension", 300, D(40))
    assert result.monthly_amount == D(80000)
    codes = {s.code: s.result for s in result.trace.steps}
    assert codes["coverage_years"] is True and codes["recent_period"] is True
    assert_trace_recomputes(result.trace, D(80000))

    old = career("CNPS-CM", "1989-01", "2013-12", 200000, 26)
    stale = compute_old_age(rules, old, claimant, on=dt.date(2026, 1, 15))
    assert stale.benefit != "pension" and stale.monthly_amount is None
    assert {s.code: s.result for s in stale.trace.steps}["recent_period"] is False
    assert stale.reasons == [
        "Trop peu de mois d'assurance récents : 0 dans les 10 dernières années pour 60 requis."
    ]
    assert (stale.benefit, stale.lump_sum_amount) == ("lump_sum", D(5_000_000))
    assert_trace_recomputes(stale.trace)


def test_a_quarter_is_spread_the_same_way_by_every_career_reader():
    """One rule (domain.career.spread) for the claim, the simulation and the set-based path:
    100,001 F and 80 days over three months → 33,334 / 26, 33,334 / 26, 33,333 / 28 — whole
    francs and days, the last month taking the remainder, nothing lost."""
    from kafo.benefits.bulk import career_lines_of
    from kafo.benefits.domain.career import spread

    months = ["2025-01", "2025-02", "2025-03"]
    assert spread(months, D(100001), 80) == [
        ("2025-01", D(33334), 26),
        ("2025-02", D(33334), 26),
        ("2025-03", D(33333), 28),
    ]
    assert sum(s for _m, s, _d in spread(months, D(100001), 80)) == D(100001)
    assert spread(["2025-04"], D(7), 0) == [("2025-04", D(7), 0)]  # 0 days stays 0
    lines = career_lines_of("INPS-ML", [("2025-Q1", 100001, 80)])
    assert [(x.period, x.gross_salary, x.days_worked) for x in lines] == spread(
        months, D(100001), 80
    )
