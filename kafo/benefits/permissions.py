"""Who may do what with benefit claims (role codes of kafo.accounts).

The approval itself also needs authority on the day (a delegation of signature covering the
claim's kind and amount, or the director's role): checked by `claim_decisions.claim_approve`.
"""

from kafo.accounts.models import RoleCode

READ_ROLES = (
    RoleCode.BENEFITS_OFFICER,
    RoleCode.APPROVER,
    RoleCode.PAYMENT_OFFICER,
    RoleCode.DIRECTOR,
    RoleCode.LIAISON_OFFICER,  # asks for periods and forwards a claim from its page (issue 15)
)
HANDLE_ROLES = (RoleCode.BENEFITS_OFFICER,)  # open, checklist, proven periods, compute, submit
DECIDE_ROLES = (RoleCode.APPROVER, RoleCode.DIRECTOR)
PAY_ROLES = (RoleCode.PAYMENT_OFFICER, RoleCode.DIRECTOR)


def can_read_claims(user) -> bool:
    return user.is_authenticated and (user.is_zone_admin or user.has_role(*READ_ROLES))


def can_handle_claims(user) -> bool:
    return user.is_authenticated and user.has_role(*HANDLE_ROLES)


def can_decide_claims(user) -> bool:
    return user.is_authenticated and user.has_role(*DECIDE_ROLES)


def can_start_payment(user) -> bool:
    return user.is_authenticated and user.has_role(*PAY_ROLES)
