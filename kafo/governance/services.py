"""Writes of governance: each atomic, validated, audited. Views, the API and the daily
command call only these.

They live by entity (this module re-exports every public name, so callers import from here):

- bodies: bodies, their members and their sessions;
- decisions: decisions taken in session, their edits and status history;
- delegations: delegations of signature granted by a decision;
- plans: plans, priorities, actions, indicators and their measures;
- reminders: the daily follow-up (late items, reminders to owners);
- checks and trail: what every write checks first, and the audit of rows that carry a file.
"""

from __future__ import annotations

from .bodies import body_create, body_member_add, session_create, session_update
from .checks import FILE_EXTENSIONS, MANUAL_STATUSES, MAX_FILE_BYTES
from .decisions import decision_create, decision_set_status, decision_update
from .delegations import delegation_grant
from .plans import (
    action_add,
    action_set_status,
    indicator_add,
    indicator_measure_record,
    plan_create,
    priority_add,
)
from .reminders import items_mark_late, reminders_send

__all__ = [
    "FILE_EXTENSIONS",
    "MANUAL_STATUSES",
    "MAX_FILE_BYTES",
    "action_add",
    "action_set_status",
    "body_create",
    "body_member_add",
    "decision_create",
    "decision_set_status",
    "decision_update",
    "delegation_grant",
    "indicator_add",
    "indicator_measure_record",
    "items_mark_late",
    "plan_create",
    "priority_add",
    "reminders_send",
    "session_create",
    "session_update",
]
