"""Pure account arithmetic: allocation oldest debt first, penalties, ageing (tables)."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kafo.contributions.domain.ledger import (
    Credit,
    Debt,
    add_months,
    ageing,
    allocate,
    bucket_of,
    late_payment_penalty,
    months_started,
)

D = Decimal
d = dt.date


def _alloc(debts, credits):
    result = allocate(
        [Debt(k, due, D(a), rank) for k, due, a, rank in debts],
        [Credit(k, day, D(a)) for k, day, a in credits],
    )
    return (
        [(a.credit_key, a.debt_key, int(a.amount)) for a in result.allocations],
        {k: int(v) for k, v in result.unpaid.items()},
        int(result.credit_left),
    )


@pytest.mark.parametrize(
    ("debts", "credits", "allocations", "unpaid", "credit_left"),
    [
        # one payment settles the oldest debt first, the rest goes to the next
        (
            [("feb", d(2025, 3, 10), 100, 0), ("jan", d(2025, 2, 10), 100, 0)],
            [("p1", d(2025, 3, 1), 150)],
            [("p1", "jan", 100), ("p1", "feb", 50)],
            {"feb": 50, "jan": 0},
            0,
        ),
        # payments are used in date order, whatever order they are given in
        (
            [("jan", d(2025, 2, 10), 100, 0)],
            [("late", d(2025, 4, 1), 80), ("early", d(2025, 2, 1), 30)],
            [("early", "jan", 30), ("late", "jan", 70)],
            {"jan": 0},
            10,
        ),
        # an overpayment is a credit left for later debts
        (
            [("jan", d(2025, 2, 10), 100, 0)],
            [("p1", d(2025, 2, 1), 250)],
            [("p1", "jan", 100)],
            {"jan": 0},
            150,
        ),
        # no payment: everything unpaid
        (
            [("jan", d(2025, 2, 10), 100, 0), ("pen", d(2025, 2, 28), 7, 1)],
            [],
            [],
            {"jan": 100, "pen": 7},
            0,
        ),
        # same due date: the contribution (rank 0) before the penalty (rank 1)
        (
            [("pen", d(2025, 3, 10), 10, 1), ("feb", d(2025, 3, 10), 100, 0)],
            [("p1", d(2025, 3, 20), 105)],
            [("p1", "feb", 100), ("p1", "pen", 5)],
            {"pen": 5, "feb": 0},
            0,
        ),
        # a penalty due before a later contribution is settled before it
        (
            [
                ("jan", d(2025, 2, 10), 100, 0),
                ("pen", d(2025, 2, 28), 10, 1),
                ("feb", d(2025, 3, 10), 100, 0),
            ],
            [("p1", d(2025, 2, 20), 100), ("p2", d(2025, 3, 31), 60)],
            [("p1", "jan", 100), ("p2", "pen", 10), ("p2", "feb", 50)],
            {"jan": 0, "pen": 0, "feb": 50},
            0,
        ),
        # a negative debt (corrective below the original) acts as a credit on its due date
        (
            [("jan", d(2025, 2, 10), 100, 0), ("fix", d(2025, 2, 10), -30, 0)],
            [],
            [("fix", "jan", 30)],
            {"jan": 70, "fix": 0},
            0,
        ),
        # several payments on one debt
        (
            [("q1", d(2025, 4, 15), 90, 0)],
            [("a", d(2025, 4, 1), 30), ("b", d(2025, 4, 2), 30), ("c", d(2025, 5, 1), 30)],
            [("a", "q1", 30), ("b", "q1", 30), ("c", "q1", 30)],
            {"q1": 0},
            0,
        ),
    ],
)
def test_allocation_oldest_debt_first(debts, credits, allocations, unpaid, credit_left):
    assert _alloc(debts, credits) == (allocations, unpaid, credit_left)


@pytest.mark.parametrize(
    ("due", "paid_on", "months"),
    [
        (d(2025, 1, 15), d(2025, 1, 15), 0),
        (d(2025, 1, 15), d(2025, 1, 10), 0),
        (d(2025, 1, 15), d(2025, 1, 16), 1),
        (d(2025, 1, 15), d(2025, 2, 15), 1),
        (d(2025, 1, 15), d(2025, 2, 16), 2),
        (d(2025, 1, 31), d(2025, 2, 28), 1),  # month end clamped
        (d(2025, 1, 31), d(2025, 3, 1), 2),
        (d(2025, 11, 15), d(2026, 1, 16), 3),
    ],
)
def test_months_started(due, paid_on, months):
    assert months_started(due, paid_on) == months


@given(
    due=st.dates(min_value=d(2000, 1, 1), max_value=d(2040, 12, 31)),
    delay=st.integers(min_value=-40, max_value=5000),
)
def test_months_started_is_the_first_month_reaching_the_payment(due, delay):
    """Its definition, counted up from 1, for any dates (month ends and leap years included)."""
    paid_on = due + dt.timedelta(days=delay)
    n = 0
    if paid_on > due:
        n = 1
        while add_months(due, n) < paid_on:
            n += 1
    assert months_started(due, paid_on) == n


@pytest.mark.parametrize(
    ("amount", "due", "paid", "as_of", "per_day", "per_month", "expected"),
    [
        # CNPS-CI's own example: 2,000,000 paid 16 days late at 0.05 %/day -> 16,000
        (2000000, d(2025, 2, 15), [(d(2025, 3, 3), 2000000)], d(2025, 4, 1), "0.05", "0", 16000),
        # unpaid: runs until the date of computation (31 days)
        (100000, d(2025, 2, 15), [], d(2025, 3, 18), "0.05", "0", 1550),
        # paid on time: nothing
        (100000, d(2025, 2, 15), [(d(2025, 2, 15), 100000)], d(2025, 6, 1), "0.05", "0", 0),
        # partly paid: 60,000 × 10 days + 40,000 × 20 days at 0.05 % = 300 + 400
        (100000, d(2025, 2, 15), [(d(2025, 2, 25), 60000)], d(2025, 3, 7), "0.05", "0", 700),
        # a payment after the date of computation does not count yet
        (100000, d(2025, 2, 15), [(d(2025, 4, 1), 100000)], d(2025, 2, 25), "0.05", "0", 500),
        # per month started: 2 % × 2 months started (33 days late)
        (100000, d(2025, 2, 15), [(d(2025, 3, 20), 100000)], d(2025, 4, 1), "0", "2", 4000),
        # rounded once, half up: 12,345 × 0.05 % × 3 = 18.5175 -> 19
        (12345, d(2025, 2, 15), [], d(2025, 2, 18), "0.05", "0", 19),
        # 1,001 × 0.05 % × 1 = 0.5005 -> 1 ; 999 × 0.05 % × 1 = 0.4995 -> 0
        (1001, d(2025, 2, 15), [], d(2025, 2, 16), "0.05", "0", 1),
        (999, d(2025, 2, 15), [], d(2025, 2, 16), "0.05", "0", 0),
    ],
)
def test_late_payment_penalty(amount, due, paid, as_of, per_day, per_month, expected):
    trace = late_payment_penalty(
        amount=D(amount),
        due_date=due,
        paid=[(day, D(a)) for day, a in paid],
        as_of=as_of,
        percent_per_day=D(per_day),
        percent_per_month_started=D(per_month),
    )
    assert trace.amount == D(expected)


@pytest.mark.parametrize(
    ("age", "bucket"),
    [
        (0, "0-30"),
        (1, "0-30"),
        (30, "0-30"),
        (31, "31-90"),
        (90, "31-90"),
        (91, "91-180"),
        (180, "91-180"),
        (181, "180+"),
        (4000, "180+"),
    ],
)
def test_bucket_bounds(age, bucket):
    assert bucket_of(age) == bucket


def test_ageing_counts_only_overdue_unpaid_amounts():
    as_of = d(2025, 12, 31)
    result = ageing(
        [
            (d(2025, 12, 31), D(1)),  # due today: not overdue
            (d(2025, 12, 30), D(10)),  # 1 day
            (d(2025, 11, 30), D(100)),  # 31 days
            (d(2025, 7, 4), D(1000)),  # 180 days
            (d(2025, 7, 3), D(10000)),  # 181 days
            (d(2025, 1, 1), D(0)),  # paid
        ],
        as_of=as_of,
    )
    assert result == {"0-30": D(10), "31-90": D(100), "91-180": D(1000), "180+": D(10000)}


_days = st.integers(min_value=0, max_value=400).map(lambda n: d(2025, 1, 1) + dt.timedelta(days=n))


@given(
    debts=st.lists(st.tuples(_days, st.integers(1, 10**9), st.integers(0, 1)), max_size=12),
    credits=st.lists(st.tuples(_days, st.integers(1, 10**9)), max_size=12),
)
def test_allocation_conserves_money_and_settles_oldest_first(debts, credits):
    result = allocate(
        [Debt(i, due, D(a), rank) for i, (due, a, rank) in enumerate(debts)],
        [Credit(i, day, D(a)) for i, (day, a) in enumerate(credits)],
    )
    total_debts = sum(a for _d, a, _r in debts)
    total_credits = sum(a for _d, a in credits)
    allocated = sum(a.amount for a in result.allocations)
    assert allocated + sum(result.unpaid.values()) == total_debts
    assert allocated + result.credit_left == total_credits
    assert min(result.credit_left, sum(result.unpaid.values())) == 0
    # no debt is left unpaid while a later one (by due date, rank) got anything
    order = sorted(range(len(debts)), key=lambda i: (debts[i][0], debts[i][2], i))
    paid = {i: sum(a.amount for a in result.allocations if a.debt_key == i) for i in order}
    first_unpaid = next((n for n, i in enumerate(order) if result.unpaid[i] > 0), len(order))
    assert all(paid[i] == 0 for i in order[first_unpaid + 1 :])
