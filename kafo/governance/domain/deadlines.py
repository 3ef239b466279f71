"""Deadlines: when an item becomes late, which reminder is due on a given day.

Reminder calendar for an open item with a deadline D, on day T:

- from D-7 to D-1: one reminder "before" (bucket D-7);
- from D to D+6: one reminder "due" (bucket D);
- from D+7 on, one reminder "overdue" per week (bucket D+7k for the k-th full week late).

A reminder belongs to a window, not to one exact day, so a day the command did not run is
caught up the next day; the (item, kind, bucket) key is what makes a second run send nothing.
"""

from __future__ import annotations

import datetime as dt

OPEN_STATUSES = ("todo", "in_progress", "late")
BEFORE_DAYS = 7
WEEK = 7


def is_late(status: str, deadline: dt.date | None, today: dt.date) -> bool:
    """Return True when an open item (to do, in progress) has passed its deadline."""
    return status in ("todo", "in_progress") and deadline is not None and today > deadline


def is_overdue(status: str, deadline: dt.date | None, today: dt.date) -> bool:
    """Return True when an item still open is past its deadline (late or about to be marked)."""
    return status in OPEN_STATUSES and deadline is not None and today > deadline


def reminder_due(
    status: str, deadline: dt.date | None, today: dt.date
) -> tuple[str, dt.date] | None:
    """Return (kind, bucket) of the reminder due on `today`, or None."""
    if status not in OPEN_STATUSES or deadline is None:
        return None
    days = (today - deadline).days
    if -BEFORE_DAYS <= days < 0:
        return "before", deadline - dt.timedelta(days=BEFORE_DAYS)
    if 0 <= days < WEEK:
        return "due", deadline
    if days >= WEEK:
        weeks = days // WEEK
        return "overdue", deadline + dt.timedelta(days=WEEK * weeks)
    return None
