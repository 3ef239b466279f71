"""Who may do what with benefits in payment (role codes of kafo.accounts).

The payment officer prepares (puts in payment, suspends, resumes, changes the channel, records
life certificates and deaths, runs the campaign's suspension); approver and director read, and
decide what the benefits app decides (claims, revaluations by a board decision).
"""

from kafo.accounts.models import RoleCode

READ_ROLES = (
    RoleCode.PAYMENT_OFFICER,
    RoleCode.APPROVER,
    RoleCode.DIRECTOR,
    RoleCode.BENEFITS_OFFICER,
)
PREPARE_ROLES = (RoleCode.PAYMENT_OFFICER,)
APPROVE_ROLES = (RoleCode.APPROVER, RoleCode.DIRECTOR)


def can_read_payments(user) -> bool:
    return user.is_authenticated and (user.is_zone_admin or user.has_role(*READ_ROLES))


def can_prepare_payments(user) -> bool:
    return user.is_authenticated and user.has_role(*PREPARE_ROLES)


def can_approve_payments(user) -> bool:
    return user.is_authenticated and user.has_role(*APPROVE_ROLES)
