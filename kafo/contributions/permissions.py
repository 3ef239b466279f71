"""Who may read and submit declarations (role codes of kafo.accounts)."""

from django.http import Http404

from kafo.accounts.models import RoleCode

READ_ROLES = (
    RoleCode.CONTRIBUTIONS_MANAGER,
    RoleCode.DIRECTOR,
    RoleCode.REGISTRATION_AGENT,
    RoleCode.BENEFITS_OFFICER,
    RoleCode.ZONE_ADMIN,
)


def can_read(user) -> bool:
    return user.is_authenticated and (
        user.is_zone_admin
        or user.has_role(*READ_ROLES)
        or bool(user.is_employer_user and user.employer_id)
    )


def can_submit(user) -> bool:
    return user.is_authenticated and (
        user.has_role(RoleCode.CONTRIBUTIONS_MANAGER)
        or bool(user.is_employer_user and user.employer_id)
    )


def check_employer_access(user, employer_id: int) -> None:
    """An employer's portal user sees only its own employer's records (404 otherwise)."""
    if user.is_employer_user and user.employer_id != employer_id:
        raise Http404
