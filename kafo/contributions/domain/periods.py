"""Declaration periods: 'YYYY-MM' (a month) or 'YYYY-Qn' (a quarter). Pure: no Django."""

from __future__ import annotations

import calendar
import datetime as dt
import re

PERIOD_RE = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$")


def parse(period: str) -> tuple[dt.date, dt.date]:
    """Return the first and last day of `period`; raise ValueError if it is not a period."""
    m = PERIOD_RE.match(period.strip().upper())
    if not m:
        raise ValueError(period)
    year = int(m.group(1))
    if m.group(2):
        first_month = last_month = int(m.group(2))
    else:
        first_month = 3 * int(m.group(3)) - 2
        last_month = first_month + 2
    start = dt.date(year, first_month, 1)
    end = dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
    return start, end


def normalise(period: str) -> str:
    parse(period)
    return period.strip().upper()


def is_quarterly(period: str) -> bool:
    return "Q" in period.upper()


def max_days(period: str) -> int:
    return 92 if is_quarterly(period) else 31


def months_in(period: str) -> list[str]:
    """Return the months ('YYYY-MM') a period covers."""
    start, end = parse(period)
    return [f"{start.year}-{m:02d}" for m in range(start.month, end.month + 1)]


def overlapping(period: str) -> list[str]:
    """Return the periods that share a month with `period`, itself first: a month and its
    quarter, or a quarter and its three months."""
    period = normalise(period)
    if is_quarterly(period):
        return [period, *months_in(period)]
    start, _end = parse(period)
    return [period, f"{start.year}-Q{(start.month - 1) // 3 + 1}"]


def due_date(period: str, due_day: int) -> dt.date:
    """Return the due date: `due_day` of the month after the period (clamped to month end)."""
    _start, end = parse(period)
    nxt = end + dt.timedelta(days=1)
    day = min(due_day, calendar.monthrange(nxt.year, nxt.month)[1])
    return nxt.replace(day=day)
