"""Cross-border liaison: an organisation asks another for a zone person's insured periods.

Before approval the requester knows only the other organisation's code; after approval, that
organisation's code and insured months, and nothing that identifies its record. (Moved from
identity with the requests, issue 15; the liaison officer's role now does what
`registry.edit` did.)
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kafo.audit.models import AuditEvent
from kafo.contributions.services import declaration_submit
from kafo.exchange import services
from kafo.exchange.models import LiaisonMessage
from kafo.identity.services import zone_persons_merge
from kafo.registry.tests.factories import employer, person
from kafo.rules.services import rules_seed

CI_SECRETS = ("KULIBALI", "Mahamadou", "98765432109")


def _declare(org_person, periods):
    boss = employer(org_person.organisation, legal_name=f"Employeur {org_person.organisation}")
    for period in periods:
        declaration_submit(
            employer=boss,
            period=period,
            rows=[
                {
                    "worker_number": org_person.number,
                    "family_name": org_person.family_name,
                    "given_names": org_person.given_names,
                    "days_worked": 28,  # February has 28 (days beyond the month are refused)
                    "gross_salary": 150000,
                }
            ],
        )


@pytest.fixture
def migrant(zone, make_user):
    """A worker insured 2 months at INPS-ML and 4 at CNPS-CI (3 + 1), one zone person."""
    rules_seed()
    person(zone["CNPS-CI"], "Konan", "Yao", birth_date=dt.date(1960, 1, 1))  # shifts numbers
    ml = person(zone["INPS-ML"], "Coulibaly", "Mamadou Lamine", national_id="12345678901234K")
    ci = person(zone["CNPS-CI"], "KULIBALI", "Mahamadou", national_id="98765432109")
    zone_persons_merge(person=ml, other=ci)
    _declare(ml, ["2023-11", "2023-12"])
    _declare(ci, ["2024-01", "2024-02", "2024-03", "2024-05"])
    assert ml.number != ci.number
    return {
        "ml": ml,
        "ci": ci,
        "ml_agent": make_user(zone["INPS-ML"], "liaison_officer"),
        "ci_agent": make_user(zone["CNPS-CI"], "liaison_officer"),
    }


def _ask(m):
    return services.periods_request(
        person=m["ml"], target="CNPS-CI", purpose="old_age", user=m["ml_agent"]
    )


def _zone_page(client, user, record):
    client.force_login(user)
    page = client.get(reverse("exchange-person", kwargs={"pk": record.pk}))
    api = client.get(f"/api/persons/{record.pk}/liaison/career")
    return page, api


def _assert_no_ci_record_detail(body, ci):
    for secret in (*CI_SECRETS, ci.number, f"/persons/{ci.pk}/"):
        assert secret not in body


def test_request_reaches_the_target_and_reveals_nothing_before_approval(migrant, client):
    ml, ci = migrant["ml"], migrant["ci"]
    client.force_login(migrant["ml_agent"])
    response = client.post(
        reverse("exchange-request", kwargs={"pk": ml.pk}),
        {"target": "CNPS-CI", "purpose": "old_age", "note": "Liquidation pension"},
    )
    assert response.status_code == 302
    outgoing = LiaisonMessage.unscoped.get(organisation__code="INPS-ML")
    incoming = LiaisonMessage.unscoped.get(organisation__code="CNPS-CI")
    assert (outgoing.direction, outgoing.person, outgoing.status) == ("outgoing", ml, "pending")
    assert (incoming.direction, incoming.person, incoming.twin) == ("incoming", ci, outgoing)

    client.force_login(migrant["ci_agent"])
    inbox = client.get(reverse("exchange-inbox")).content.decode()
    assert "INPS-ML" in inbox and "KULIBALI" in inbox
    assert f"/exchange/messages/{incoming.pk}/" in inbox
    detail = client.get(reverse("exchange-message-detail", kwargs={"pk": incoming.pk}))
    assert "Liquidation pension" in detail.content.decode()
    assert "Coulibaly" not in detail.content.decode()

    page, api = _zone_page(client, migrant["ml_agent"], ml)
    body = page.content.decode()
    assert "CNPS-CI" in body and "en attente" in body
    _assert_no_ci_record_detail(body, ci)
    _assert_no_ci_record_detail(api.content.decode(), ci)
    data = api.json()
    assert data["career"] == [
        {
            "organisation_code": "INPS-ML",
            "months": 2,
            "spans": [{"start": "2023-11", "end": "2023-12", "months": 2}],
            "from_liaison": False,
        }
    ]
    assert data["joined_months"] == 2
    assert "2024-01" not in body and "01/2024" not in body


def test_approval_joins_the_other_organisations_insured_months(migrant, client):
    ml, ci = migrant["ml"], migrant["ci"]
    incoming = _ask(migrant).twin
    client.force_login(migrant["ci_agent"])
    response = client.post(
        reverse("exchange-message-detail", kwargs={"pk": incoming.pk}), {"decision": "approve"}
    )
    assert response.status_code == 302
    outgoing = LiaisonMessage.unscoped.get(pk=incoming.twin_id)
    incoming.refresh_from_db()
    assert (incoming.status, outgoing.status) == ("approved", "approved")
    assert outgoing.decided_by == migrant["ci_agent"]
    assert outgoing.periods == {
        "organisation": "CNPS-CI",
        "months": 4,
        "spans": [
            {"start": "2024-01", "end": "2024-03", "months": 3},
            {"start": "2024-05", "end": "2024-05", "months": 1},
        ],
        "years": [{"year": 2024, "months": 4}],
        "as_of": timezone.localdate().isoformat(),
    }
    assert incoming.periods == {}

    page, api = _zone_page(client, migrant["ml_agent"], ml)
    body = page.content.decode()
    assert 'data-organisation="CNPS-CI"' in body
    assert "01/2024 → 03/2024 (3)" in body and "05/2024 → 05/2024 (1)" in body
    assert "2024-01" not in body  # months read as people write them, on the page
    assert '<th class="num" id="joined-total">6</th>' in body
    _assert_no_ci_record_detail(body, ci)
    _assert_no_ci_record_detail(api.content.decode(), ci)
    data = api.json()
    assert [(p["organisation_code"], p["months"], p["from_liaison"]) for p in data["career"]] == [
        ("INPS-ML", 2, False),
        ("CNPS-CI", 4, True),
    ]
    assert data["joined_months"] == 6


def test_refusal_needs_a_reason_and_shows_no_period(migrant, client):
    incoming = _ask(migrant).twin
    client.force_login(migrant["ci_agent"])
    url = reverse("exchange-message-detail", kwargs={"pk": incoming.pk})
    page = client.post(url, {"decision": "refuse", "reason": ""})
    assert page.status_code == 200
    assert "Indiquez le motif du refus." in page.content.decode()
    incoming.refresh_from_db()
    assert incoming.status == "pending"
    client.post(url, {"decision": "refuse", "reason": "Dossier incomplet"})
    outgoing = LiaisonMessage.unscoped.get(pk=incoming.twin_id)
    assert (outgoing.status, outgoing.refusal_reason, outgoing.periods) == (
        "refused",
        "Dossier incomplet",
        {},
    )
    page, api = _zone_page(client, migrant["ml_agent"], migrant["ml"])
    body = page.content.decode()
    assert "refusée" in body and "Dossier incomplet" in body
    assert "2024-01" not in body and "01/2024" not in body
    assert 'data-organisation="CNPS-CI"' not in body
    assert api.json()["joined_months"] == 2
    assert [p["organisation_code"] for p in api.json()["career"]] == ["INPS-ML"]


def test_a_third_organisation_sees_nothing(migrant, zone, make_user, client):
    bf = person(zone["CNSS-BF"], "Coulibaly", "Mamadou")
    zone_persons_merge(person=migrant["ml"], other=bf)
    incoming = _ask(migrant).twin
    services.periods_answer(message=incoming, approve=True, reason="", user=migrant["ci_agent"])
    bf_agent = make_user(zone["CNSS-BF"], "liaison_officer")
    client.force_login(bf_agent)
    inbox = client.get(reverse("exchange-inbox")).content.decode()
    assert "Aucun message." in inbox and "INPS-ML" not in inbox
    for url in (
        reverse("exchange-message-detail", kwargs={"pk": incoming.pk}),
        reverse("exchange-message-detail", kwargs={"pk": incoming.twin_id}),
        reverse("exchange-person", kwargs={"pk": migrant["ml"].pk}),
        f"/api/persons/{migrant['ml'].pk}/liaison/career",
    ):
        assert client.get(url).status_code == 404
    page, api = _zone_page(client, bf_agent, bf)
    body = page.content.decode()
    assert "CNPS-CI" in body and "INPS-ML" in body  # codes only
    for month in ("2024-01", "2023-11", "01/2024", "11/2023"):
        assert month not in body
    assert api.json()["career"] == [
        {"organisation_code": "CNSS-BF", "months": 0, "spans": [], "from_liaison": False}
    ]
    assert api.json()["joined_months"] == 0


def test_the_requester_cannot_decide_its_own_request(migrant, client):
    outgoing = _ask(migrant)
    client.force_login(migrant["ml_agent"])
    url = reverse("exchange-message-detail", kwargs={"pk": outgoing.pk})
    assert client.get(url).status_code == 200  # its own row: status only, no answer form
    client.post(url, {"decision": "approve"})
    api = client.post(
        f"/api/exchange/messages/{outgoing.pk}/answer",
        {"approve": True},
        content_type="application/json",
    )
    assert api.status_code == 404
    with pytest.raises(ValidationError) as err:
        services.periods_answer(message=outgoing, approve=True, reason="", user=migrant["ml_agent"])
    assert list(err.value.message_dict) == ["status"]
    assert set(LiaisonMessage.unscoped.values_list("status", flat=True)) == {"pending"}


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("CNPS-CI", "Une demande à cet organisme est déjà en attente pour cette personne."),
        ("INPS-ML", "On ne peut pas adresser une demande à son organisme."),
        ("IPRES-SN", "Cet organisme ne détient aucun dossier de cette personne."),
        ("XX-00", "Organisme inconnu."),
    ],
)
def test_bad_requests_are_refused_with_a_field_error(migrant, code, message):
    _ask(migrant)
    with pytest.raises(ValidationError) as err:
        services.periods_request(person=migrant["ml"], target=code, purpose="old_age", user=None)
    assert err.value.message_dict == {"target_organisation_code": [message]}
    assert LiaisonMessage.unscoped.count() == 2


def test_api_request_and_decision(migrant, client):
    client.force_login(migrant["ml_agent"])
    created = client.post(
        f"/api/persons/{migrant['ml'].pk}/liaison",
        {"target_organisation_code": "CNPS-CI", "purpose": "survivors"},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert (created.json()["direction"], created.json()["recipient_code"]) == (
        "outgoing",
        "CNPS-CI",
    )
    again = client.post(
        f"/api/persons/{migrant['ml'].pk}/liaison",
        {"target_organisation_code": "CNPS-CI", "purpose": "survivors"},
        content_type="application/json",
    )
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "target_organisation_code"
    client.force_login(migrant["ci_agent"])
    inbox = client.get("/api/exchange/messages?direction=incoming").json()
    assert [(r["sender_code"], r["person_id"], r["periods"]) for r in inbox] == [
        ("INPS-ML", migrant["ci"].pk, None)
    ]
    decided = client.post(
        f"/api/exchange/messages/{inbox[0]['id']}/answer",
        {"approve": True},
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    client.force_login(migrant["ml_agent"])
    assert (
        client.get(f"/api/persons/{migrant['ml'].pk}/liaison/career").json()["joined_months"] == 6
    )


def test_create_and_decision_are_audited_on_both_sides(migrant):
    outgoing = _ask(migrant)
    services.periods_answer(
        message=outgoing.twin, approve=False, reason="Hors convention", user=migrant["ci_agent"]
    )
    events = AuditEvent.unscoped.filter(object_type="liaisonmessage").order_by("pk")
    assert [(e.organisation.code, e.action, e.subject_id) for e in events] == [
        ("INPS-ML", "create", str(migrant["ml"].pk)),
        ("CNPS-CI", "create", str(migrant["ci"].pk)),
        ("CNPS-CI", "update", str(migrant["ci"].pk)),
        ("INPS-ML", "update", str(migrant["ml"].pk)),
    ]
    assert events[3].changes["status"] == ["pending", "refused"]
    assert events[3].changes["refusal_reason"] == ["", "Hors convention"]
