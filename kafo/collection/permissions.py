"""Who may follow collection: the contributions managers (kafo.contributions' roles)."""

from kafo.accounts.models import RoleCode

FOLLOW_UP_ROLES = (RoleCode.CONTRIBUTIONS_MANAGER,)


def can_follow_non_filers(user) -> bool:
    """The non-filers list and its exports: contributions managers of an organisation."""
    return bool(
        user.is_authenticated
        and user.organisation_id is not None
        and user.has_role(*FOLLOW_UP_ROLES)
    )
