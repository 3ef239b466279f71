from django.urls import path

from . import views

urlpatterns = [
    path("me/career/", views.my_career, name="insured-career"),
    path("me/retirement/", views.my_retirement, name="insured-retirement"),
    path("me/retirement/pdf/", views.my_retirement_pdf, name="insured-retirement-pdf"),
    path("me/claims/", views.my_claims, name="insured-claims"),
    path("me/payments/", views.my_payments, name="insured-payments"),
    path(
        "me/payments/statement.pdf",
        views.my_payment_statement,
        name="insured-payment-statement",
    ),
    path("me/claims/<int:pk>/", views.my_claim, name="insured-claim"),
    path(
        "me/claims/<int:pk>/notification.pdf",
        views.my_claim_notification,
        name="insured-claim-notification",
    ),
]
