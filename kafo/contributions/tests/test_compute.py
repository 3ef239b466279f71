"""Worked examples computed by hand from the sourced rates (../shared/reference/schemes.md).

The rates below are typed from the reference, not read from the database;
`test_seeded_rates_match_the_hand_typed_ones` checks the seeded rule data against them.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kafo.contributions.domain import periods
from kafo.contributions.domain.compute import (
    Line,
    Rate,
    base_of,
    format_amount,
    line_shares,
    rate_ppm,
    rates_for_employer,
    totals_of,
)

D = Decimal

IPRES_SN = [
    Rate("old_age", "general", D("8.4"), D("5.6"), ceiling=D(432000)),
    Rate(
        "old_age",
        "executives",
        D("3.6"),
        D("2.4"),
        applies_to="executive",
        base_from=D(432000),
        ceiling=D(1296000),
    ),
]
CNPS_CI = [
    Rate("old_age", "pension", D("7.7"), D("6.3"), ceiling=D(3375000)),
    Rate("family", "allowances", D("5.0"), ceiling=D(70000)),
    Rate("family", "maternity", D("0.75"), ceiling=D(70000)),
    *[
        Rate("work_injury", "risk", D(rate), risk_class=rc, ceiling=D(70000))
        for rc, rate in ((1, 2), (2, 3), (3, 4), (4, 5))
    ],
    Rate("health", "cmu", employer_flat=D(500), employee_flat=D(500)),
]
INPS_ML = [
    Rate("old_age", "pension", D("5.4"), D("3.6"), floor=D(40000)),
    Rate("family", "allowances", D("8.0"), floor=D(40000)),
    *[Rate("work_injury", "risk", D(rc), risk_class=rc, floor=D(40000)) for rc in (1, 2, 3, 4)],
    Rate("health", "amo", D("3.5"), D("3.06"), floor=D(40000)),
]
CSS_SN = [
    Rate("family", "allowances", D("7.0"), ceiling=D(63000)),
    *[
        Rate("work_injury", "risk", D(rate), risk_class=rc, ceiling=D(63000))
        for rc, rate in ((1, 1), (2, 3), (3, 5), (4, 5))
    ],
]
CNSS_NE = [
    Rate("old_age", "pension", D("6.25"), D("5.25"), ceiling=D(500000)),
    Rate("family", "allowances", D("8.40"), ceiling=D(500000)),
    Rate("work_injury", "risk", D("1.75"), ceiling=D(500000)),
]


def amounts(rates, risk_class, salary, category="standard", months=1):
    shares = line_shares(
        Line(D(salary), category, months), rates_for_employer(rates, risk_class), "XOF"
    )
    return {(s.component, "er"): int(s.employer) for s in shares} | {
        (s.component, "ee"): int(s.employee) for s in shares if s.employee
    }


@pytest.mark.parametrize(
    ("salary", "category", "months", "expected"),
    [
        # under the general ceiling: 8.4 % and 5.6 % of 300,000
        (300000, "standard", 1, {("general", "er"): 25200, ("general", "ee"): 16800}),
        # over it: base 432,000
        (500000, "standard", 1, {("general", "er"): 36288, ("general", "ee"): 24192}),
        # executive between the ceilings: tier base 1,000,000 - 432,000 = 568,000
        (
            1000000,
            "executive",
            1,
            {
                ("general", "er"): 36288,
                ("general", "ee"): 24192,
                ("executives", "er"): 20448,
                ("executives", "ee"): 13632,
            },
        ),
        # executive over both: tier base 1,296,000 - 432,000 = 864,000
        (
            2000000,
            "executive",
            1,
            {
                ("general", "er"): 36288,
                ("general", "ee"): 24192,
                ("executives", "er"): 31104,
                ("executives", "ee"): 20736,
            },
        ),
        # a quarter: ceilings × 3 = 1,296,000 and 3,888,000; tier base 704,000
        (
            2000000,
            "executive",
            3,
            {
                ("general", "er"): 108864,
                ("general", "ee"): 72576,
                ("executives", "er"): 25344,
                ("executives", "ee"): 16896,
            },
        ),
    ],
)
def test_ipres_sn(salary, category, months, expected):
    assert amounts(IPRES_SN, 1, salary, category, months) == expected


@pytest.mark.parametrize(
    ("risk_class", "salary", "expected"),
    [
        # under every ceiling, class 3 = 4 %
        (
            3,
            50000,
            {
                ("pension", "er"): 3850,
                ("pension", "ee"): 3150,
                ("allowances", "er"): 2500,
                ("maternity", "er"): 375,
                ("risk", "er"): 2000,
                ("cmu", "er"): 500,
                ("cmu", "ee"): 500,
            },
        ),
        # over both ceilings: pension 3,375,000, the rest 70,000
        (
            3,
            4000000,
            {
                ("pension", "er"): 259875,
                ("pension", "ee"): 212625,
                ("allowances", "er"): 3500,
                ("maternity", "er"): 525,
                ("risk", "er"): 2800,
                ("cmu", "er"): 500,
                ("cmu", "ee"): 500,
            },
        ),
        # between: pension on 75,123 (5,784.471 -> 5,784; 4,732.749 -> 4,733), class 1 = 2 %
        (
            1,
            75123,
            {
                ("pension", "er"): 5784,
                ("pension", "ee"): 4733,
                ("allowances", "er"): 3500,
                ("maternity", "er"): 525,
                ("risk", "er"): 1400,
                ("cmu", "er"): 500,
                ("cmu", "ee"): 500,
            },
        ),
        # half up: 7.7 % of 500 = 38.5 -> 39 (half-even would give 38); 0.75 % = 3.75 -> 4
        (
            2,
            500,
            {
                ("pension", "er"): 39,
                ("pension", "ee"): 32,
                ("allowances", "er"): 25,
                ("maternity", "er"): 4,
                ("risk", "er"): 15,
                ("cmu", "er"): 500,
                ("cmu", "ee"): 500,
            },
        ),
        (
            4,
            100000,
            {
                ("pension", "er"): 7700,
                ("pension", "ee"): 6300,
                ("allowances", "er"): 3500,
                ("maternity", "er"): 525,
                ("risk", "er"): 3500,
                ("cmu", "er"): 500,
                ("cmu", "ee"): 500,
            },
        ),
    ],
)
def test_cnps_ci(risk_class, salary, expected):
    assert amounts(CNPS_CI, risk_class, salary) == expected


@pytest.mark.parametrize(
    ("risk_class", "salary", "months", "expected"),
    [
        # under the floor (SMIG 40,000): charged on 40,000
        (
            2,
            30000,
            1,
            {
                ("pension", "er"): 2160,
                ("pension", "ee"): 1440,
                ("allowances", "er"): 3200,
                ("risk", "er"): 800,
                ("amo", "er"): 1400,
                ("amo", "ee"): 1224,
            },
        ),
        # no ceiling
        (
            2,
            1000000,
            1,
            {
                ("pension", "er"): 54000,
                ("pension", "ee"): 36000,
                ("allowances", "er"): 80000,
                ("risk", "er"): 20000,
                ("amo", "er"): 35000,
                ("amo", "ee"): 30600,
            },
        ),
        # a quarter under the floor × 3 = 120,000
        (
            2,
            100000,
            3,
            {
                ("pension", "er"): 6480,
                ("pension", "ee"): 4320,
                ("allowances", "er"): 9600,
                ("risk", "er"): 2400,
                ("amo", "er"): 4200,
                ("amo", "ee"): 3672,
            },
        ),
    ],
)
def test_inps_ml(risk_class, salary, months, expected):
    assert amounts(INPS_ML, risk_class, salary, months=months) == expected


@pytest.mark.parametrize(
    ("risk_class", "expected_risk"), [(1, 1000), (2, 2000), (3, 3000), (4, 4000)]
)
def test_inps_ml_each_risk_class(risk_class, expected_risk):
    assert amounts(INPS_ML, risk_class, 100000)[("risk", "er")] == expected_risk


@pytest.mark.parametrize(
    ("risk_class", "salary", "family", "risk"),
    [
        (1, 200000, 4410, 630),  # over the 63,000 ceiling
        (2, 200000, 4410, 1890),
        (3, 200000, 4410, 3150),
        (4, 200000, 4410, 3150),
        (2, 50000, 3500, 1500),  # under it
    ],
)
def test_css_sn(risk_class, salary, family, risk):
    assert amounts(CSS_SN, risk_class, salary) == {
        ("allowances", "er"): family,
        ("risk", "er"): risk,
    }


@pytest.mark.parametrize(
    ("salary", "expected"),
    [
        (
            600000,
            {
                ("pension", "er"): 31250,
                ("pension", "ee"): 26250,
                ("allowances", "er"): 42000,
                ("risk", "er"): 8750,
            },
        ),
        # 7,716.0625 -> 7,716; 6,481.4925 -> 6,481; 10,370.388 -> 10,370; 2,160.4975 -> 2,160
        (
            123457,
            {
                ("pension", "er"): 7716,
                ("pension", "ee"): 6481,
                ("allowances", "er"): 10370,
                ("risk", "er"): 2160,
            },
        ),
    ],
)
def test_cnss_ne(salary, expected):
    for rc in (1, 4):  # one rate for every class
        assert amounts(CNSS_NE, rc, salary) == expected


def test_totals_are_the_sum_of_rounded_lines():
    rates = rates_for_employer(CNPS_CI, 3)
    lines = [line_shares(Line(D(s)), rates, "XOF") for s in (50000, 4000000)]
    totals = totals_of(lines)
    assert totals.employer == 3850 + 2500 + 375 + 2000 + 500 + 259875 + 3500 + 525 + 2800 + 500
    assert totals.employee == 3150 + 500 + 212625 + 500
    assert totals.by_branch["health"] == {"employer": 1000, "employee": 1000}
    assert totals.total == totals.employer + totals.employee


def test_zero_salary_line_charges_nothing():
    shares = line_shares(Line(D(0)), rates_for_employer(CNPS_CI, 1), "XOF")
    assert all(s.employer == 0 and s.employee == 0 for s in shares)


def test_format_amount():
    assert format_amount(D(125000)) == "125 000 FCFA"
    assert format_amount(D("1234567.5")) == "1 234 568 FCFA"
    assert format_amount(D(-500)) == "-500 FCFA"


@given(
    base=st.integers(min_value=0, max_value=10**10),
    rate=st.decimals(min_value=0, max_value=100, places=4, allow_nan=False),
)
def test_integer_ppm_formula_equals_decimal_rounding(base, rate):
    exact = (D(base) * rate / 100).quantize(D(1), rounding=ROUND_HALF_UP)
    assert (base * rate_ppm(rate) + 500_000) // 1_000_000 == exact


def test_base_of_bands():
    r = Rate("old_age", "x", base_from=D(100), ceiling=D(300), floor=D(50))
    assert [base_of(D(s), r) for s in (0, 20, 150, 1000)] == [0, 0, 50, 200]


def test_periods():
    assert periods.parse("2025-Q2") == (dt.date(2025, 4, 1), dt.date(2025, 6, 30))
    assert periods.parse("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert periods.due_date("2025-01", 15) == dt.date(2025, 2, 15)
    assert periods.due_date("2025-Q4", 31) == dt.date(2026, 1, 31)
    assert periods.due_date("2025-01", 31) == dt.date(2025, 2, 28)
    for bad in ("2025-13", "2025-Q5", "25-01", "2025/01", ""):
        with pytest.raises(ValueError):
            periods.parse(bad)
