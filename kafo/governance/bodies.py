"""Writes of bodies (boards, committees), their members and their sessions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kafo.audit import services as audit
from kafo.organisations.models import Organisation

from .checks import _check_file, _check_same_org, _choice, _raise, _required
from .models import Body, BodyKind, BodyMember, Session
from .trail import _audit_created, _audit_updated, _snapshot


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
