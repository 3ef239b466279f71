from django.urls import path

from . import views_partners as partners
from .crvs import views as crvs
from .registry_api import views as registry

urlpatterns: list = [
    # the SPDCI endpoints, at the standard's paths (registry_api/views.py)
    path("oauth2/client/token", registry.token, name="interop-token"),
    path(".well-known/jwks.json", registry.jwks, name="interop-jwks"),
    path("registry/sync/search", registry.sync_search, name="interop-sync-search"),
    path("registry/search", registry.search, name="interop-search"),
    path("registry/subscribe", registry.subscribe, name="interop-subscribe"),
    path("registry/unsubscribe", registry.unsubscribe, name="interop-unsubscribe"),
    path("registry/txn/status", registry.txn_status, name="interop-txn-status"),
    path("registry/sync/txn/status", registry.sync_txn_status, name="interop-sync-txn-status"),
    path("registry/<path:rest>", registry.unknown, name="interop-unknown"),
    # partners: staff pages (views_partners.py)
    path("interop/partenaires/", partners.partner_list, name="interop-partner-list"),
    path("interop/partenaires/nouveau/", partners.partner_create, name="interop-partner-create"),
    path("interop/partenaires/<int:pk>/", partners.partner_detail, name="interop-partner-detail"),
    path(
        "interop/partenaires/<int:pk>/secret/",
        partners.partner_secret,
        name="interop-partner-secret",
    ),
    path(
        "interop/partenaires/<int:pk>/actif/",
        partners.partner_active,
        name="interop-partner-active",
    ),
    # the civil registry's callbacks; deaths to review, notifications sent (crvs/views.py)
    path("crvs/callback", crvs.crvs_callback, name="interop-crvs-callback"),
    path("interop/deces/", crvs.death_review_list, name="interop-death-review"),
    path("interop/deces/<int:pk>/decision", crvs.death_review_decide, name="interop-death-decide"),
    path("interop/notifications/", crvs.notification_list, name="interop-notifications"),
]
