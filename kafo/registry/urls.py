from django.urls import path

from . import views

urlpatterns = [
    path("search/", views.search, name="search"),
    path("persons/new/", views.person_create, name="person-create"),
    path("persons/<int:pk>/", views.person_detail, name="person-detail"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("persons/<int:pk>/dependants/new/", views.dependant_add, name="dependant-add"),
    path("dependants/<int:pk>/edit/", views.dependant_edit, name="dependant-edit"),
    path("dependants/<int:pk>/delete/", views.dependant_delete, name="dependant-delete"),
    path("persons/<int:pk>/employments/new/", views.employment_add, name="employment-add"),
    path("employments/<int:pk>/edit/", views.employment_edit, name="employment-edit"),
    path("employments/<int:pk>/delete/", views.employment_delete, name="employment-delete"),
    path("employers/new/", views.employer_create, name="employer-create"),
    path("employers/<int:pk>/", views.employer_detail, name="employer-detail"),
    path("employers/<int:pk>/edit/", views.employer_edit, name="employer-edit"),
    path(
        "employers/<int:pk>/establishments/new/",
        views.establishment_add,
        name="establishment-add",
    ),
]
