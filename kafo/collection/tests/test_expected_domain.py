"""Expected declarations, pure: periods, due dates, coverage."""

import datetime as dt

import pytest

from kafo.collection.domain.expected import (
    MONTHLY,
    QUARTERLY,
    ExpectedPeriod,
    Schedule,
    expected_periods,
    frequency_for,
    is_covered,
    missing_periods,
)

d = dt.date
MONTHLY_15 = Schedule(MONTHLY, 15)
QUARTERLY_15 = Schedule(QUARTERLY, 15)


def test_monthly_periods_from_registration_to_the_last_ended_month():
    got = expected_periods(MONTHLY_15, d(2026, 1, 20), None, d(2026, 4, 10))
    assert got == [
        ("2026-01", d(2026, 2, 15)),
        ("2026-02", d(2026, 3, 15)),
        ("2026-03", d(2026, 4, 15)),
    ]
    assert got[0].label == "01/2026" and got[0].start == d(2026, 1, 1)


def test_quarterly_periods_only_once_the_quarter_ended():
    got = expected_periods(QUARTERLY_15, d(2025, 11, 3), None, d(2026, 3, 31))
    assert got == [("2025-Q4", d(2026, 1, 15))]
    got = expected_periods(QUARTERLY_15, d(2025, 11, 3), None, d(2026, 4, 1))
    assert got == [("2025-Q4", d(2026, 1, 15)), ("2026-Q1", d(2026, 4, 15))]
    assert got[1].label == "T1 2026"


def test_registered_after_or_closed_before_the_period_is_not_expected():
    assert expected_periods(MONTHLY_15, d(2026, 3, 1), None, d(2026, 3, 31)) == []
    got = expected_periods(MONTHLY_15, d(2025, 12, 1), d(2026, 1, 31), d(2026, 6, 1))
    assert [p for p, _due in got] == ["2025-12", "2026-01"]
    # closed during the quarter: the quarter is still expected
    got = expected_periods(QUARTERLY_15, d(2025, 1, 1), d(2025, 5, 10), d(2026, 1, 1))
    assert [p for p, _due in got] == ["2025-Q1", "2025-Q2"]


def test_versions_and_since_and_due_day_clamped():
    versions = [(d(2000, 1, 1), Schedule(MONTHLY, 31)), (d(2026, 3, 1), QUARTERLY_15)]
    got = expected_periods(versions, d(2026, 1, 1), None, d(2026, 7, 1))
    assert got == [
        ("2026-01", d(2026, 2, 28)),
        ("2026-02", d(2026, 3, 31)),
        ("2026-Q1", d(2026, 4, 15)),
        ("2026-Q2", d(2026, 7, 15)),
    ]
    got = expected_periods(MONTHLY_15, d(2010, 1, 1), None, d(2026, 3, 1), since=d(2026, 1, 9))
    assert [p for p, _due in got] == ["2026-01", "2026-02"]


@pytest.mark.parametrize(
    ("period", "declared", "covered"),
    [
        ("2026-02", {"2026-02"}, True),
        ("2026-02", {"2026-Q1"}, True),
        ("2026-02", {"2026-01", "2026-Q2"}, False),
        ("2026-Q1", {"2026-Q1"}, True),
        ("2026-Q1", {"2026-01", "2026-02", "2026-03"}, True),
        ("2026-Q1", {"2026-01", "2026-03"}, False),
    ],
)
def test_coverage(period, declared, covered):
    assert is_covered(period, declared) is covered


def test_missing_and_overdue():
    expected = [
        ExpectedPeriod("2026-01", d(2026, 2, 15)),
        ExpectedPeriod("2026-02", d(2026, 3, 15)),
    ]
    assert missing_periods(expected, ["2026-01"]) == [("2026-02", d(2026, 3, 15))]
    assert missing_periods(expected, [], overdue_on=d(2026, 3, 15)) == [("2026-01", d(2026, 2, 15))]


def test_frequency_threshold():
    assert (frequency_for(20, 20), frequency_for(19, 20)) == (MONTHLY, QUARTERLY)
