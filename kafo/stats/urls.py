from django.urls import path

from . import views

urlpatterns = [
    path("stats/indicators.xlsx", views.indicators_xlsx, name="stats-indicators-xlsx"),
    path("stats/monthly-report.pdf", views.monthly_report_pdf, name="stats-monthly-report"),
]
