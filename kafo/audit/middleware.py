import ipaddress

from django.conf import settings

from .context import acting_as, actor_for


def client_ip(request) -> str | None:
    """Return the client's address: the peer's, or the one a trusted proxy says it served.

    In production gunicorn listens on loopback behind a TLS proxy (config/gunicorn.conf.py), so
    REMOTE_ADDR is the proxy's for everyone: the audit trail would show one address, and login
    throttling per address would lock every user at once. When the peer is one of
    `KAFO_TRUSTED_PROXIES`, the last address of X-Forwarded-For (the one that proxy appended) is
    the client's; from any other peer the header is ignored, since anyone can write it.
    """
    peer = request.META.get("REMOTE_ADDR") or None
    if peer in getattr(settings, "KAFO_TRUSTED_PROXIES", ()):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass  # no header, or not an address: the proxy's
    return peer


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_as(actor_for(request.user, client_ip(request))):
            return self.get_response(request)
