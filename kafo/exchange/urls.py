from django.urls import path

from . import summary_views, views

urlpatterns = [
    path("exchange/", views.inbox, name="exchange-inbox"),
    path("exchange/messages/<int:pk>/", views.message_detail, name="exchange-message-detail"),
    path("persons/<int:pk>/liaison/", views.person_liaison, name="exchange-person"),
    path("persons/<int:pk>/liaison/request/", views.request_create, name="exchange-request"),
    path("persons/<int:pk>/liaison/death/", views.death_notice, name="exchange-death-notice"),
    path(
        "benefits/claims/<int:pk>/liaison/request/",
        views.claim_request,
        name="exchange-claim-request",
    ),
    path(
        "benefits/claims/<int:pk>/liaison/forward/",
        views.claim_forward,
        name="exchange-claim-forward",
    ),
    path(
        "benefits/claims/<int:pk>/liaison/summary.pdf",
        summary_views.claim_summary_pdf,
        name="exchange-claim-summary-pdf",
    ),
    # before issue 15 the liaison requests lived in identity
    path("identity/liaison/", views.old_inbox, name="identity-liaison-inbox"),
    path("identity/liaison/<int:pk>/", views.old_detail, name="identity-liaison-detail"),
]
