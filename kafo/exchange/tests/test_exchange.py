"""Exchanges of issue 15: what the other organisation's records reveal (nothing until an
approved answer, and then to the requester only), periods that stay with the record they were
asked for, deadlines and the overdue count, salaries on request, notices of death, forwarded
claims and decisions sent back."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kafo.exchange import selectors, services
from kafo.exchange.models import LiaisonMessage
from kafo.exchange.tests.test_liaison import CI_SECRETS, _declare
from kafo.identity.services import zone_person_split, zone_persons_merge
from kafo.organisations.tenancy import tenant_scope
from kafo.registry.tests.factories import person
from kafo.rules.services import rules_seed


@pytest.fixture
def migrant(zone, make_user):
    """A worker insured 2 months at INPS-ML and 4 at CNPS-CI (2023-12 at both), one zone person."""
    rules_seed()
    person(zone["CNPS-CI"], "Konan", "Yao", birth_date=dt.date(1960, 1, 1))  # shifts numbers
    ml = person(zone["INPS-ML"], "Coulibaly", "Mamadou Lamine")
    ci = person(
        zone["CNPS-CI"],
        "KULIBALI",
        "Mahamadou",
        national_id="98765432109",
        birth_date=dt.date(1961, 7, 14),
    )
    zone_persons_merge(person=ml, other=ci)
    _declare(ml, ["2023-11", "2023-12"])
    _declare(ci, ["2023-12", "2024-01", "2024-02", "2024-05"])
    assert ml.number != ci.number
    return {
        "ml": ml,
        "ci": ci,
        "ml_officer": make_user(zone["INPS-ML"], "liaison_officer"),
        "ci_officer": make_user(zone["CNPS-CI"], "liaison_officer"),
    }


def _ask(m, **extra):
    return services.periods_request(
        person=m["ml"], target="CNPS-CI", purpose="old_age", user=m["ml_officer"], **extra
    )


def _requester_bodies(client, m, outgoing):
    """Every exchange page and API route the requester may open about this person and request."""
    pk = m["ml"].pk
    urls = [
        reverse("exchange-inbox"),
        reverse("exchange-inbox") + "?tab=outgoing",
        reverse("exchange-inbox") + "?tab=overdue",
        reverse("exchange-message-detail", kwargs={"pk": outgoing.pk}),
        reverse("exchange-person", kwargs={"pk": pk}),
        reverse("identity-person-zone", kwargs={"pk": pk}),
        reverse("person-detail", kwargs={"pk": pk}),
        "/api/exchange/messages",
        "/api/exchange/messages?direction=outgoing",
        f"/api/persons/{pk}/liaison/career",
        f"/api/persons/{pk}/zone",
    ]
    bodies = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies.append((url, response.content.decode()))
    return bodies


def _ci_secrets(m):
    ci = m["ci"]
    dates = ("14/07/1961", "1961-07-14", "2024-01", "2024-05", "01/2024", "05/2024")
    return (*CI_SECRETS, ci.number, *dates, "450000", "450 000")


@pytest.mark.parametrize("state", ["pending", "refused"])
@pytest.mark.parametrize("role", ["liaison_officer", "registration_agent", "director"])
def test_a_request_refused_or_unanswered_reveals_nothing(
    migrant, client, make_user, zone, state, role
):
    outgoing = _ask(migrant, with_salaries=True)
    if state == "refused":
        services.periods_answer(
            message=outgoing.twin,
            approve=False,
            reason="Hors convention",
            user=migrant["ci_officer"],
        )
    user = migrant["ml_officer"] if role == "liaison_officer" else make_user(zone["INPS-ML"], role)
    client.force_login(user)
    for url, body in _requester_bodies(client, migrant, outgoing):
        for secret in _ci_secrets(migrant):
            assert secret not in body, (url, secret)
    assert LiaisonMessage.unscoped.get(pk=outgoing.pk).periods == {}


def test_an_answer_is_visible_to_the_requester_only(migrant, client, zone, make_user):
    bf = person(zone["CNSS-BF"], "Coulibaly", "Mamadou")
    zone_persons_merge(person=migrant["ml"], other=bf)
    outgoing = _ask(migrant, with_salaries=True)
    services.periods_answer(message=outgoing.twin, approve=True, user=migrant["ci_officer"])
    client.force_login(migrant["ml_officer"])
    detail = client.get(reverse("exchange-message-detail", kwargs={"pk": outgoing.pk}))
    body = detail.content.decode()
    assert "12/2023 → 02/2024 (3)" in body and "450 000 FCFA" in body
    for secret in (*CI_SECRETS, migrant["ci"].number, "14/07/1961"):
        assert secret not in body
    bf_officer = make_user(zone["CNSS-BF"], "liaison_officer")
    client.force_login(bf_officer)
    assert (
        client.get(reverse("exchange-message-detail", kwargs={"pk": outgoing.pk})).status_code
        == 404
    )
    for url in ("/api/exchange/messages", f"/api/persons/{bf.pk}/liaison/career"):
        body = client.get(url).content.decode()
        assert "2024-01" not in body and "450000" not in body
    assert client.get(f"/api/persons/{bf.pk}/liaison/career").json()["joined_months"] == 0


def test_salaries_per_year_only_when_asked(migrant):
    plain = _ask(migrant)
    services.periods_answer(message=plain.twin, approve=True, user=migrant["ci_officer"])
    plain.refresh_from_db()
    assert plain.periods["years"] == [{"year": 2023, "months": 1}, {"year": 2024, "months": 3}]
    asked = _ask(migrant, with_salaries=True)
    services.periods_answer(message=asked.twin, approve=True, user=migrant["ci_officer"])
    asked.refresh_from_db()
    assert asked.periods["years"] == [
        {"year": 2023, "months": 1, "salary": "150000"},
        {"year": 2024, "months": 3, "salary": "450000"},
    ]


def test_periods_stay_with_the_record_after_a_split_and_a_merge(migrant, zone):
    """Before issue 15 the joined career read approved requests by zone person: splitting the
    requester's record took the periods away from it, and a record later merged into the old
    zone person received periods never asked for it."""
    ml = migrant["ml"]
    outgoing = _ask(migrant)
    services.periods_answer(message=outgoing.twin, approve=True, user=migrant["ci_officer"])
    zone_person_split(person=ml)
    newcomer = person(zone["INPS-ML"], "Coulibaly", "Mamadou", birth_date=dt.date(1990, 1, 1))
    zone_persons_merge(person=newcomer, other=migrant["ci"])
    with tenant_scope(zone["INPS-ML"]):
        mine = selectors.joined_career(ml)
        theirs = selectors.joined_career(newcomer)
    assert [(p.organisation_code, p.months) for p in mine.parts] == [("INPS-ML", 2), ("CNPS-CI", 4)]
    assert mine.months == 5  # 2023-12 insured at both counts once
    assert [(p.organisation_code, p.months) for p in theirs.parts] == [("INPS-ML", 0)]


def test_overdue_messages_are_counted_and_flagged(migrant, client):
    outgoing = _ask(migrant)
    deadline = outgoing.deadline
    assert deadline == timezone.localdate() + dt.timedelta(days=30)
    ci = migrant["ci"].organisation
    assert selectors.overdue_count(ci, deadline) == 0
    assert selectors.overdue_count(ci, deadline + dt.timedelta(days=1)) == 1
    assert selectors.overdue_count(migrant["ml"].organisation, deadline + dt.timedelta(days=1)) == 0
    LiaisonMessage.unscoped.filter(reference=outgoing.reference).update(
        deadline=timezone.localdate() - dt.timedelta(days=1)
    )
    client.force_login(migrant["ci_officer"])
    page = client.get(reverse("exchange-inbox") + "?tab=overdue").content.decode()
    assert f'data-reference="{outgoing.reference}"' in page and "message overdue" in page
    assert 'id="overdue-count"' in page
    services.periods_answer(message=outgoing.twin, approve=True, user=migrant["ci_officer"])
    assert selectors.overdue_count(ci, timezone.localdate()) == 0


def test_a_notice_of_death_reaches_every_other_holder_and_is_acknowledged(migrant, client):
    sent = services.death_notice_send(
        person=migrant["ml"], date_of_death=dt.date(2025, 3, 1), user=migrant["ml_officer"]
    )
    assert [(m.recipient.code, m.payload) for m in sent] == [
        ("CNPS-CI", {"date_of_death": "2025-03-01"})
    ]
    incoming = sent[0].twin
    assert (incoming.person, incoming.kind, incoming.status) == (
        migrant["ci"],
        "death_notice",
        "pending",
    )
    client.force_login(migrant["ci_officer"])
    url = reverse("exchange-message-detail", kwargs={"pk": incoming.pk})
    for language in ("fr", "en"):
        client.cookies["django_language"] = language
        page = client.get(url).content.decode()
        assert "01/03/2025" in page and "2025-03-01" not in page, language
    client.post(url, {"decision": "done"})
    assert set(LiaisonMessage.unscoped.values_list("status", flat=True)) == {"done"}
    with pytest.raises(ValidationError) as err:
        services.death_notice_send(
            person=migrant["ml"],
            date_of_death=timezone.localdate() + dt.timedelta(days=1),
            user=None,
        )
    assert list(err.value.message_dict) == ["date_of_death"]


def test_only_the_liaison_officer_sends_and_answers(migrant, client, zone, make_user):
    agent = make_user(zone["INPS-ML"], "registration_agent")
    client.force_login(agent)
    response = client.post(
        reverse("exchange-request", kwargs={"pk": migrant["ml"].pk}),
        {"target": "CNPS-CI", "purpose": "old_age"},
    )
    assert response.status_code == 403
    assert LiaisonMessage.unscoped.count() == 0
    page = client.get(reverse("exchange-person", kwargs={"pk": migrant["ml"].pk})).content.decode()
    assert reverse("exchange-request", kwargs={"pk": migrant["ml"].pk}) not in page


def test_old_liaison_urls_redirect(migrant, client):
    incoming = _ask(migrant).twin
    client.force_login(migrant["ci_officer"])
    response = client.get(f"/identity/liaison/{incoming.pk}/")
    assert (response.status_code, response["Location"]) == (
        302,
        f"/exchange/messages/{incoming.pk}/",
    )
    assert client.get("/identity/liaison/")["Location"] == "/exchange/"


def test_forward_and_a_rejection_go_both_ways(migrant, zone, make_user):
    """Through the real benefits services (the worked example's approval: test_flow.py): the
    periods answered land on the origin's claim; the forward opens CNPS-CI's own claim, dated as
    the origin's, with INPS-ML's months; CNPS-CI's rejection goes back with its reason and no
    amount; a decision is sent once."""
    from kafo.benefits import claim_decisions, claims
    from kafo.benefits.models import ClaimForeignPeriods
    from kafo.benefits.services import benefits_seed

    benefits_seed()
    ci_officer = make_user(zone["CNPS-CI"], "benefits_officer")
    ci_director = make_user(zone["CNPS-CI"], "director")
    origin = claims.claim_open(
        person=migrant["ml"],
        kind="pension",
        claim_date=dt.date(2026, 1, 15),
        user=make_user(zone["INPS-ML"], "benefits_officer"),
    )
    outgoing = _ask(migrant, claim=origin)
    services.periods_answer(message=outgoing.twin, approve=True, user=migrant["ci_officer"])
    assert list(
        ClaimForeignPeriods.unscoped.filter(claim=origin).values_list(
            "source_organisation__code", "months", "reference"
        )
    ) == [("CNPS-CI", ["2023-12", "2024-01", "2024-02", "2024-05"], outgoing.reference)]
    forward = services.claim_forward(claim=origin, target="CNPS-CI", user=migrant["ml_officer"])
    target_claim = forward.twin.claim
    assert (target_claim.organisation.code, target_claim.person, target_claim.claim_date) == (
        "CNPS-CI",
        migrant["ci"],
        dt.date(2026, 1, 15),
    )
    assert list(
        ClaimForeignPeriods.unscoped.filter(claim=target_claim).values_list(
            "source_organisation__code", "months"
        )
    ) == [("INPS-ML", ["2023-11", "2023-12"])]
    with pytest.raises(ValidationError):
        services.claim_forward(claim=origin, target="CNPS-CI", user=migrant["ml_officer"])
    for doc in target_claim.documents.filter(required=True):
        claims.claim_document_set(
            claim=target_claim, code=doc.code, received=True, user=ci_officer, reference="P"
        )
    claims.claim_compute(claim=target_claim, user=ci_officer)
    claims.claim_submit(claim=target_claim, user=ci_officer)
    claim_decisions.claim_reject(claim=target_claim, user=ci_director, reason="Hors délai")
    received = LiaisonMessage.unscoped.get(organisation=zone["INPS-ML"], kind="decision")
    assert (received.claim, received.direction, received.status) == (origin, "incoming", "pending")
    assert {
        k: received.payload[k]
        for k in ("status", "monthly_amount", "start_date", "rejection_reason")
    } == {
        "status": "rejected",
        "monthly_amount": "",
        "start_date": "",
        "rejection_reason": "Hors délai",
    }
    forward.refresh_from_db()
    assert forward.status == "done"
    assert services.decision_send(claim=target_claim, user=migrant["ci_officer"]) == []


def _post(client, url, body=None, language="fr"):
    return client.post(
        url, body or {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
    )


def test_api_sends_a_notice_of_death_and_acknowledges_it(migrant, client):
    ml, ci = migrant["ml"], migrant["ci"]
    client.force_login(migrant["ml_officer"])
    url = f"/api/persons/{ml.pk}/liaison/death"
    for body, language, reason in (
        ({"date_of_death": "01/03/2025"}, "fr", "date attendue au format AAAA-MM-JJ"),
        ({"date_of_death": "2999-01-01"}, "fr", "La date du décès est dans le futur."),
        ({"date_of_death": "2999-01-01"}, "en", "The date of death is in the future."),
    ):
        response = _post(client, url, body, language)
        assert response.status_code == 422, body
        [error] = response.json()["errors"]
        # a schema error is named by its place in the body ("payload.date_of_death")
        assert error["field"].endswith("date_of_death") and reason in error["reason"], error
    assert LiaisonMessage.unscoped.count() == 0
    response = _post(client, url, {"date_of_death": "2025-03-01"})
    assert response.status_code == 201
    [sent] = response.json()
    assert (sent["recipient_code"], sent["kind"], sent["payload"]) == (
        "CNPS-CI",
        "death_notice",
        {"date_of_death": "2025-03-01"},
    )
    incoming = LiaisonMessage.unscoped.get(organisation=ci.organisation)
    # Only the recipient acknowledges, once.
    assert _post(client, f"/api/exchange/messages/{sent['id']}/acknowledge").status_code == 422
    client.force_login(migrant["ci_officer"])
    ack = f"/api/exchange/messages/{incoming.pk}/acknowledge"
    response = _post(client, ack)
    assert (response.status_code, response.json()["status"]) == (200, "done")
    assert set(LiaisonMessage.unscoped.values_list("status", flat=True)) == {"done"}
    again = _post(client, ack, language="en")
    assert again.status_code == 422
    assert again.json()["errors"] == [
        {"field": "status", "reason": "This message has already been taken into account."}
    ]


def test_api_refuses_a_death_notice_or_forward_to_who_may_not_liaise(migrant, client, make_user):
    from kafo.benefits import claims
    from kafo.benefits.services import benefits_seed

    benefits_seed()
    agent = make_user(migrant["ml"].organisation, "benefits_officer")
    claim = claims.claim_open(
        person=migrant["ml"], kind="pension", claim_date=dt.date(2026, 1, 15), user=agent
    )
    client.force_login(agent)
    assert (
        _post(
            client,
            f"/api/persons/{migrant['ml'].pk}/liaison/death",
            {"date_of_death": "2025-03-01"},
        ).status_code
        == 403
    )
    forward = f"/api/benefits/claims/{claim.pk}/liaison/forward"
    assert _post(client, forward, {"target_organisation_code": "CNPS-CI"}).status_code == 403
    assert LiaisonMessage.unscoped.count() == 0


def test_api_forwards_a_claim_once(migrant, client, make_user):
    from kafo.benefits import claims
    from kafo.benefits.models import Claim
    from kafo.benefits.services import benefits_seed

    benefits_seed()
    claim = claims.claim_open(
        person=migrant["ml"],
        kind="pension",
        claim_date=dt.date(2026, 1, 15),
        user=make_user(migrant["ml"].organisation, "benefits_officer"),
    )
    client.force_login(migrant["ml_officer"])
    url = f"/api/benefits/claims/{claim.pk}/liaison/forward"
    unknown = _post(client, url, {"target_organisation_code": "XX-00"})
    assert (unknown.status_code, unknown.json()["errors"]) == (
        422,
        [{"field": "target_organisation_code", "reason": "Organisme inconnu."}],
    )
    assert _post(client, url, {}).status_code == 422
    assert LiaisonMessage.unscoped.count() == 0
    response = _post(client, url, {"target_organisation_code": "cnps-ci"})
    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["recipient_code"], body["status"]) == (
        "claim_forward",
        "CNPS-CI",
        "pending",
    )
    assert body["payload"] == {
        "claim_kind": "pension",
        "claim_date": "2026-01-15",
        "origin_reference": claim.reference,
    }
    opened = Claim.unscoped.get(organisation=migrant["ci"].organisation)
    assert (opened.person, opened.origin_reference) == (migrant["ci"], claim.reference)
    again = _post(client, url, {"target_organisation_code": "CNPS-CI"}, language="en")
    assert again.status_code == 422
    assert again.json()["errors"] == [
        {
            "field": "target_organisation_code",
            "reason": "This claim has already been forwarded to this organisation.",
        }
    ]
    assert LiaisonMessage.unscoped.count() == 2
