"""Reads of governance, always through the scoped managers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .domain import deadlines, progress
from .models import (
    CLOSED_STATUSES,
    Action,
    Body,
    Decision,
    Delegation,
    Plan,
    Session,
    Status,
)


def _today() -> dt.date:
    return timezone.localdate()


def effective_status(status: str, deadline: dt.date | None, today: dt.date) -> str:
    """Return the status to show: an open item past its deadline is late even before the
    daily command has recorded it."""
    return Status.LATE if deadlines.is_late(status, deadline, today) else status


def _annotate(items, today: dt.date, deadline_attr: str = "deadline"):
    for item in items:
        deadline = getattr(item, deadline_attr)
        item.shown_status = effective_status(item.status, deadline, today)
        item.shown_status_label = Status(item.shown_status).label
        item.overdue = deadlines.is_overdue(item.status, deadline, today)
    return items


def body_list() -> QuerySet[Body]:
    return Body.objects.select_related("organisation").annotate(
        session_count=Count("sessions", distinct=True)
    )


def body_sessions(body: Body) -> QuerySet[Session]:
    return body.sessions.annotate(decision_count=Count("decisions")).order_by("-date")


def session_decisions(session: Session, *, today: dt.date | None = None) -> list[Decision]:
    rows = list(
        Decision.objects.filter(session=session)
        .select_related("session", "owner_user")
        .order_by("number")
    )
    return _annotate(rows, today or _today())


def decision_list(*, status: str | None = None) -> QuerySet[Decision]:
    qs = Decision.objects.select_related("session__body").order_by("-session__date", "number")
    if status:
        qs = qs.filter(status=status)
    return qs


def decision_history(decision: Decision):
    return decision.history.select_related("by").order_by("date", "recorded_at", "pk")


# --- board pack -----------------------------------------------------------------------------

PACK_ORDER = {Status.LATE: 0, Status.IN_PROGRESS: 1, Status.TODO: 2, Status.DONE: 3,
              Status.DROPPED: 4}  # fmt: skip


def board_pack(session: Session, *, today: dt.date | None = None) -> list[Decision]:
    """Return the decisions that `session` must review, late ones first.

    That is every decision of earlier sessions of the same body still open, plus those closed
    (done or dropped) since the previous session, so the board sees what was achieved.
    Within a status: by deadline (none last), then by session and number.
    """
    today = today or _today()
    previous = (
        Session.objects.filter(body_id=session.body_id, date__lt=session.date)
        .order_by("-date", "-number")
        .first()
    )
    earlier = Decision.objects.filter(
        session__body_id=session.body_id, session__date__lt=session.date
    )
    closed_since = Q(status__in=CLOSED_STATUSES)
    if previous is not None:
        closed_since &= Q(history__status__in=CLOSED_STATUSES, history__date__gte=previous.date)
    rows = list(
        earlier.filter(~Q(status__in=CLOSED_STATUSES) | closed_since)
        .distinct()
        .select_related("session", "owner_user")
    )
    _annotate(rows, today)
    far = dt.date.max
    rows.sort(
        key=lambda d: (
            PACK_ORDER[d.shown_status],
            d.deadline or far,
            d.session.date,
            d.number,
        )
    )
    return rows


# --- follow-up ------------------------------------------------------------------------------


@dataclass
class FollowUp:
    owner: str
    decisions: list = field(default_factory=list)
    actions: list = field(default_factory=list)

    @property
    def overdue_count(self) -> int:
        return sum(1 for i in self.decisions + self.actions if i.overdue)


def follow_up(*, user=None, owner_name: str = "", today: dt.date | None = None) -> FollowUp:
    """Return the open decisions and actions of one owner (a user, or a name), by deadline."""
    today = today or _today()
    if user is not None:
        who = Q(owner_user=user)
        if owner_name:
            who |= Q(owner_name__iexact=owner_name)
        label = owner_name or user.get_full_name() or user.get_username()
    else:
        who = Q(owner_name__iexact=owner_name)
        label = owner_name
    open_q = Q(status__in=deadlines.OPEN_STATUSES)
    decisions = list(
        Decision.objects.filter(who & open_q)
        .select_related("session__body")
        .order_by("deadline", "pk")
    )
    actions = list(
        Action.objects.filter(who & open_q)
        .select_related("priority__plan")
        .order_by("end_date", "pk")
    )
    return FollowUp(
        owner=label,
        decisions=_annotate(decisions, today),
        actions=_annotate(actions, today, "end_date"),
    )


def owner_names() -> list[str]:
    names = set(Decision.objects.values_list("owner_name", flat=True))
    names |= set(Action.objects.values_list("owner_name", flat=True))
    return sorted(n for n in names if n)


# --- plans ----------------------------------------------------------------------------------


def plan_list() -> QuerySet[Plan]:
    return Plan.objects.select_related("organisation").annotate(
        priority_count=Count("priorities", distinct=True)
    )


@dataclass
class PlanView:
    plan: Plan
    priorities: list
    rollup: progress.Rollup
    indicators: list


def plan_rollup(plan: Plan, *, today: dt.date | None = None) -> PlanView:
    """Return the plan with each priority's actions, each roll-up, and the indicators."""
    today = today or _today()
    priorities = list(plan.priorities.prefetch_related("actions__owner_user").order_by("number"))
    for priority in priorities:
        actions = sorted(priority.actions.all(), key=lambda a: a.number)
        for action in actions:
            action.progress = progress.action_progress(action.status, action.percent_done)
        priority.action_rows = _annotate(actions, today, "end_date")
        priority.rollup = progress.priority_progress(
            [(a.status, a.percent_done, a.budget) for a in actions]
        )
        priority.budget_total = sum((a.budget or Decimal(0) for a in actions), Decimal(0))
    rollup = progress.plan_progress([p.rollup.percent for p in priorities])
    indicators = list(plan.indicators.prefetch_related("measures").select_related("priority"))
    for indicator in indicators:
        measures = sorted(indicator.measures.all(), key=lambda m: m.date)
        indicator.measure_rows = measures
        indicator.latest = measures[-1] if measures else None
    return PlanView(plan=plan, priorities=priorities, rollup=rollup, indicators=indicators)


# --- delegations ----------------------------------------------------------------------------


def delegations_in_force(*, on: dt.date) -> QuerySet[Delegation]:
    return (
        Delegation.objects.filter(start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .exclude(granted_by__status=Status.DROPPED)
    )


def delegation_in_force(user, kind: str, amount: Decimal, on: dt.date) -> Delegation | None:
    """Return the delegation that lets `user` sign an act of `kind` for `amount` on `on`.

    A delegation counts when it is of that kind, in force that day (start ≤ on ≤ end, or no
    end), its ceiling covers the amount, and the decision that granted it was not dropped.
    Of several, the one with the highest ceiling is returned (the most telling one to cite).
    None means the user holds no such delegation: the caller must refuse.
    """
    if user is None or not user.is_authenticated or user.organisation_id is None:
        return None
    return (
        delegations_in_force(on=on)
        .filter(
            delegate=user,
            organisation_id=user.organisation_id,
            kind=kind,
            amount_ceiling__gte=amount,
        )
        .select_related("granted_by__session__body")
        .order_by("-amount_ceiling", "pk")
        .first()
    )


def delegation_list() -> QuerySet[Delegation]:
    return Delegation.objects.select_related(
        "delegate", "granted_by__session", "organisation__country"
    ).order_by("-start_date")
