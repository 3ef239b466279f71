"""Pure calculations: no database."""

import datetime as dt
from decimal import Decimal as D

import pytest

from kafo.governance.domain import amounts, deadlines, progress

DL = dt.date(2026, 3, 31)


@pytest.mark.parametrize(
    ("status", "percent", "expected"),
    [
        ("todo", None, D(0)),
        ("todo", 10, D(10)),
        ("in_progress", None, D(0)),
        ("in_progress", 40, D(40)),
        ("late", 75, D(75)),
        ("done", None, D(100)),
        ("done", 30, D(100)),
        ("dropped", 50, None),
    ],
)
def test_action_progress(status, percent, expected):
    assert progress.action_progress(status, percent) == expected


def test_action_progress_refuses_a_percentage_out_of_range():
    with pytest.raises(ValueError):
        progress.action_progress("in_progress", 120)


@pytest.mark.parametrize(
    ("actions", "percent", "method", "counted"),
    [
        # every action has a budget: weighted; 100×3M + 0×1M = 75 %
        ([("done", None, D(3_000_000)), ("todo", None, D(1_000_000))], D("75.0"), "budget", 2),
        # one action without budget: plain mean
        ([("done", None, D(3_000_000)), ("todo", None, None)], D("50.0"), "mean", 2),
        # a zero budget does not weigh: mean
        ([("done", None, D(0)), ("in_progress", 20, D(10))], D("60.0"), "mean", 2),
        # dropped actions leave the roll-up (and their budget with them)
        (
            [("in_progress", 50, D(100)), ("dropped", None, D(900)), ("done", None, D(100))],
            D("75.0"),
            "budget",
            2,
        ),
        # rounding half up to one decimal: (100 + 0 + 0) / 3 = 33.33…
        ([("done", None, None), ("todo", None, None), ("todo", None, None)], D("33.3"), "mean", 3),
        ([("done", None, None), ("done", None, None), ("todo", None, None)], D("66.7"), "mean", 3),
        ([], None, "none", 0),
        ([("dropped", None, D(5))], None, "none", 0),
    ],
)
def test_priority_progress_rolls_up_from_actions(actions, percent, method, counted):
    assert progress.priority_progress(actions) == progress.Rollup(percent, method, counted)


@pytest.mark.parametrize(
    ("priorities", "expected"),
    [
        ([D("75.0"), D("25.0")], D("50.0")),
        ([D("75.0"), None, D("20.0")], D("47.5")),
        ([None], None),
        ([], None),
    ],
)
def test_plan_progress_is_the_mean_of_priorities(priorities, expected):
    assert progress.plan_progress(priorities).percent == expected


@pytest.mark.parametrize(
    ("status", "today", "late"),
    [
        ("todo", DL, False),
        ("todo", DL + dt.timedelta(days=1), True),
        ("in_progress", DL + dt.timedelta(days=1), True),
        ("done", DL + dt.timedelta(days=1), False),
        ("dropped", DL + dt.timedelta(days=9), False),
        ("late", DL + dt.timedelta(days=9), False),  # already late: nothing to mark
    ],
)
def test_is_late(status, today, late):
    assert deadlines.is_late(status, DL, today) is late


def test_no_deadline_is_never_late():
    assert deadlines.is_late("todo", None, dt.date(2099, 1, 1)) is False


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (-8, None),
        (-7, ("before", dt.date(2026, 3, 24))),
        (-1, ("before", dt.date(2026, 3, 24))),
        (0, ("due", DL)),
        (6, ("due", DL)),
        (7, ("overdue", dt.date(2026, 4, 7))),
        (13, ("overdue", dt.date(2026, 4, 7))),
        (14, ("overdue", dt.date(2026, 4, 14))),
    ],
)
def test_reminder_calendar(days, expected):
    today = DL + dt.timedelta(days=days)
    assert deadlines.reminder_due("in_progress", DL, today) == expected


@pytest.mark.parametrize("status", ["done", "dropped"])
def test_closed_items_get_no_reminder(status):
    assert deadlines.reminder_due(status, DL, DL) is None


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (D("125000"), "XOF", "125 000 FCFA"),
        (D("1250000.50"), "XAF", "1 250 001 FCFA"),
        (D("999"), "XOF", "999 FCFA"),
        (D("1234.5"), "MGA", "1 234,50 MGA"),
        (None, "XOF", ""),
    ],
)
def test_format_amount(amount, currency, text):
    assert amounts.format_amount(amount, currency) == text
