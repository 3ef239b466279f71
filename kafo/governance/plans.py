"""Writes of plans and roadmaps: priorities, actions and their status, indicators and measures."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kafo.audit import services as audit
from kafo.organisations.models import Organisation

from .checks import (
    MANUAL_STATUSES,
    _amount,
    _check_owner,
    _choice,
    _lock,
    _raise,
    _required,
    _today,
)
from .domain import deadlines
from .models import Action, Decision, Indicator, IndicatorMeasure, Plan, PlanKind, Priority, Status


@transaction.atomic
def plan_create(
    *,
    organisation: Organisation,
    title: str,
    kind: str,
    start_date: dt.date | None,
    end_date: dt.date | None,
    description: str = "",
    adopted_by: Decision | None = None,
) -> Plan:
    values = {"title": title, "kind": kind, "start_date": start_date, "end_date": end_date}
    errors: dict = {}
    _required(errors, values, "title", "start_date", "end_date")
    _choice(errors, values, "kind", PlanKind)
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = _("La fin précède le début.")
    if adopted_by is not None and adopted_by.organisation_id != organisation.pk:
        errors["adopted_by"] = _("Décision inconnue.")
    _raise(errors)
    plan = Plan.objects.create(
        organisation=organisation,
        title=title.strip(),
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        description=description,
        adopted_by=adopted_by,
    )
    audit.record_created(plan)
    return plan


@transaction.atomic
def priority_add(*, plan: Plan, title: str, owner_name: str = "", owner_unit: str = "") -> Priority:
    errors: dict = {}
    _required(errors, {"title": title}, "title")
    _raise(errors)
    Plan.unscoped.select_for_update().filter(pk=plan.pk).first()
    last = Priority.unscoped.filter(plan=plan).aggregate(n=Max("number"))["n"] or 0
    priority = Priority.objects.create(
        organisation_id=plan.organisation_id,
        plan=plan,
        number=last + 1,
        title=title.strip(),
        owner_name=owner_name,
        owner_unit=owner_unit,
    )
    audit.record_created(priority, subject=plan)
    return priority


@transaction.atomic
def action_add(
    *,
    priority: Priority,
    title: str,
    owner_name: str,
    end_date: dt.date | None,
    owner_unit: str = "",
    owner_email: str = "",
    owner_user=None,
    start_date: dt.date | None = None,
    budget=None,
) -> Action:
    values = {"title": title, "owner_name": owner_name, "owner_user": owner_user}
    errors: dict = {}
    _required(errors, {**values, "end_date": end_date}, "title", "end_date")
    _check_owner(errors, values, priority.organisation_id)
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = _("L'échéance précède le début.")
    amount = _amount(errors, "budget", budget, required=False)
    _raise(errors)
    Priority.unscoped.select_for_update().filter(pk=priority.pk).first()
    last = Action.unscoped.filter(priority=priority).aggregate(n=Max("number"))["n"] or 0
    action = Action.objects.create(
        organisation_id=priority.organisation_id,
        priority=priority,
        number=last + 1,
        title=title.strip(),
        owner_name=owner_name.strip(),
        owner_unit=owner_unit,
        owner_email=owner_email,
        owner_user=owner_user,
        start_date=start_date,
        end_date=end_date,
        budget=amount,
    )
    audit.record_created(action, subject=priority.plan)
    return action


@transaction.atomic
def action_set_status(
    *,
    action: Action,
    status: str,
    percent_done: int | None = None,
    note: str | None = None,
    today: dt.date | None = None,
) -> Action:
    """Record an action's status and progress; an open action past its end date stays late."""
    today = today or _today()
    _lock(action)
    errors: dict = {}
    if status not in MANUAL_STATUSES:
        errors["status"] = _("Statut invalide.")
    if percent_done is not None and not 0 <= percent_done <= 100:
        errors["percent_done"] = _("Entre 0 et 100.")
    _raise(errors)
    before = audit.snapshot(action)
    action.status = Status.LATE if deadlines.is_late(status, action.end_date, today) else status
    action.percent_done = 100 if status == Status.DONE else percent_done
    if note is not None:
        action.note = note
    action.save()
    audit.record_updated(action, before, subject=action.priority.plan)
    return action


@transaction.atomic
def indicator_add(
    *,
    plan: Plan,
    name: str,
    baseline,
    target,
    unit: str = "",
    priority: Priority | None = None,
) -> Indicator:
    errors: dict = {}
    _required(errors, {"name": name}, "name")
    base = _amount(errors, "baseline", baseline, required=True)
    goal = _amount(errors, "target", target, required=True)
    if priority is not None and priority.plan_id != plan.pk:
        errors["priority"] = _("Cet axe n'appartient pas au plan.")
    _raise(errors)
    indicator = Indicator.objects.create(
        organisation_id=plan.organisation_id,
        plan=plan,
        priority=priority,
        name=name.strip(),
        unit=unit,
        baseline=base,
        target=goal,
    )
    audit.record_created(indicator, subject=plan)
    return indicator


@transaction.atomic
def indicator_measure_record(
    *, indicator: Indicator, date: dt.date | None, value, note: str = ""
) -> IndicatorMeasure:
    errors: dict = {}
    _required(errors, {"date": date}, "date")
    amount = _amount(errors, "value", value, required=True)
    if date and IndicatorMeasure.unscoped.filter(indicator=indicator, date=date).exists():
        errors["date"] = _("Une mesure existe déjà à cette date.")
    _raise(errors)
    measure = IndicatorMeasure.objects.create(
        organisation_id=indicator.organisation_id,
        indicator=indicator,
        date=date,
        value=amount,
        note=note,
    )
    audit.record_created(measure, subject=indicator.plan)
    return measure
