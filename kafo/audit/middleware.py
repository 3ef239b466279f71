from .context import acting_as, actor_for


def client_ip(request) -> str | None:
    # Behind a reverse proxy, production sets the real address in REMOTE_ADDR (e.g. gunicorn
    # --forwarded-allow-ips); trusting X-Forwarded-For blindly would let anyone forge it.
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_as(actor_for(request.user, client_ip(request))):
            return self.get_response(request)
