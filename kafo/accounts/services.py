"""Writes of accounts: API tokens are issued and revoked here, each atomic and audited."""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kafo.audit import services as audit
from kafo.audit.context import current_actor
from kafo.audit.models import AuditAction

from .models import ApiToken, User, default_token_expiry

log = logging.getLogger(__name__)

TOKEN_PREFIX = "kafo_"  # noqa: S105 - the visible start of every token, not a secret


def _now() -> dt.datetime:
    return timezone.now()


def _audit(token: ApiToken, action: str, changes: dict) -> None:
    """Record the token's event in its owner's organisation trail (a zone user's: in the log)."""
    if token.user.organisation_id is None:
        log.warning(
            "api token %s %s for zone user %s by %s",
            token.pk,
            action,
            token.user.get_username(),
            current_actor().label,
        )
        return
    audit.record_change(action=action, instance=token, changes=changes, subject=token.user)


@transaction.atomic
def token_issue(
    *, user: User, name: str, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token for `user` and return it with its raw value, which is shown only once."""
    name = (name or "").strip()
    expires_at = expires_at or default_token_expiry()
    errors = {}
    if not name:
        errors["name"] = _("Le nom du jeton est obligatoire.")
    if expires_at <= _now():
        errors["expires_at"] = _("La date d'expiration doit être dans le futur.")
    if errors:
        raise ValidationError(errors)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:12],
        digest=ApiToken.digest_of(raw),
        expires_at=expires_at,
    )
    _audit(
        token,
        AuditAction.CREATE,
        {
            "name": [None, token.name],
            "prefix": [None, token.prefix],
            "expires_at": [None, str(token.expires_at)],
        },
    )
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke the token from now on (revoking twice changes nothing)."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = _now()
        token.save(update_fields=["revoked_at"])
        _audit(token, AuditAction.UPDATE, {"revoked_at": [None, str(token.revoked_at)]})
    return token
