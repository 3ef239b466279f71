"""Reads of the notices sent to employers: for the staff account page and the employer's page.

Scoped by the employer given (whose organisation the caller already checked: the account page
fetches it with get_for_scope); one query whatever the number of notices (the message rows are
joined, their status mirrored on each notice).
"""

from __future__ import annotations

from .models import Notice

NOTICES_SHOWN = 50  # the most recent; older ones stay in the database and the audit trail


def notices_for(employer, *, limit: int = NOTICES_SHOWN) -> list[Notice]:
    """Return the employer's notices, most recent first: kind, period, channel, recipient,
    `current_status` (the message's status: queued, sent, delivered, failed, refused…) and
    `issued_on`."""
    return list(
        Notice.unscoped.filter(organisation_id=employer.organisation_id, employer_id=employer.pk)
        .select_related("sms", "email")
        .order_by("-issued_on", "-id")[:limit]
    )
