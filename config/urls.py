from django.contrib import admin
from django.urls import include, path

from config.api import api
from config.domains import DOMAIN_APPS

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("kafo.accounts.urls")),
    path("", include("kafo.portal.urls")),
    *[path("", include(f"kafo.{app}.urls")) for app in DOMAIN_APPS],
]


def _not_found(request, exception=None):
    """Answer 404 in JSON under /api/ (clients parse it), as a page elsewhere."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"errors": [{"field": None, "reason": "not found"}]}, status=404)
    return page_not_found(request, exception)


handler404 = _not_found
