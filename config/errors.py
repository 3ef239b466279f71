"""Kafo's answers to 400, 403, 404 and 500: JSON under /api/ (clients parse it), Kafo pages
elsewhere. They never show settings, secrets or the URL list, DEBUG or not.

The 500 page is rendered without the request's context and touches no database: the failure
may be the database itself.
"""

from django.http import JsonResponse
from django.views import defaults

API_PREFIX = "/api/"


def _api_error(reason: str, status: int) -> JsonResponse:
    return JsonResponse({"errors": [{"field": None, "reason": reason}]}, status=status)


def bad_request(request, exception=None):
    if request.path.startswith(API_PREFIX):
        return _api_error("bad request", 400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if request.path.startswith(API_PREFIX):
        return _api_error("permission denied", 403)
    return defaults.permission_denied(request, exception)


def not_found(request, exception=None):
    if request.path.startswith(API_PREFIX):
        return _api_error("not found", 404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith(API_PREFIX):
        return _api_error("server error", 500)
    return defaults.server_error(request)
