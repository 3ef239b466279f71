"""Birth dates known with a precision: exact day, month only, or year only. No Django here.

"Born about 1961" is common in the zone: such a date is stored as 1961-01-01 with precision
`year`; comparisons use the whole interval the date may stand for.
"""

from __future__ import annotations

import calendar
import datetime as dt
from enum import StrEnum


class Precision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


def normalise(date: dt.date, precision: Precision) -> dt.date:
    """Return the stored form of a date: first day of the month or of the year if imprecise."""
    if precision == Precision.YEAR:
        return date.replace(month=1, day=1)
    if precision == Precision.MONTH:
        return date.replace(day=1)
    return date


def interval(date: dt.date, precision: Precision) -> tuple[dt.date, dt.date]:
    """Return the earliest and latest real dates the recorded date may stand for."""
    if precision == Precision.YEAR:
        return dt.date(date.year, 1, 1), dt.date(date.year, 12, 31)
    if precision == Precision.MONTH:
        last = calendar.monthrange(date.year, date.month)[1]
        return date.replace(day=1), date.replace(day=last)
    return date, date


def certainly_before(
    a: dt.date, a_precision: Precision, b: dt.date, b_precision: Precision
) -> bool:
    """True if the first date is certainly earlier than the second, whatever their precision."""
    return interval(a, a_precision)[1] < interval(b, b_precision)[0]


def display(date: dt.date | None, precision: Precision) -> str:
    if date is None:
        return ""
    if precision == Precision.YEAR:
        return f"vers {date.year}"
    if precision == Precision.MONTH:
        return f"{date.month:02d}/{date.year}"
    return date.strftime("%d/%m/%Y")


def parse(text: str) -> tuple[dt.date, Precision]:
    """Parse `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, `MM/YYYY` or `DD/MM/YYYY`."""
    text = (text or "").strip()
    for fmt, precision in (
        ("%Y-%m-%d", Precision.DAY),
        ("%d/%m/%Y", Precision.DAY),
        ("%Y-%m", Precision.MONTH),
        ("%m/%Y", Precision.MONTH),
        ("%Y", Precision.YEAR),
    ):
        try:
            return dt.datetime.strptime(text, fmt).date(), precision
        except ValueError:
            continue
    raise ValueError(f"unrecognised date: {text!r}")
