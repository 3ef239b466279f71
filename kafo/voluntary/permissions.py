"""Who may read memberships, enrol members, record their payments (role codes of accounts).

Payments are recorded by one clerk, as an employer's payments are (kafo.contributions.ledger
payment_record: no second signature in this house for money received); a mobile-money
reference is recorded once per means of payment, which is what guards against a double entry.
"""

from django.http import Http404

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


def shows_own_space(user) -> bool:
    """The menu entry of the insured's own voluntary insurance: a member, or someone who could
    join (offered by the organisation, no salaried job open today). A salaried worker does not
    see it."""
    if not is_insured(user):
        return False
    from kafo.accounts.permissions import insured_person

    from .selectors import may_join_or_is_member

    try:
        person = insured_person(user)
    except Http404:
        return False
    return may_join_or_is_member(person)
