from django.urls import path

from . import views

urlpatterns = [
    path("persons/<int:pk>/zone/", views.person_zone, name="identity-person-zone"),
    path("persons/<int:pk>/zone/split/", views.person_split, name="identity-person-split"),
    path("identity/changes/<uuid:batch>/undo/", views.changes_undo, name="identity-undo"),
    path("identity/review/", views.review_list, name="identity-review-list"),
    path("identity/review/<int:pk>/", views.review_detail, name="identity-review-detail"),
    path("identity/review/<int:pk>/undo/", views.review_undo, name="identity-review-undo"),
    path("identity/hints/", views.registration_hints, name="identity-hints"),
]
