"""Refuse NUL characters in any request, in one place.

PostgreSQL text cannot hold U+0000: such a value reaching a query raises a database error,
and the request would answer 500. A clear 400 at the door instead.
"""

from django.http import HttpResponseBadRequest, JsonResponse

_NUL_MARKERS = (b"\x00", b"\\u0000", b"%00")


def _has_nul(request) -> bool:
    if any(m in request.META.get("QUERY_STRING", "").encode() for m in (b"\x00", b"%00")):
        return True
    # Files (multipart uploads) may hold NUL bytes legitimately; text bodies may not.
    text_body = request.content_type in ("application/json", "application/x-www-form-urlencoded")
    if text_body and request.method in ("POST", "PUT", "PATCH"):
        return any(m in request.body for m in _NUL_MARKERS)
    return "\x00" in request.path


class NulCharacterGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            reason = "NUL character (U+0000) not allowed"
            if request.path.startswith("/api/"):
                return JsonResponse({"errors": [{"field": None, "reason": reason}]}, status=400)
            return HttpResponseBadRequest(reason)
        return self.get_response(request)
