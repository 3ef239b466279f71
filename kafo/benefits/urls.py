from django.urls import path

from . import views

urlpatterns = [
    path(
        "benefits/persons/<int:pk>/retirement/",
        views.person_retirement_page,
        name="benefits-person-retirement",
    ),
    path(
        "benefits/persons/<int:pk>/retirement/pdf/",
        views.person_retirement_pdf,
        name="benefits-person-retirement-pdf",
    ),
    path("benefits/persons/<int:pk>/claims/new/", views.claim_open, name="benefits-claim-open"),
    path("benefits/claims/", views.claim_list, name="benefits-claim-list"),
    path("benefits/approvals/", views.approval_queue, name="benefits-approval-queue"),
    path("benefits/claims/<int:pk>/", views.claim_detail, name="benefits-claim-detail"),
    path(
        "benefits/claims/<int:pk>/documents/",
        views.claim_documents,
        name="benefits-claim-documents",
    ),
    path("benefits/claims/<int:pk>/proven/", views.claim_add_proven, name="benefits-claim-proven"),
    path("benefits/claims/<int:pk>/compute/", views.claim_compute, name="benefits-claim-compute"),
    path("benefits/claims/<int:pk>/submit/", views.claim_submit, name="benefits-claim-submit"),
    path("benefits/claims/<int:pk>/approve/", views.claim_approve, name="benefits-claim-approve"),
    path("benefits/claims/<int:pk>/reject/", views.claim_reject, name="benefits-claim-reject"),
    path("benefits/claims/<int:pk>/revise/", views.claim_revise, name="benefits-claim-revise"),
    path(
        "benefits/claims/<int:pk>/trace.pdf", views.claim_trace_pdf, name="benefits-claim-trace-pdf"
    ),
    path(
        "benefits/claims/<int:pk>/notification.pdf",
        views.claim_notification_pdf,
        name="benefits-claim-notification-pdf",
    ),
]
