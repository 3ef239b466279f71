"""Expected declarations: which periods an employer must declare, by when, and which are missing.

Pure: no Django. Periods use the repo's notation (`kafo.contributions.domain.periods`):
'YYYY-MM' for a month, 'YYYY-Qn' for a quarter.

- The declaration rule (`kafo.rules.models.DeclarationRule`) says: monthly from
  `monthly_from_employees` workers, quarterly below; due on `due_day` of the month after the
  period. `frequency_for` applies the threshold to a workforce; `Schedule` is the result.
- An employer is expected to declare a period when it was registered on or before the period's
  last day and not closed before its first day (`expected_periods`).
- A month is covered by its own declaration or by its quarter's; a quarter by its own or by the
  three monthly declarations of its months (`is_covered`, `missing_periods`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from kafo.contributions.domain import periods

MONTHLY = "monthly"
QUARTERLY = "quarterly"


@dataclass(frozen=True)
class Schedule:
    """How often an employer declares and the day of the following month it is due."""

    frequency: str  # MONTHLY or QUARTERLY
    due_day: int


class ExpectedPeriod(NamedTuple):
    """One expected declaration: unpacks as (period, due_date)."""

    period: str
    due_date: dt.date

    @property
    def start(self) -> dt.date:
        return periods.parse(self.period)[0]

    @property
    def end(self) -> dt.date:
        return periods.parse(self.period)[1]

    @property
    def label(self) -> str:
        """'03/2026' for a month, 'T1 2026' for a quarter (the French notation on pages)."""
        return period_label(self.period)


def period_label(period: str) -> str:
    """Return the period as people read it: '03/2026', 'T1 2026'."""
    if periods.is_quarterly(period):
        return f"T{period[-1]} {period[:4]}"
    return f"{period[5:7]}/{period[:4]}"


def frequency_for(workforce: int, monthly_from_employees: int) -> str:
    """Return MONTHLY when `workforce` reaches the rule's threshold, else QUARTERLY."""
    return MONTHLY if workforce >= monthly_from_employees else QUARTERLY


def month_of(day: dt.date) -> str:
    return f"{day.year}-{day.month:02d}"


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _schedule_on(rule, on: dt.date) -> Schedule | None:
    """The schedule in force on `on`: `rule` itself, or the latest version started by then."""
    if isinstance(rule, Schedule):
        return rule
    current = None
    for effective_from, schedule in sorted(rule, key=lambda v: v[0]):
        if effective_from <= on:
            current = schedule
    return current


def expected_periods(
    rule: Schedule | Sequence[tuple[dt.date, Schedule]],
    registered_on: dt.date,
    closed_on: dt.date | None,
    until: dt.date,
    *,
    since: dt.date | None = None,
) -> list[ExpectedPeriod]:
    """Return the periods the employer must declare, oldest first, that ended before `until`.

    `rule` is one `Schedule`, or versions `[(effective_from, Schedule), ...]`: each month takes
    the version in force on its first day (after a switch to quarterly mid-quarter, that
    quarter is expected too; its monthly declarations cover it). A period is expected when the
    employer was registered on or before its last day and not closed (`closed_on`) before its
    first day. `since` (optional) bounds the history: no period ending before it.
    """
    start = registered_on.replace(day=1)
    if since is not None and since.replace(day=1) > start:
        start = since.replace(day=1)
    result: list[ExpectedPeriod] = []
    seen: set[str] = set()
    month = start
    while True:
        first, last = periods.parse(month_of(month))
        if last >= until:
            break
        if closed_on is not None and closed_on < first:
            break
        schedule = _schedule_on(rule, first)
        if schedule is not None:
            if schedule.frequency == MONTHLY:
                period = month_of(month)
            else:
                period = quarter_of(month)
            q_end = periods.parse(period)[1]
            if period not in seen and q_end < until:
                seen.add(period)
                result.append(ExpectedPeriod(period, periods.due_date(period, schedule.due_day)))
        month = (last + dt.timedelta(days=1)).replace(day=1)
    return result


def is_covered(period: str, declared: Iterable[str] | set[str]) -> bool:
    """Whether the declarations of `declared` periods cover `period` (see the module's notes)."""
    declared = declared if isinstance(declared, set) else set(declared)
    if period in declared:
        return True
    if periods.is_quarterly(period):
        return all(m in declared for m in periods.months_in(period))
    start, _end = periods.parse(period)
    return quarter_of(start) in declared


def missing_periods(
    expected: Iterable[ExpectedPeriod],
    declared: Iterable[str],
    *,
    overdue_on: dt.date | None = None,
) -> list[ExpectedPeriod]:
    """Return the expected periods no declaration covers; with `overdue_on`, only those whose
    due date is before that day."""
    declared_set = set(declared)
    return [
        e
        for e in expected
        if not is_covered(e.period, declared_set)
        and (overdue_on is None or e.due_date < overdue_on)
    ]
