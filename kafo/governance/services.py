"""Writes of governance: each atomic, validated, audited. Views, the API and the daily
command call only these."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import FileField, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kafo.audit import services as audit
from kafo.audit.models import AuditAction
from kafo.organisations.models import Organisation

from .domain import deadlines
from .models import (
    Action,
    Body,
    BodyKind,
    BodyMember,
    Decision,
    DecisionKind,
    DecisionStatusChange,
    Delegation,
    DelegationKind,
    Indicator,
    IndicatorMeasure,
    Plan,
    PlanKind,
    Priority,
    ReminderKind,
    ReminderSent,
    Session,
    Status,
)

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024
FILE_EXTENSIONS = {
    ".pdf", ".doc", ".docx", ".odt", ".xls", ".xlsx", ".ods", ".jpg", ".jpeg", ".png", ".txt",
}  # fmt: skip
MANUAL_STATUSES = (Status.TODO, Status.IN_PROGRESS, Status.DONE, Status.DROPPED)


def _today() -> dt.date:
    return timezone.localdate()


def _label(user) -> str:
    return user.get_username() if user is not None else "système"


def _required(errors: dict, values: Mapping[str, Any], *fields: str) -> None:
    for field in fields:
        value = values.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            errors[field] = _("Ce champ est obligatoire.")


def _choice(errors: dict, values: Mapping[str, Any], field: str, choices) -> None:
    if values.get(field) not in choices.values:
        errors[field] = _("Valeur invalide.")


def _check_file(errors: dict, field: str, upload) -> None:
    if upload is None:
        return
    if PurePath(upload.name).suffix.lower() not in FILE_EXTENSIONS:
        errors[field] = _("Type de fichier non accepté (PDF, Word, Excel, image ou texte).")
    elif upload.size > MAX_FILE_BYTES:
        errors[field] = _("Fichier trop volumineux (20 Mo au plus).")


def _check_same_org(errors: dict, field: str, user, organisation_id: int) -> None:
    if user is not None and user.organisation_id != organisation_id:
        errors[field] = _("Cet utilisateur n'appartient pas à l'organisme.")


def _amount(errors: dict, field: str, value, *, required: bool) -> Decimal | None:
    if value in (None, ""):
        if required:
            errors[field] = _("Ce champ est obligatoire.")
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        errors[field] = _("Montant invalide.")
        return None
    if not amount.is_finite() or amount < 0:
        errors[field] = _("Le montant doit être positif ou nul.")
        return None
    return amount


# The shared audit snapshot does not turn a FileField's value into text yet (reported); for the
# two models that carry a file, the trail is written from a snapshot that records the file name.
def _snapshot(instance) -> dict:
    files = {f.attname for f in instance._meta.concrete_fields if isinstance(f, FileField)}
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in audit.SKIPPED_FIELDS:
            continue
        value = getattr(instance, field.attname)
        data[field.name] = (value.name or "") if field.attname in files else audit._jsonable(value)
    return data


def _audit_created(instance, *, subject=None) -> None:
    changes = {k: [None, v] for k, v in _snapshot(instance).items() if v not in (None, "")}
    audit.record_change(
        action=AuditAction.CREATE, instance=instance, changes=changes, subject=subject
    )


def _audit_updated(instance, before: dict, *, subject=None) -> None:
    changes = audit.diff(before, _snapshot(instance))
    if changes:
        audit.record_change(
            action=AuditAction.UPDATE, instance=instance, changes=changes, subject=subject
        )


def _lock(instance) -> None:
    """Lock the row and reload it: a status change starts from the stored state."""
    type(instance).unscoped.select_for_update().filter(pk=instance.pk).first()
    instance.refresh_from_db()


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# --- bodies and sessions --------------------------------------------------------------------


@transaction.atomic
def body_create(*, organisation: Organisation, name: str, kind: str, description: str = "") -> Body:
    values = {"name": name, "kind": kind}
    errors: dict = {}
    _required(errors, values, "name")
    _choice(errors, values, "kind", BodyKind)
    _raise(errors)
    body = Body.objects.create(
        organisation=organisation, name=name.strip(), kind=kind, description=description
    )
    audit.record_created(body)
    return body


@transaction.atomic
def body_member_add(*, body: Body, name: str, role: str, unit: str = "", user=None) -> BodyMember:
    errors: dict = {}
    _required(errors, {"name": name, "role": role}, "name", "role")
    _check_same_org(errors, "user", user, body.organisation_id)
    _raise(errors)
    member = BodyMember.objects.create(
        organisation_id=body.organisation_id,
        body=body,
        name=name.strip(),
        role=role.strip(),
        unit=unit,
        user=user,
    )
    audit.record_created(member, subject=body)
    return member


def _check_attendees(errors: dict, body: Body, attendees: Iterable[BodyMember]) -> list:
    attendees = list(attendees)
    if any(m.body_id != body.pk for m in attendees):
        errors["attendees"] = _("Les présents doivent être membres de l'instance.")
    return attendees


@transaction.atomic
def session_create(
    *,
    body: Body,
    date: dt.date | None,
    place: str = "",
    agenda: str = "",
    attendees: Iterable[BodyMember] = (),
    other_attendees: str = "",
    minutes=None,
) -> Session:
    errors: dict = {}
    _required(errors, {"date": date}, "date")
    attendees = _check_attendees(errors, body, attendees)
    _check_file(errors, "minutes", minutes)
    _raise(errors)
    Body.unscoped.select_for_update().filter(pk=body.pk).first()  # serialise the numbering
    last = Session.unscoped.filter(body=body).aggregate(n=Max("number"))["n"] or 0
    session = Session(
        organisation_id=body.organisation_id,
        body=body,
        number=last + 1,
        date=date,
        place=place,
        agenda=agenda,
        other_attendees=other_attendees,
    )
    if minutes is not None:
        session.minutes = minutes
    session.save()
    session.attendees.set(attendees)
    _audit_created(session, subject=body)
    return session


@transaction.atomic
def session_update(
    *,
    session: Session,
    date: dt.date | None,
    place: str = "",
    agenda: str = "",
    attendees: Iterable[BodyMember] = (),
    other_attendees: str = "",
    minutes=None,
) -> Session:
    errors: dict = {}
    _required(errors, {"date": date}, "date")
    attendees = _check_attendees(errors, session.body, attendees)
    _check_file(errors, "minutes", minutes)
    _raise(errors)
    before = _snapshot(session)
    session.date, session.place, session.agenda = date, place, agenda
    session.other_attendees = other_attendees
    if minutes is not None:
        session.minutes = minutes
    session.save()
    session.attendees.set(attendees)
    _audit_updated(session, before, subject=session.body)
    return session


# --- decisions ------------------------------------------------------------------------------


def _check_owner(errors: dict, values: Mapping[str, Any], organisation_id: int) -> None:
    _required(errors, values, "owner_name")
    _check_same_org(errors, "owner_user", values.get("owner_user"), organisation_id)


@transaction.atomic
def decision_create(
    *,
    session: Session,
    title: str,
    owner_name: str,
    kind: str = DecisionKind.GENERAL,
    text: str = "",
    owner_unit: str = "",
    owner_email: str = "",
    owner_user=None,
    deadline: dt.date | None = None,
    by=None,
    today: dt.date | None = None,
) -> Decision:
    """Record a decision taken in `session`, numbered next in the session, status "to do"."""
    values = {"title": title, "owner_name": owner_name, "owner_user": owner_user, "kind": kind}
    errors: dict = {}
    _required(errors, values, "title")
    _choice(errors, values, "kind", DecisionKind)
    _check_owner(errors, values, session.organisation_id)
    if deadline is not None and deadline < session.date:
        errors["deadline"] = _("L'échéance ne peut pas précéder la session.")
    _raise(errors)
    Session.unscoped.select_for_update().filter(pk=session.pk).first()
    last = Decision.unscoped.filter(session=session).aggregate(n=Max("number"))["n"] or 0
    decision = Decision.objects.create(
        organisation_id=session.organisation_id,
        session=session,
        number=last + 1,
        kind=kind,
        title=title.strip(),
        text=text,
        owner_name=owner_name.strip(),
        owner_unit=owner_unit,
        owner_email=owner_email,
        owner_user=owner_user,
        deadline=deadline,
        status=Status.TODO,
    )
    audit.record_created(decision, subject=session)
    _history(decision, Status.TODO, session.date, by, _("Décision prise en session."))
    return decision


def _history(decision, status, on, by, note="", evidence=None) -> DecisionStatusChange:
    change = DecisionStatusChange(
        organisation_id=decision.organisation_id,
        decision=decision,
        status=status,
        date=on,
        by=by if by is not None and by.pk else None,
        by_label=_label(by),
        note=note,
    )
    if evidence is not None:
        change.evidence = evidence
    change.save()
    _audit_created(change, subject=decision)
    return change


@transaction.atomic
def decision_update(
    *,
    decision: Decision,
    data: Mapping[str, Any],
    by=None,
    today: dt.date | None = None,
) -> Decision:
    """Change what a decision says and who answers for it (managers only).

    Moving the deadline of a late decision into the future puts it back "in progress".
    """
    _lock(decision)
    fields = ("title", "text", "kind", "owner_name", "owner_unit", "owner_email", "owner_user")
    values = {f: data.get(f, getattr(decision, f)) for f in fields}
    deadline = data.get("deadline", decision.deadline)
    errors: dict = {}
    _required(errors, values, "title")
    _choice(errors, values, "kind", DecisionKind)
    _check_owner(errors, values, decision.organisation_id)
    if deadline is not None and deadline < decision.session.date:
        errors["deadline"] = _("L'échéance ne peut pas précéder la session.")
    _raise(errors)
    today = today or _today()
    before = audit.snapshot(decision)
    for field, value in values.items():
        setattr(decision, field, value.strip() if isinstance(value, str) else value)
    decision.deadline = deadline
    if decision.status == Status.LATE and not deadlines.is_late(
        Status.IN_PROGRESS, deadline, today
    ):
        decision.status = Status.IN_PROGRESS
        _history(decision, Status.IN_PROGRESS, today, by, _("Échéance reportée."))
    decision.save()
    audit.record_updated(decision, before)
    return decision


@transaction.atomic
def decision_set_status(
    *,
    decision: Decision,
    status: str,
    by=None,
    note: str = "",
    evidence=None,
    follow_up_note: str | None = None,
    today: dt.date | None = None,
) -> Decision:
    """Record a new status of `decision` with its date, author and note.

    "Late" is never chosen by hand: an open decision past its deadline stays late. Marking a
    decision done needs evidence (attached now or earlier); dropping it needs a reason.
    """
    today = today or _today()
    _lock(decision)
    errors: dict = {}
    if status not in MANUAL_STATUSES:
        errors["status"] = _("Statut invalide.")
    _check_file(errors, "evidence", evidence)
    if status == Status.DONE and evidence is None and not _has_evidence(decision):
        errors["evidence"] = _("Joignez le justificatif de réalisation.")
    if status == Status.DROPPED and not note.strip():
        errors["note"] = _("Indiquez pourquoi la décision est abandonnée.")
    _raise(errors)
    before = audit.snapshot(decision)
    effective = Status.LATE if deadlines.is_late(status, decision.deadline, today) else status
    if follow_up_note is not None:
        decision.follow_up_note = follow_up_note
    if effective != decision.status or evidence is not None or note.strip():
        if effective != status:
            note = (note + "\n" if note else "") + _("Échéance dépassée : reste en retard.")
        decision.status = effective
        _history(decision, effective, today, by, note, evidence)
    decision.save()
    audit.record_updated(decision, before)
    return decision


def _has_evidence(decision: Decision) -> bool:
    return DecisionStatusChange.unscoped.filter(decision=decision).exclude(evidence="").exists()


# --- plans ----------------------------------------------------------------------------------


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


# --- delegations ----------------------------------------------------------------------------


@transaction.atomic
def delegation_grant(
    *,
    decision: Decision,
    delegate,
    kind: str,
    amount_ceiling,
    start_date: dt.date | None,
    end_date: dt.date | None = None,
    benefit_kinds: Sequence[str] = (),
) -> Delegation:
    """Register a delegation of signature granted by `decision`.

    `benefit_kinds` (benefit approvals only) limits it to those kinds of claim; empty: all.
    """
    from kafo.benefits.models import ClaimKind

    errors: dict = {}
    benefit_kinds = list(dict.fromkeys(benefit_kinds or ()))
    if benefit_kinds and kind != DelegationKind.BENEFIT_APPROVAL:
        errors["benefit_kinds"] = _(
            "Les prestations couvertes ne s'indiquent que pour l'approbation des prestations."
        )
    elif any(k not in ClaimKind.values for k in benefit_kinds):
        errors["benefit_kinds"] = _("Prestation inconnue : %(kinds)s.") % {
            "kinds": ", ".join(k for k in benefit_kinds if k not in ClaimKind.values)
        }
    _required(errors, {"delegate": delegate, "start_date": start_date}, "delegate", "start_date")
    _choice(errors, {"kind": kind}, "kind", DelegationKind)
    _check_same_org(errors, "delegate", delegate, decision.organisation_id)
    ceiling = _amount(errors, "amount_ceiling", amount_ceiling, required=True)
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = _("La fin précède le début.")
    if start_date and start_date < decision.session.date:
        errors["start_date"] = _("Une délégation ne peut pas précéder la décision qui l'accorde.")
    if decision.status == Status.DROPPED:
        errors["granted_by"] = _("Cette décision est abandonnée.")
    _raise(errors)
    delegation = Delegation.objects.create(
        organisation_id=decision.organisation_id,
        delegate=delegate,
        kind=kind,
        amount_ceiling=ceiling,
        start_date=start_date,
        end_date=end_date,
        benefit_kinds=benefit_kinds,
        granted_by=decision,
    )
    audit.record_created(delegation, subject=decision)
    return delegation


# --- daily follow-up ------------------------------------------------------------------------


def items_mark_late(*, today: dt.date | None = None) -> int:
    """Mark late every open decision and action of the current scope past its deadline."""
    today = today or _today()
    count = 0
    open_now = (Status.TODO, Status.IN_PROGRESS)
    for decision in Decision.objects.filter(status__in=open_now, deadline__lt=today):
        with transaction.atomic():
            before = audit.snapshot(decision)
            decision.status = Status.LATE
            decision.save(update_fields=["status"])
            audit.record_updated(decision, before)
            _history(decision, Status.LATE, today, None, _("Échéance dépassée."))
        count += 1
    for action in Action.objects.filter(status__in=open_now, end_date__lt=today):
        with transaction.atomic():
            before = audit.snapshot(action)
            action.status = Status.LATE
            action.save(update_fields=["status"])
            audit.record_updated(action, before)
        count += 1
    return count


def reminders_send(*, today: dt.date | None = None) -> int:
    """Send the reminders due today for the current scope; return how many were sent.

    Each reminder is recorded before the mail goes out, in one transaction: a failed send
    rolls the record back (it will be tried again), a second run finds the record and skips.
    """
    today = today or _today()
    sent = 0
    open_statuses = deadlines.OPEN_STATUSES
    items = [
        ("decision", d, d.deadline)
        for d in Decision.objects.filter(status__in=open_statuses, deadline__isnull=False)
        .select_related("owner_user", "session__body")
        .order_by("pk")
    ] + [
        ("action", a, a.end_date)
        for a in Action.objects.filter(status__in=open_statuses)
        .select_related("owner_user", "priority__plan")
        .order_by("pk")
    ]
    for item_type, item, deadline in items:
        due = deadlines.reminder_due(item.status, deadline, today)
        address = item.reminder_address
        if due is None or not address:
            continue
        kind, bucket = due
        try:
            with transaction.atomic():
                ReminderSent.objects.create(
                    organisation_id=item.organisation_id,
                    item_type=item_type,
                    item_id=item.pk,
                    kind=kind,
                    bucket=bucket,
                    recipient=address,
                )
                subject, body = _reminder_text(item_type, item, kind, deadline, today)
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        except IntegrityError:
            continue  # already sent for this window
        sent += 1
    return sent


def _reminder_text(item_type, item, kind, deadline, today) -> tuple[str, str]:
    where = str(item.session.body) if item_type == "decision" else str(item.priority.plan)
    label = {
        ReminderKind.BEFORE: _("échéance le %(d)s"),
        ReminderKind.DUE: _("échéance atteinte le %(d)s"),
        ReminderKind.OVERDUE: _("en retard depuis le %(d)s"),
    }[kind] % {"d": deadline.strftime("%d/%m/%Y")}
    subject = f"[Kafo] {item.reference} {item.title} — {label}"
    body = "\n".join(
        [
            _("Bonjour %(name)s,") % {"name": item.owner_name},
            "",
            f"{where} : {item.reference} {item.title}",
            _("Statut : %(s)s ; %(l)s.") % {"s": item.get_status_display(), "l": label},
            "",
            _("Merci de mettre à jour le suivi dans Kafo."),
        ]
    )
    return subject, body
