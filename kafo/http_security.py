"""Browser-facing protections Django 5.2 does not ship: a Content-Security-Policy and session
lifetimes (absolute and idle).

Settings: KAFO_CSP, KAFO_CSP_BY_PATH, SESSION_COOKIE_AGE, KAFO_SESSION_IDLE_SECONDS.
"""

import time

from django.conf import settings
from django.contrib.auth import logout

# Session keys (Unix times): when the user logged in, when a request last touched the session.
SESSION_STARTED = "_kafo_session_started"
SESSION_SEEN = "_kafo_session_seen"
# The last-seen time is written at most this often: not a session save on every request.
SEEN_RESOLUTION = 60


def content_security_policy(path: str) -> str:
    """Return the policy for a path: its longest KAFO_CSP_BY_PATH prefix's, else KAFO_CSP."""
    for prefix in sorted(settings.KAFO_CSP_BY_PATH, key=len, reverse=True):
        if path.startswith(prefix):
            return settings.KAFO_CSP_BY_PATH[prefix]
    return settings.KAFO_CSP


class ContentSecurityPolicyMiddleware:
    """Add Content-Security-Policy to every answer that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(request.path)
        return response


def _now() -> float:
    return time.time()


def start_session_clock(session) -> None:
    """Record the login time in the session (saved with the login, no request of its own)."""
    session[SESSION_STARTED] = session[SESSION_SEEN] = _now()


def on_login(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver (connected in kafo/portal/apps.py)."""
    if request is not None and hasattr(request, "session"):
        start_session_clock(request.session)


class SessionLifetimeMiddleware:
    """Log out a session older than SESSION_COOKIE_AGE or idle for KAFO_SESSION_IDLE_SECONDS.

    The session cookie's own expiry cannot do both: it is renewed whenever the session is saved.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            self._check(request)
        return self.get_response(request)

    def _check(self, request) -> None:
        session, now = request.session, _now()
        started = session.get(SESSION_STARTED)
        seen = session.get(SESSION_SEEN)
        if started is None or seen is None:  # a session from before this middleware
            start_session_clock(request.session)
            return
        too_old = now - started > settings.SESSION_COOKIE_AGE
        idle = now - seen > settings.KAFO_SESSION_IDLE_SECONDS
        if too_old or idle:
            logout(request)  # flushes the session; the request goes on as anonymous
        elif now - seen >= SEEN_RESOLUTION:
            session[SESSION_SEEN] = now
