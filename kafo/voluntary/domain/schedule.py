"""A voluntary member's periods: which are owed, paid, overdue, and when the membership lapses.

Pure: no Django; the dates are passed in. A member pays by month ('YYYY-MM') or by quarter
('YYYY-Qn'), the notation of declarations (kafo.contributions.domain.periods). Periods run from
the membership's start period (the period of the day they joined or resumed) to the period of
the day looked at; a later one cannot be paid yet.

Lapse: the membership lapses the day after the due date of the N-th period of a run of N
consecutive periods unpaid past their due date (N = the organisation's
`lapse_after_unpaid_periods`, kafo/voluntary/reference/voluntary.yaml). Unpaid periods count
nothing in the career; after a lapse the member resumes from a new start period, and the unpaid
periods before it are owed no more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

MONTHLY = "monthly"
QUARTERLY = "quarterly"


def period_of(day: dt.date, frequency: str) -> str:
    """Return the period of `frequency` containing `day`."""
    if frequency == QUARTERLY:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def _index(period: str) -> tuple[int, int, bool]:
    year, rest = period.split("-")
    if rest.startswith("Q"):
        return int(year), int(rest[1:]), True
    return int(year), int(rest), False


def next_period(period: str) -> str:
    year, n, quarterly = _index(period)
    last = 4 if quarterly else 12
    year, n = (year + 1, 1) if n == last else (year, n + 1)
    return f"{year}-Q{n}" if quarterly else f"{year}-{n:02d}"


def periods_between(first: str, last: str) -> list[str]:
    """Return the periods from `first` to `last` included (same frequency), in order."""
    out: list[str] = []
    current = first
    while _index(current) <= _index(last):
        out.append(current)
        current = next_period(current)
    return out


@dataclass(frozen=True)
class PeriodState:
    period: str
    due_date: dt.date
    paid: bool
    overdue: bool  # unpaid and its due date has passed on the day looked at


def period_states(
    *,
    start_period: str,
    frequency: str,
    on: dt.date,
    paid: Iterable[str],
    due_date_of: Callable[[str], dt.date],
) -> list[PeriodState]:
    """Return the state of every period from `start_period` to the period of `on`."""
    paid_set = set(paid)
    last = period_of(on, frequency)
    return [
        PeriodState(
            period=p,
            due_date=(due := due_date_of(p)),
            paid=p in paid_set,
            overdue=p not in paid_set and due < on,
        )
        for p in periods_between(start_period, last)
    ]


def lapse_date(states: list[PeriodState], lapse_after: int) -> dt.date | None:
    """Return the day the membership lapses (the day after the due date of the `lapse_after`-th
    period of the first run of that many consecutive overdue periods), or None."""
    run = 0
    for state in states:
        run = run + 1 if state.overdue else 0
        if run >= lapse_after:
            return state.due_date + dt.timedelta(days=1)
    return None
