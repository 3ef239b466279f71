"""A record's history tab: real changes a page at a time, refused accesses kept apart, and no
staff name or address shown to an employer's portal user."""

import pytest
from django.http import Http404
from django.urls import reverse

from kafo.audit.context import acting_as, actor_for
from kafo.audit.models import AuditAction, AuditEvent
from kafo.organisations.tenancy import get_for_scope, tenant_scope
from kafo.registry import services as registry
from kafo.registry.models import Employer
from kafo.registry.tests.factories import employer as make_employer

AGENT_IP = "10.1.1.7"
PORTAL_IP = "41.73.2.9"
INTRUDER_IP = "10.66.6.6"


@pytest.fixture
def setting(zone, make_user):
    """An INPS-ML employer changed by an INPS-ML agent and by its own portal user."""
    agent = make_user(zone["INPS-ML"], "registration_agent")
    with acting_as(actor_for(agent, AGENT_IP)):
        firm = make_employer(zone["INPS-ML"], "Huilerie du Kénédougou")
        registry.employer_update(employer=firm, data={"city": "Sikasso"})
    portal = make_user(zone["INPS-ML"], "employer", username="huilerie.portail", employer=firm)
    with acting_as(actor_for(portal, PORTAL_IP)):
        registry.employer_update(employer=firm, data={"phone": "+223 20 21 22 23"})
    intruder = make_user(zone["CNPS-CI"], "registration_agent", username="intrus.cnps")
    return {"firm": firm, "agent": agent, "portal": portal, "intruder": intruder}


def _refuse(setting, times: int) -> None:
    """`times` attempts by the CNPS-CI agent to open the INPS-ML employer (each answers 404)."""
    with (
        tenant_scope(setting["intruder"].organisation),
        acting_as(actor_for(setting["intruder"], INTRUDER_IP)),
    ):
        for _ in range(times):
            with pytest.raises(Http404):
                get_for_scope(Employer, pk=setting["firm"].pk)


def _history_url(firm, **params):
    query = "&".join(f"{k}={v}" for k, v in ({"tab": "history"} | params).items())
    return reverse("employer-detail", kwargs={"pk": firm.pk}) + "?" + query


def test_portal_user_sees_no_staff_name_and_no_address(setting, client):
    client.force_login(setting["intruder"])
    url = reverse("employer-detail", kwargs={"pk": setting["firm"].pk})
    assert client.get(url, REMOTE_ADDR=INTRUDER_IP).status_code == 404
    client.force_login(setting["portal"])
    response = client.get(_history_url(setting["firm"]))
    body = response.content.decode()
    assert response.status_code == 200
    for secret in (
        setting["agent"].username,
        "intrus.cnps",
        AGENT_IP,
        PORTAL_IP,
        INTRUDER_IP,
        "Adresse",
        "tentative",
        "CNPS-CI",
    ):
        assert secret not in body, secret
    rows = [(e.shown_actor, e.action) for e in response.context["events"]]
    assert rows == [
        ("vous", "update"),
        ("agent de INPS-ML", "update"),
        ("agent de INPS-ML", "create"),
    ]
    assert all(e.ip_address is None for e in response.context["events"])
    # asking for the refused accesses shows the changes again, never the attempts
    denied = client.get(_history_url(setting["firm"], denied=1))
    assert [e.action for e in denied.context["events"]] == ["update", "update", "create"]
    assert "intrus.cnps" not in denied.content.decode()


def test_user_references_in_changes_read_as_the_actor_does(setting, client, zone):
    firm = setting["firm"]
    with tenant_scope(zone["INPS-ML"]):
        AuditEvent.objects.create(
            organisation=zone["INPS-ML"],
            actor=setting["agent"],
            actor_label=setting["agent"].username,
            ip_address=AGENT_IP,
            action=AuditAction.CREATE,
            object_type="payment",
            object_id="1",
            subject_type="employer",
            subject_id=str(firm.pk),
            changes={"recorded_by": [None, setting["agent"].pk], "amount": [None, "5000"]},
        )
    client.force_login(setting["portal"])
    event = client.get(_history_url(firm)).context["events"][0]
    assert event.changes == {"recorded_by": [None, "agent de INPS-ML"], "amount": [None, "5000"]}


def test_staff_see_names_addresses_and_the_refused_attempts_apart(setting, client):
    _refuse(setting, 3)
    client.force_login(setting["agent"])
    response = client.get(_history_url(setting["firm"]))
    body = response.content.decode()
    assert [(e.actor_label, e.ip_address) for e in response.context["events"]] == [
        ("huilerie.portail", PORTAL_IP),
        (setting["agent"].username, AGENT_IP),
        (setting["agent"].username, AGENT_IP),
    ]
    assert "3 tentatives d'accès refusées depuis d'autres organismes, listées à part." in body
    assert "intrus.cnps" not in body
    attempts = client.get(_history_url(setting["firm"], denied=1))
    assert [(e.actor_label, e.ip_address) for e in attempts.context["history"].denied] == [
        ("intrus.cnps", INTRUDER_IP)
    ] * 3
    assert "intrus.cnps" in attempts.content.decode()


def test_600_refused_attempts_leave_every_real_event_on_the_history_page(setting, client):
    _refuse(setting, 600)
    client.force_login(setting["agent"])
    response = client.get(_history_url(setting["firm"]))
    assert [e.action for e in response.context["events"]] == ["update", "update", "create"]
    assert response.context["history"].denied_count == 600
    client.force_login(setting["portal"])
    portal = client.get(_history_url(setting["firm"]))
    assert [e.action for e in portal.context["events"]] == ["update", "update", "create"]
    # the attempts themselves, 50 a page, for the owner's staff
    client.force_login(setting["agent"])
    last = client.get(_history_url(setting["firm"], denied=1, page=12)).context["history"]
    assert (last.denied.number, len(last.denied), last.denied.paginator.count) == (12, 50, 600)


def test_a_long_history_is_paged_not_cut(setting, client, zone):
    firm = setting["firm"]
    AuditEvent.unscoped.bulk_create(
        AuditEvent(
            organisation=zone["INPS-ML"],
            actor=setting["agent"],
            actor_label=setting["agent"].username,
            action=AuditAction.UPDATE,
            object_type="employer",
            object_id=str(firm.pk),
            subject_type="employer",
            subject_id=str(firm.pk),
            changes={"phone": [str(i), str(i + 1)]},
        )
        for i in range(520)
    )
    expected = set(
        AuditEvent.unscoped.filter(subject_type="employer", subject_id=str(firm.pk)).values_list(
            "pk", flat=True
        )
    )
    assert len(expected) == 523
    client.force_login(setting["agent"])
    seen, page = [], 1
    while True:
        response = client.get(_history_url(firm, page=page))
        events = response.context["events"]
        seen += [e.pk for e in events]
        if not getattr(events, "has_next", lambda: False)():  # a list: not paged
            break
        page += 1
    assert page == 11
    assert len(seen) == len(set(seen)) == 523
    assert set(seen) == expected
    assert "Page 11 sur 11 (523 événements)" in response.content.decode()
