"""Who may register and manage partners: a zone administrator (any organisation) or an
organisation's director (its own organisation only)."""

from kafo.accounts.models import RoleCode


def can_manage_partners(user) -> bool:
    return user.is_authenticated and (user.is_zone_admin or user.has_role(RoleCode.DIRECTOR))
