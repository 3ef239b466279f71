"""Who may do what. Views declare the capability they need; this module maps it to roles."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import RoleCode

AGENT_ROLES = (
    RoleCode.REGISTRATION_AGENT,
    RoleCode.CONTRIBUTIONS_MANAGER,
    RoleCode.BENEFITS_OFFICER,
    RoleCode.APPROVER,
    RoleCode.PAYMENT_OFFICER,
    RoleCode.DIRECTOR,
    RoleCode.LIAISON_OFFICER,
)

CAPABILITIES: dict[str, tuple[str, ...]] = {
    # read the registry of the organisation (persons, employers)
    "registry.view": (*AGENT_ROLES, RoleCode.ZONE_ADMIN),
    # register and correct employers, persons, dependants, employments
    "registry.edit": (RoleCode.REGISTRATION_AGENT,),
    # read the messages exchanged with the other organisations of the zone (kafo/exchange)
    "exchange.view": (
        RoleCode.LIAISON_OFFICER,
        RoleCode.REGISTRATION_AGENT,
        RoleCode.BENEFITS_OFFICER,
        RoleCode.APPROVER,
        RoleCode.DIRECTOR,
    ),
    # send requests, answer them, forward claims, send decisions and death notices
    "exchange.liaise": (RoleCode.LIAISON_OFFICER,),
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


# --- the insured person's own space ------------------------------------------------------------
# An insured user (role `insured`, `User.person` set) is scoped to their organisation like any
# user, and within it reads only their own person's records. Every insured page and API operation
# goes through these two functions; staff capabilities above never name the role, so staff pages
# refuse an insured user (403) — kafo/insured/tests/test_access.py walks every route to prove it.


def check_person_access(user, person_id: int | None) -> None:
    """An insured user sees only their own person's records (the same 404 as a missing one)."""
    if user.is_insured_user and (user.person_id is None or user.person_id != person_id):
        raise Http404


def insured_person(user):
    """Return the insured user's own registry Person (scoped; 404 if none or not an insured)."""
    from kafo.organisations.tenancy import get_for_scope
    from kafo.registry.models import Person

    if not (user.is_authenticated and user.is_insured_user and user.person_id):
        raise Http404
    person = get_for_scope(
        Person, pk=user.person_id, queryset=Person.objects.select_related("organisation__country")
    )
    check_person_access(user, person.pk)
    return person
