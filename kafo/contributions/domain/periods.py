"""Declaration periods: 'YYYY-MM' (a month) or 'YYYY-Qn' (a quarter). Pure: no Django.

A quarter is stored as 'YYYY-Qn'; 'YYYY-Tn' (trimestre, the French notation) is read as the
same quarter (`normalise`)."""

from __future__ import annotations

import calendar
import datetime as dt
import re

PERIOD_RE = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|[QT]([1-4]))$")
# What a person is told a period looks like: the form's help and the file's error say the same.
PERIOD_HELP = "AAAA-MM pour un mois, AAAA-Tn ou AAAA-Qn pour un trimestre (ex. 2025-03, 2025-T1)"


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
    """Return the stored notation of `period` ('2025-t1' → '2025-Q1'); raise ValueError if it
    is not a period."""
    parse(period)
    return canonical(period)


def canonical(period: str) -> str:
    """Upper-case `period` and write a quarter 'YYYY-Qn' (also when given as 'YYYY-Tn'); a text
    that is not a period is returned upper-cased, for the caller's check to refuse."""
    text = (period or "").strip().upper()
    return re.sub(r"^(\d{4})-T([1-4])$", r"\1-Q\2", text)


def is_quarterly(period: str) -> bool:
    return "Q" in canonical(period)


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
