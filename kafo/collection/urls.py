from django.urls import path

from . import portal_views, views

urlpatterns: list = [
    path("employer/", portal_views.employer_home, name="collection-employer-home"),
    path("collection/non-filers/", views.non_filer_list, name="collection-non-filer-list"),
    path(
        "collection/non-filers/export.csv",
        views.non_filer_export,
        {"fmt": "csv"},
        name="collection-non-filer-csv",
    ),
    path(
        "collection/non-filers/export.xlsx",
        views.non_filer_export,
        {"fmt": "xlsx"},
        name="collection-non-filer-xlsx",
    ),
]
