"""Who may read memberships, enrol members, record their payments (role codes of accounts).

Payments are recorded by one clerk, as an employer's payments are (kafo.contributions.ledger
payment_record: no second signature in this house for money received); a mobile-money
reference is recorded once per means of payment, which is what guards against a double entry.
"""

from kafo.accounts.models import RoleCode
from kafo.accounts.permissions import AGENT_ROLES

JOIN_ROLES = (RoleCode.REGISTRATION_AGENT, RoleCode.CONTRIBUTIONS_MANAGER)


def can_read(user) -> bool:
    return user.is_authenticated and (user.is_zone_admin or user.has_role(*AGENT_ROLES))


def can_join(user) -> bool:
    """Enrol a member, or resume a lapsed membership (an organisation's agent)."""
    return user.is_authenticated and user.organisation_id is not None and user.has_role(*JOIN_ROLES)


def can_record_payment(user) -> bool:
    return (
        user.is_authenticated
        and user.organisation_id is not None
        and user.has_role(RoleCode.CONTRIBUTIONS_MANAGER)
    )


def is_insured(user) -> bool:
    """An insured person's own space (their own membership only)."""
    return user.is_authenticated and user.is_insured_user and bool(user.person_id)
