from django.urls import path

from . import views

P = "governance/"

urlpatterns = [
    path(P, views.body_list, name="governance-body-list"),
    path(f"{P}bodies/new/", views.body_create, name="governance-body-create"),
    path(f"{P}bodies/<int:pk>/", views.body_detail, name="governance-body-detail"),
    path(f"{P}bodies/<int:pk>/members/new/", views.member_add, name="governance-member-add"),
    path(
        f"{P}bodies/<int:pk>/sessions/new/", views.session_create, name="governance-session-create"
    ),
    path(f"{P}sessions/<int:pk>/", views.session_detail, name="governance-session-detail"),
    path(f"{P}sessions/<int:pk>/edit/", views.session_edit, name="governance-session-edit"),
    path(
        f"{P}sessions/<int:pk>/minutes/", views.session_minutes, name="governance-session-minutes"
    ),
    path(
        f"{P}sessions/<int:pk>/pack.<str:fmt>",
        views.session_pack,
        name="governance-session-pack",
    ),
    path(
        f"{P}sessions/<int:pk>/decisions/new/",
        views.decision_create,
        name="governance-decision-create",
    ),
    path(f"{P}decisions/<int:pk>/", views.decision_detail, name="governance-decision-detail"),
    path(f"{P}decisions/<int:pk>/edit/", views.decision_edit, name="governance-decision-edit"),
    path(
        f"{P}decisions/<int:pk>/status/", views.decision_status, name="governance-decision-status"
    ),
    path(
        f"{P}decisions/<int:pk>/delegations/new/",
        views.delegation_create,
        name="governance-delegation-create",
    ),
    path(f"{P}evidence/<int:pk>/", views.evidence_file, name="governance-evidence-file"),
    path(f"{P}delegations/", views.delegation_list, name="governance-delegation-list"),
    path(f"{P}follow-up/", views.follow_up, name="governance-follow-up"),
    path(f"{P}plans/", views.plan_list, name="governance-plan-list"),
    path(f"{P}plans/new/", views.plan_create, name="governance-plan-create"),
    path(f"{P}plans/<int:pk>/", views.plan_detail, name="governance-plan-detail"),
    path(f"{P}plans/<int:pk>/priorities/new/", views.priority_add, name="governance-priority-add"),
    path(
        f"{P}plans/<int:pk>/indicators/new/", views.indicator_add, name="governance-indicator-add"
    ),
    path(f"{P}priorities/<int:pk>/actions/new/", views.action_add, name="governance-action-add"),
    path(f"{P}actions/<int:pk>/status/", views.action_status, name="governance-action-status"),
    path(f"{P}indicators/<int:pk>/measures/new/", views.measure_add, name="governance-measure-add"),
]
