"""Pure arithmetic of the indicators (no Django): ratios that never divide by zero, medians,
periods. A value is None when there is nothing to measure ("pas encore de données")."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal

SIX_PLACES = Decimal("0.000001")


def ratio(numerator, denominator) -> Decimal | None:
    """Return numerator / denominator to 6 decimals, or None when either is missing or the
    denominator is zero (no data: never a made-up 0 or an error)."""
    if numerator is None or denominator is None:
        return None
    denominator = Decimal(denominator)
    if denominator == 0:
        return None
    return (Decimal(numerator) / denominator).quantize(SIX_PLACES, rounding=ROUND_HALF_EVEN)


def median(values: list) -> Decimal | None:
    """Return the median of `values` (mean of the two middle ones for an even count), or None."""
    if not values:
        return None
    ordered = sorted(Decimal(v) for v in values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle].quantize(SIX_PLACES)
    return ((ordered[middle - 1] + ordered[middle]) / 2).quantize(SIX_PLACES)


def month_bounds(period: str) -> tuple[dt.date, dt.date]:
    """Return the first and last day of month `period` ("YYYY-MM")."""
    year, month = int(period[:4]), int(period[5:7])
    start = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return start, following - dt.timedelta(days=1)


def quarter_of(period: str) -> str:
    """Return the quarter ("YYYY-Qn") containing month `period`."""
    return f"{period[:4]}-Q{(int(period[5:7]) - 1) // 3 + 1}"


def months_back(period: str, count: int) -> list[str]:
    """Return the `count` months ending with `period`, oldest first."""
    year, month = int(period[:4]), int(period[5:7])
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return out[::-1]


def previous_month(on: dt.date) -> str:
    """Return the month before the one of `on` ("YYYY-MM")."""
    first = on.replace(day=1) - dt.timedelta(days=1)
    return first.strftime("%Y-%m")


def years_before(day: dt.date, years: int) -> dt.date:
    """Return `day` `years` years earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
