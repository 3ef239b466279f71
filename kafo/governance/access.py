"""Who may do what in governance.

- Directors (and zone administrators) manage bodies, sessions, decisions, plans, delegations.
- Every agent of the organisation reads.
- The owner of a decision or an action (its linked user) updates that item's status.

Employer portal users see nothing here. The tenant scope (which organisation) is enforced
separately by the models' managers; these checks only say which role may act.
"""

from __future__ import annotations

from kafo.accounts.models import RoleCode

READER_ROLES = (
    RoleCode.REGISTRATION_AGENT,
    RoleCode.CONTRIBUTIONS_MANAGER,
    RoleCode.BENEFITS_OFFICER,
    RoleCode.APPROVER,
    RoleCode.PAYMENT_OFFICER,
    RoleCode.DIRECTOR,
    RoleCode.ZONE_ADMIN,
)


def can_read(user) -> bool:
    if not user.is_authenticated or user.is_employer_user:
        return False
    return user.is_zone_admin or (user.organisation_id is not None and user.has_role(*READER_ROLES))


def can_manage(user) -> bool:
    if not user.is_authenticated or user.is_employer_user:
        return False
    return user.is_zone_admin or (
        user.organisation_id is not None and user.has_role(RoleCode.DIRECTOR)
    )


def is_owner(user, item) -> bool:
    return (
        user.is_authenticated and item.owner_user_id is not None and item.owner_user_id == user.pk
    )


def can_update_status(user, item) -> bool:
    """Return True for a manager, or for the owner of `item` (an agent of the organisation)."""
    return can_manage(user) or (can_read(user) and is_owner(user, item))
