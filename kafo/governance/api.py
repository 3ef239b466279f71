"""Governance JSON API: decisions and plans, read; a decision's status, written."""

from ninja import Router
from ninja.errors import HttpError

from kafo.api_errors import ERRORS
from kafo.organisations.tenancy import get_for_scope

from . import selectors, services
from .access import can_read, can_update_status
from .models import Decision, Plan
from .schemas import DecisionDetailOut, DecisionOut, DecisionStatusIn, PlanDetailOut, PlanOut

router = Router(tags=["governance"])


def _need_read(request) -> None:
    if not can_read(request.user):
        raise HttpError(403, "forbidden")


def _decision(pk: int) -> Decision:
    return get_for_scope(
        Decision,
        queryset=Decision.objects.select_related("session__body", "organisation"),
        pk=pk,
    )


def _decision_detail(decision: Decision) -> Decision:
    decision.history_rows = list(selectors.decision_history(decision))
    return decision


@router.get(
    "/governance/decisions",
    response={200: list[DecisionOut], **ERRORS},
    url_name="api-governance-decisions",
)
def decision_list(request, status: str | None = None):
    _need_read(request)
    return selectors.decision_list(status=status).select_related("organisation")


@router.get(
    "/governance/decisions/{int:decision_id}",
    response={200: DecisionDetailOut, **ERRORS},
    url_name="api-governance-decision",
)
def decision_detail(request, decision_id: int):
    _need_read(request)
    return _decision_detail(_decision(decision_id))


@router.post(
    "/governance/decisions/{int:decision_id}/status",
    response={200: DecisionDetailOut, **ERRORS},
    url_name="api-governance-decision-status",
)
def decision_status(request, decision_id: int, payload: DecisionStatusIn):
    """Record a new status. Marking done needs evidence already attached (upload it from the
    decision's page); an open decision past its deadline stays late."""
    _need_read(request)
    decision = _decision(decision_id)
    if not can_update_status(request.user, decision):
        raise HttpError(403, "forbidden")
    services.decision_set_status(
        decision=decision,
        status=payload.status,
        by=request.user,
        note=payload.note,
        follow_up_note=payload.follow_up_note,
    )
    return _decision_detail(_decision(decision_id))


@router.get(
    "/governance/plans", response={200: list[PlanOut], **ERRORS}, url_name="api-governance-plans"
)
def plan_list(request):
    _need_read(request)
    return selectors.plan_list()


@router.get(
    "/governance/plans/{int:plan_id}",
    response={200: PlanDetailOut, **ERRORS},
    url_name="api-governance-plan",
)
def plan_detail(request, plan_id: int):
    _need_read(request)
    plan = get_for_scope(Plan, queryset=Plan.objects.select_related("organisation"), pk=plan_id)
    view = selectors.plan_rollup(plan)
    plan.rollup = view.rollup
    plan.priority_rows = view.priorities
    return plan
