"""Login throttling: django-axes' database handler with one failure limit per lockout parameter.

`AXES_LOCKOUT_PARAMETERS` lists the combinations axes counts failures by (within the cool-off
time): a username from one address, a username from any address (distributed guessing), an
address whatever the username (password spraying). Axes compares every combination with one
`AXES_FAILURE_LIMIT`; `KAFO_AXES_FAILURE_LIMITS` gives a combination its own limit (an office
behind one address needs more than five failures before every agent is locked out).
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_parameters, get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum

from kafo.audit.middleware import client_ip

# The one place the client's address is read (a trusted proxy's X-Forwarded-For): the audit
# trail's and login throttling's are the same.
client_address = client_ip


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
