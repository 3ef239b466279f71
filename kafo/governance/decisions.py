"""Writes of decisions taken in session: recording, editing, and their status history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kafo.audit import services as audit

from .checks import (
    MANUAL_STATUSES,
    _check_file,
    _check_owner,
    _choice,
    _label,
    _lock,
    _raise,
    _required,
    _today,
)
from .domain import deadlines
from .models import Decision, DecisionKind, DecisionStatusChange, Session, Status
from .trail import _audit_created


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
