from kafo.organisations.tenancy import Scope, use_scope


def scope_for_user(user) -> Scope | None:
    """Return the tenant scope of an authenticated user (None: sees no tenant data)."""
    if not user.is_authenticated:
        return None
    if user.is_zone_admin:
        return Scope(organisation_id=None, zone_wide=True)
    if user.organisation_id is None:
        return None
    return Scope(organisation_id=user.organisation_id)


class TenantScopeMiddleware:
    """Set the tenant scope of each request from its user, for the whole request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        scope = scope_for_user(request.user)
        # An unauthenticated request gets an empty scope: tenant queries return nothing.
        with use_scope(scope or Scope(organisation_id=-1)):
            return self.get_response(request)
