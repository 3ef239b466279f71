"""Deterministic builders that go through the real services."""

import datetime as dt

from django.core.files.base import ContentFile

from kafo.governance import services

JAN = dt.date(2026, 1, 20)


def board(org, name="Conseil d'administration"):
    return services.body_create(organisation=org, name=name, kind="board")


def session(body, date=JAN, **kwargs):
    return services.session_create(body=body, date=date, **kwargs)


def decision(session, title="Adopter le budget 2026", deadline=None, **kwargs):
    kwargs.setdefault("owner_name", "Moussa Keita")
    kwargs.setdefault("owner_unit", "Direction financière")
    return services.decision_create(
        session=session, title=title, deadline=deadline, today=session.date, **kwargs
    )


def evidence(name="preuve.pdf", content=b"%PDF-1.4 preuve"):
    return ContentFile(content, name=name)


def done(decision, on, **kwargs):
    return services.decision_set_status(
        decision=decision, status="done", evidence=evidence(), today=on, **kwargs
    )


def plan(org, title="Feuille de route 2026"):
    return services.plan_create(
        organisation=org,
        title=title,
        kind="roadmap",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
    )
