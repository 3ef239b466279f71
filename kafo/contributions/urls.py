from django.urls import path

from . import views

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
]
