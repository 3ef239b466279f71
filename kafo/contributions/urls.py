from django.urls import path

from . import account_views, views

urlpatterns = [
    path(
        "contributions/declarations/",
        views.declaration_list,
        name="contributions-declaration-list",
    ),
    path(
        "contributions/declarations/new/",
        views.declaration_new,
        name="contributions-declaration-new",
    ),
    path(
        "contributions/declarations/template.xlsx",
        views.declaration_template,
        name="contributions-declaration-template",
    ),
    path(
        "contributions/declarations/<int:pk>/",
        views.declaration_detail,
        name="contributions-declaration-detail",
    ),
    path("contributions/pending/", views.pending_list, name="contributions-pending-list"),
    # Employer account
    path("contributions/accounts/", account_views.account_list, name="contributions-account-list"),
    path(
        "contributions/employers/<int:pk>/account/",
        account_views.account_detail,
        name="contributions-account-detail",
    ),
    path(
        "contributions/employers/<int:pk>/payments/new/",
        account_views.payment_new,
        name="contributions-payment-new",
    ),
    path(
        "contributions/employers/<int:pk>/statement.pdf",
        account_views.statement_pdf,
        name="contributions-account-statement-pdf",
    ),
    path(
        "contributions/employers/<int:pk>/certificate/",
        account_views.certificate_issue,
        name="contributions-certificate-issue",
    ),
    path(
        "contributions/payments/<int:pk>/reverse/",
        account_views.payment_reverse,
        name="contributions-payment-reverse",
    ),
    path(
        "contributions/payments/import/",
        account_views.statement_import,
        name="contributions-statement-import",
    ),
    path(
        "contributions/certificates/<int:pk>/certificate.pdf",
        account_views.certificate_pdf,
        name="contributions-certificate-pdf",
    ),
    path(
        "contributions/certificates/<int:pk>/revoke/",
        account_views.certificate_revoke,
        name="contributions-certificate-revoke",
    ),
    # Public check of a certificate (no login)
    path("verify/", account_views.certificate_verify, name="contributions-certificate-verify"),
    path(
        "verify/<str:code>/",
        account_views.certificate_check,
        name="contributions-certificate-check",
    ),
    # Careers
    path(
        "persons/<int:pk>/career/",
        account_views.person_career,
        name="contributions-person-career",
    ),
]
