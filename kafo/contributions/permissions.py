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


ACCOUNT_READ_ROLES = (RoleCode.CONTRIBUTIONS_MANAGER, RoleCode.DIRECTOR, RoleCode.ZONE_ADMIN)
CAREER_READ_ROLES = (
    RoleCode.REGISTRATION_AGENT,
    RoleCode.BENEFITS_OFFICER,
    RoleCode.CONTRIBUTIONS_MANAGER,
    RoleCode.DIRECTOR,
    RoleCode.ZONE_ADMIN,
)


def can_read_account(user) -> bool:
    """Agents following accounts, and an employer's portal user (its own account only)."""
    return user.is_authenticated and (
        user.is_zone_admin
        or user.has_role(*ACCOUNT_READ_ROLES)
        or bool(user.is_employer_user and user.employer_id)
    )


def can_record_payments(user) -> bool:
    return user.is_authenticated and user.has_role(RoleCode.CONTRIBUTIONS_MANAGER)


def can_request_certificate(user) -> bool:
    return can_record_payments(user) or bool(
        user.is_authenticated and user.is_employer_user and user.employer_id
    )


def can_read_career(user) -> bool:
    return user.is_authenticated and (user.is_zone_admin or user.has_role(*CAREER_READ_ROLES))
