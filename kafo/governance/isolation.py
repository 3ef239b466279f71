"""Tenant-isolation contract of governance (read by kafo/tests/test_tenant_isolation.py)."""

import datetime as dt
from decimal import Decimal

from django.core.files.base import ContentFile

from . import services

PUBLIC_ROUTES = {
    "governance-body-list",
    "governance-body-create",
    "governance-delegation-list",
    "governance-follow-up",
    "governance-plan-list",
    "governance-plan-create",
    "api:api-governance-decisions",
    "api:api-governance-plans",
}


def _pk(name):
    return lambda rec: {"pk": rec[name].pk}


ROUTES = {
    "governance-body-detail": _pk("body"),
    "governance-member-add": _pk("body"),
    "governance-session-create": _pk("body"),
    "governance-session-detail": _pk("session"),
    "governance-session-edit": _pk("session"),
    "governance-session-minutes": _pk("session"),
    "governance-session-pack": lambda rec: {"pk": rec["session"].pk, "fmt": "xlsx"},
    "governance-decision-create": _pk("session"),
    "governance-decision-detail": _pk("decision"),
    "governance-decision-edit": _pk("decision"),
    "governance-decision-status": _pk("decision"),
    "governance-delegation-create": _pk("decision"),
    "governance-evidence-file": _pk("evidence"),
    "governance-plan-detail": _pk("plan"),
    "governance-priority-add": _pk("plan"),
    "governance-indicator-add": _pk("plan"),
    "governance-action-add": _pk("priority"),
    "governance-action-status": _pk("action"),
    "governance-measure-add": _pk("indicator"),
    "api:api-governance-decision": lambda rec: {"decision_id": rec["decision"].pk},
    "api:api-governance-decision-status": lambda rec: {"decision_id": rec["decision"].pk},
    "api:api-governance-plan": lambda rec: {"plan_id": rec["plan"].pk},
}


def make_records(organisation, records: dict) -> dict:
    """Create one record of each kind the routes take, inside `organisation`."""
    day = dt.date(2026, 1, 15)
    body = services.body_create(
        organisation=organisation, name="Conseil d'administration", kind="board"
    )
    services.body_member_add(body=body, name="A. Diallo", role="Président")
    session = services.session_create(
        body=body, date=day, minutes=ContentFile(b"PV", name="pv.pdf")
    )
    decision = services.decision_create(
        session=session, title="Adopter le budget", owner_name="DAF", deadline=day, today=day
    )
    services.decision_set_status(
        decision=decision,
        status="done",
        evidence=ContentFile(b"preuve", name="preuve.pdf"),
        today=day,
    )
    evidence = decision.history.exclude(evidence="").get()
    plan = services.plan_create(
        organisation=organisation,
        title="Feuille de route 2026",
        kind="roadmap",
        start_date=day,
        end_date=dt.date(2026, 12, 31),
    )
    priority = services.priority_add(plan=plan, title="Gouvernance")
    action = services.action_add(
        priority=priority,
        title="Manuel de procédures",
        owner_name="DG",
        end_date=dt.date(2026, 6, 30),
        budget=Decimal("1000000"),
    )
    indicator = services.indicator_add(
        plan=plan, name="Taux de couverture", baseline="15", target="20"
    )
    return {
        "body": body,
        "session": session,
        "decision": decision,
        "evidence": evidence,
        "plan": plan,
        "priority": priority,
        "action": action,
        "indicator": indicator,
    }
