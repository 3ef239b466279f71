from django.urls import path

from . import views_in_payment, views_runs, views_statements

urlpatterns: list = [
    # payroll runs (views_runs.py)
    path("payroll/runs/", views_runs.run_list, name="payroll-run-list"),
    path("payroll/runs/prepare/", views_runs.run_prepare, name="payroll-run-prepare"),
    path("payroll/runs/<int:pk>/", views_runs.run_detail, name="payroll-run-detail"),
    path("payroll/runs/<int:pk>/approve/", views_runs.run_approve, name="payroll-run-approve"),
    path("payroll/runs/<int:pk>/freeze/", views_runs.run_freeze, name="payroll-run-freeze"),
    path("payroll/runs/<int:pk>/cancel/", views_runs.run_cancel, name="payroll-run-cancel"),
    path("payroll/runs/<int:pk>/returns/", views_runs.run_returns, name="payroll-run-returns"),
    path(
        "payroll/runs/<int:pk>/files/<int:file_pk>/",
        views_runs.run_file,
        name="payroll-run-file",
    ),
    # benefits in payment and life certificates (views_in_payment.py)
    path("payroll/benefits/", views_in_payment.benefit_list, name="payroll-benefit-list"),
    path(
        "payroll/benefits/<int:pk>/", views_in_payment.benefit_detail, name="payroll-benefit-detail"
    ),
    path(
        "payroll/benefits/<int:pk>/status/",
        views_in_payment.benefit_status,
        name="payroll-benefit-status",
    ),
    path(
        "payroll/benefits/<int:pk>/life-certificate/",
        views_in_payment.certificate_record,
        name="payroll-certificate-record",
    ),
    path(
        "payroll/benefits/<int:pk>/stop/",
        views_in_payment.benefit_stop,
        name="payroll-benefit-stop",
    ),
    path(
        "payroll/benefits/<int:pk>/channel/",
        views_in_payment.benefit_channel,
        name="payroll-benefit-channel",
    ),
    path(
        "payroll/benefits/<int:pk>/death/",
        views_in_payment.benefit_death,
        name="payroll-benefit-death",
    ),
    path(
        "payroll/benefits/<int:pk>/extend/",
        views_in_payment.benefit_extend,
        name="payroll-benefit-extend",
    ),
    path(
        "payroll/overpayments/<int:pk>/recover-from/",
        views_in_payment.overpayment_recover_from,
        name="payroll-overpayment-recover-from",
    ),
    path(
        "payroll/claims/<int:pk>/payment/",
        views_in_payment.claim_payment,
        name="payroll-claim-payment",
    ),
    path(
        "payroll/revaluations/", views_in_payment.revaluation_list, name="payroll-revaluation-list"
    ),
    path(
        "payroll/revaluations/decisions/<int:pk>/",
        views_in_payment.revaluation_prepare,
        name="payroll-revaluation-prepare",
    ),
    path(
        "payroll/revaluations/<int:pk>/apply/",
        views_in_payment.revaluation_apply,
        name="payroll-revaluation-apply",
    ),
    path("payroll/life-certificates/", views_in_payment.campaign, name="payroll-life-campaign"),
    path(
        "payroll/life-certificates/suspend/",
        views_in_payment.campaign_suspend,
        name="payroll-life-campaign-suspend",
    ),
    # a person's payments and statement, a child's allowance documents (views_statements.py)
    path(
        "payroll/persons/<int:pk>/payments/",
        views_statements.person_payments,
        name="payroll-person-payments",
    ),
    path(
        "payroll/persons/<int:pk>/payments/statement.pdf",
        views_statements.person_statement,
        name="payroll-person-statement",
    ),
    path(
        "payroll/children/<int:pk>/documents/",
        views_statements.child_documents,
        name="payroll-child-documents",
    ),
]
