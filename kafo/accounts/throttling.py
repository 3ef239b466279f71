"""Login throttling: django-axes' database handler with one failure limit per lockout parameter.

`AXES_LOCKOUT_PARAMETERS` lists the combinations axes counts failures by (within the cool-off
time): a username from one address, a username from any address (distributed guessing), an
address whatever the username (password spraying). Axes compares every combination with one
`AXES_FAILURE_LIMIT`; `KAFO_AXES_FAILURE_LIMITS` gives a combination its own limit (an office
behind one address needs more than five failures before every agent is locked out).
"""

from __future__ import annotations

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_parameters, get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def client_address(request) -> str | None:
    """Return the client's address: the peer's, or the one a trusted proxy says it served.

    In production gunicorn listens on loopback behind a TLS proxy (config/gunicorn.conf.py), so
    REMOTE_ADDR is the proxy's for everyone: counting failures per address would lock every
    user at once. When the peer is one of `KAFO_TRUSTED_PROXIES`, the last address of
    X-Forwarded-For (the one that proxy appended) is the client's; from any other peer the
    header is ignored, since anyone can write it.
    """
    peer = request.META.get("REMOTE_ADDR") or None
    if peer in getattr(settings, "KAFO_TRUSTED_PROXIES", ()):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass  # no header, or not an address: count the proxy's
    return peer


def _key(filter_kwargs: dict) -> str:
    return "+".join(filter_kwargs)


class LoginThrottleHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        """Return the failures of the combination nearest its own limit, in units of the base limit.

        The value reaches `AXES_FAILURE_LIMIT` exactly when some combination reaches its own
        limit (floor(f * base / limit) >= base  <=>  f >= limit), so axes' single comparison
        locks at each combination's limit.
        """
        base = get_failure_limit(request, credentials)
        limits = getattr(settings, "KAFO_AXES_FAILURE_LIMITS", {})
        username = get_client_username(request, credentials)
        worst = 0
        for filter_kwargs in get_client_parameters(
            username, request.axes_ip_address, request.axes_user_agent, request, credentials
        ):
            if any(value is None for value in filter_kwargs.values()):
                continue
            attempts = AccessAttempt.objects.filter(**filter_kwargs)
            if settings.AXES_COOLOFF_TIME is not None:
                attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            limit = limits.get(_key(filter_kwargs), base)
            worst = max(worst, failures * base // limit)
        return worst

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """On a successful login, forget this username's failures from this address only.

        Axes' own reset deletes every attempt matching each combination: the address alone
        would wipe the failures a sprayer made on other usernames from that address (log into
        one's own account, spray again), the username alone those made from other addresses.
        Those still count until the cool-off time passes.
        """
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return count
