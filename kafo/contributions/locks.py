"""How concurrent declarations are kept apart: one declaration in force per employer and
period, whatever the path (page, API, bulk import), however many submit at once.

The import (services._store) locks its employers' rows at the start of its transaction and reads
the existing declarations after the lock; the partial unique index `uniq_declaration_in_force`
is the database's own guard should anything get past it (docs/contributions.md, Declarations).
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection

from kafo.registry.models import Employer

from .domain.periods import overlapping
from .models import Channel, DeclarationStatus


def lock_wait(channel: str) -> float:
    """Seconds a submission waits for an employer another submission is storing: a person at
    a page or an API client is answered "en cours" soon; a bulk import waits its turn."""
    if channel == Channel.BULK:
        return settings.KAFO_DECLARATION_LOCK_WAIT_BULK
    return settings.KAFO_DECLARATION_LOCK_WAIT


def lock_employers(employer_ids: list[int], *, wait: float) -> None:
    """Hold the employers' rows until the transaction ends, so that two submissions for one
    employer are stored one after the other, whatever the path (page, API, bulk import), and
    the second sees the first. Rows are locked in id order (no deadlock between two bulk files)
    and FOR NO KEY UPDATE (inserts that refer to the employer are not blocked).

    SQLite needs no row lock: its transactions here are IMMEDIATE, one writer at a time, and
    `_store` reads inside its transaction.
    """
    if connection.vendor != "postgresql" or not employer_ids:
        return
    ids = sorted(employer_ids)
    with connection.cursor() as cur:
        cur.execute("SET LOCAL lock_timeout = %s", [f"{int(wait * 1000)}ms"])
        for start in range(0, len(ids), 10_000):
            chunk = ids[start : start + 10_000]
            cur.execute(
                f"SELECT id FROM {Employer._meta.db_table} WHERE id = ANY(%s) ORDER BY id "  # noqa: S608 - a table name, not input
                "FOR NO KEY UPDATE",
                [chunk],
            )
            cur.fetchall()
        cur.execute("SET LOCAL lock_timeout = DEFAULT")


def is_declaration_clash(exc: IntegrityError) -> bool:
    text = str(exc)
    return "uniq_declaration" in text or "contributions_declaration." in text


def is_lock_timeout(exc: OperationalError) -> bool:
    cause = getattr(exc, "__cause__", None)
    return getattr(cause, "sqlstate", None) == "55P03"  # lock_not_available


def overlap(g: dict, existing: dict, in_file: dict) -> str | None:
    """Return another period of this employer that shares a month with g's period and is in
    force or in the same submission, else None."""
    for other in overlapping(g["period"])[1:]:
        if other in in_file.get(g["employer_id"], ()):
            return other
        if any(
            d.status == DeclarationStatus.IN_FORCE
            for d in existing.get((g["employer_id"], other), [])
        ):
            return other
    return None
