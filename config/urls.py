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


# config/errors.py: Kafo pages (JSON under /api/) instead of Django's.
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.not_found"
handler500 = "config.errors.server_error"
