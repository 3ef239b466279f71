from django.urls import path

from . import views

urlpatterns = [
    path("rules/", views.version_list, name="rules-version-list"),
    path("rules/add/<str:kind>/", views.version_add, name="rules-version-add"),
]
