from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer

from kafo.audit.context import actor_for, set_actor
from kafo.audit.middleware import client_ip
from kafo.organisations.middleware import scope_for_user
from kafo.organisations.tenancy import Scope, _current_scope

from .models import ApiToken


def _enter(request, user) -> bool:
    """Bind the request's tenant scope and audit actor to this user (reset by the middleware)."""
    scope = scope_for_user(user)
    if scope is None:
        return False
    request.user = user
    _current_scope.set(scope)
    set_actor(actor_for(user, client_ip(request)))
    return True


class TokenRefused(AuthenticationError):
    """A known token that may not authenticate (revoked, expired): 401 with the reason."""

    def __init__(self, reason: str):
        super().__init__(401, reason)
        self.reason = reason


class TokenAuth(HttpBearer):
    """Machine clients: `Authorization: Bearer kafo_...`."""

    def authenticate(self, request, token):
        row = (
            ApiToken.objects.select_related("user").filter(digest=ApiToken.digest_of(token)).first()
        )
        if row is None:
            return None
        now = timezone.now()
        refusal = row.refusal(now)
        if refusal is not None:
            raise TokenRefused(refusal)
        if not _enter(request, row.user):
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        return row.user


class SessionAuth(APIKeyCookie):
    """The web pages' own session (CSRF-checked for writes)."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not _enter(request, user):
            return None
        return user


def ApiAuth():  # noqa: N802 - reads as a class at the call site
    return [TokenAuth(), SessionAuth()]


__all__ = ["ApiAuth", "Scope"]
