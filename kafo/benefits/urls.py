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
]
