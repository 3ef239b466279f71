"""Filters of the exchange pages for the values a message carries as text (its payload, the
periods of an answer): an ISO day "2025-03-01" read as a date (for `|date:"d/m/Y"`), a month
"2024-03" shown as people read it, "03/2024" (the house's month notation, as
collection's `period_label`)."""

import datetime as dt
import re

from django import template

register = template.Library()

_MONTH = re.compile(r"(\d{4})-(\d{2})")


@register.filter
def iso_date(value):
    """Return the date of an ISO text "YYYY-MM-DD" (a date is returned as is); "" otherwise."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return ""


@register.filter
def month(value) -> str:
    """Return "03/2024" for "2024-03"; any other text unchanged."""
    match = _MONTH.fullmatch(str(value or ""))
    return f"{match[2]}/{match[1]}" if match else str(value or "")
