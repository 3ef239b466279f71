"""Who may do what. Views declare the capability they need; this module maps it to roles."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .models import RoleCode

AGENT_ROLES = (
    RoleCode.REGISTRATION_AGENT,
    RoleCode.CONTRIBUTIONS_MANAGER,
    RoleCode.BENEFITS_OFFICER,
    RoleCode.APPROVER,
    RoleCode.PAYMENT_OFFICER,
    RoleCode.DIRECTOR,
)

CAPABILITIES: dict[str, tuple[str, ...]] = {
    # read the registry of the organisation (persons, employers)
    "registry.view": (*AGENT_ROLES, RoleCode.ZONE_ADMIN),
    # register and correct employers, persons, dependants, employments
    "registry.edit": (RoleCode.REGISTRATION_AGENT,),
}


def can(user, capability: str) -> bool:
    if not user.is_authenticated:
        return False
    return user.has_role(*CAPABILITIES[capability]) or (
        user.is_superuser and RoleCode.ZONE_ADMIN in CAPABILITIES[capability]
    )


def require(user, capability: str) -> None:
    if not can(user, capability):
        raise PermissionDenied


def capability_required(capability: str):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            require(request.user, capability)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
