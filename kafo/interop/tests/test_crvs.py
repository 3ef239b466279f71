"""Kafo and the civil registry: subscription to deaths, search by national id, the notified death
applied to a sure match (pension stopped, survivors' claim flagged) and the others reviewed."""

import datetime as dt

import pytest
from django.urls import reverse

from kafo.audit.models import AuditEvent
from kafo.interop import auth, spec
from kafo.interop.crvs import client as crvs_client
from kafo.interop.crvs import deaths
from kafo.interop.models_events import DeathMatch, DeathNotice
from kafo.jobs import run_pending
from kafo.payroll.models import BenefitInPayment, DeathRecord
from kafo.payroll.tests.factories import make_benefit
from kafo.registry.services import dependant_add
from kafo.registry.tests.factories import person as make_person

from .crvs_server import CrvsServer, death_record
from .factories_events import civil_registry

NID = "12345678901234A"
DEATH = dt.date(2025, 9, 14)


@pytest.fixture
def pensioner(zone):
    org = zone["INPS-ML"]
    person = make_person(org, family_name="Keïta", given_names="Seydou", national_id=NID)
    dependant_add(
        person=person,
        data={
            "relationship": "spouse",
            "family_name": "Keïta",
            "given_names": "Aminata",
            "sex": "F",
            "birth_date": dt.date(1978, 1, 1),
            "marriage_date": dt.date(2000, 1, 1),
        },
    )
    benefit = make_benefit(org, person=person, payee_name="KEÏTA Seydou", amount=150_000)
    return {"org": org, "person": person, "benefit": benefit}


@pytest.fixture
def crvs(zone, settings):
    made = []

    def _make(base_url=None):
        registry = civil_registry(zone["INPS-ML"], code="ec-ml")
        server = CrvsServer(
            client_id="kafo",
            client_secret="s3cret",
            kafo_token=auth.issue_token(registry.partner)[0],
        )
        made.append(server)
        registry.base_url = server.url
        registry.save()
        settings.INTEROP_CRVS_SECRETS = {"ec-ml": "s3cret"}
        return registry, server

    yield _make
    for server in made:
        server.close()


def _bearer(registry):
    return {"HTTP_AUTHORIZATION": f"Bearer {auth.issue_token(registry.partner)[0]}"}


def _notify(client, registry, server, *records, capture):
    body = server.notify_body(*records)
    with capture(execute=True):
        response = client.post(
            reverse("interop-crvs-callback"),
            data=body,
            content_type="application/json",
            **_bearer(registry),
        )
    return response


def _process():
    """Run the matching job of each received notice (what the worker does; run_pending would
    close the test's connection on PostgreSQL outside a transactional test)."""
    for pk in DeathNotice.objects.filter(outcome="received").values_list("pk", flat=True):
        deaths.death_notice_process.call(pk)


def _assert_ack(response):
    data = response.json()
    ref = spec.pointer(
        "components", "responses", "Response", "content", "application/json", "schema"
    )
    assert spec.errors(spec.CRVS, ref, data) == []
    assert data["message"]["ack_status"] == "ACK"


@pytest.mark.django_db(transaction=True)
def test_death_flow_end_to_end(pensioner, crvs, live_server, settings):
    """Kafo subscribes, the CRVS confirms then notifies a death: the pension stops at the end of
    the month of death and the survivors' claim is opened."""
    settings.INTEROP_PUBLIC_URL = live_server.url
    registry, server = crvs()
    crvs_client.crvs_subscribe.enqueue(registry.pk)
    run_pending()
    [sub] = server.subscriptions
    assert sub["sender_uri"] == live_server.url + "/crvs/callback"
    assert sub["reg_event_type"] == "spdci-crvs:VitalEventType:death"
    assert server.send_callbacks() == [200]
    registry.refresh_from_db()
    assert registry.subscription_code == sub["code"]
    [(status, ack)] = server.notify_death(
        death_record(NID, "KEITA", "Seydou", "1975-03-12", DEATH.isoformat())
    )
    assert (status, ack["message"]["ack_status"]) == (200, "ACK")
    assert server.errors == []
    run_pending()
    benefit = BenefitInPayment.objects.get(pk=pensioner["benefit"].pk)
    assert (benefit.status, benefit.status_reason, benefit.end_date, benefit.payee_death_date) == (
        "stopped",
        "death",
        dt.date(2025, 9, 30),
        DEATH,
    )
    record = DeathRecord.objects.get(person=pensioner["person"])
    assert record.source.startswith("État civil État civil du Mali")
    assert (record.survivors_claim.kind, record.survivors_claim.status) == ("survivors", "opened")
    notice = DeathNotice.objects.get()
    assert (notice.outcome, notice.national_id) == ("applied", NID)
    [match] = DeathMatch.objects.all()
    assert (match.status, match.method, match.death_record) == ("applied", "national_id", record)


def test_search_by_national_id(crvs):
    registry, server = crvs()
    server.people[NID] = death_record(NID, "KEITA", "Seydou", "1975-03-12", DEATH.isoformat())
    [found] = crvs_client.search_by_national_id(registry, NID)
    assert (found["death_date"], found["identifier"]["identifier_value"]) == ("2025-09-14", NID)
    assert crvs_client.search_by_national_id(registry, "99999999999999Z") == []
    assert server.errors == []
    assert server.requests == ["/oauth2/client/token", "/registry/sync/search"] * 2


def test_wrong_secret_at_the_crvs_is_an_error_not_a_subscription(crvs, settings):
    registry, server = crvs()
    settings.INTEROP_CRVS_SECRETS = {"ec-ml": "wrong"}
    crvs_client.crvs_subscribe.call(registry.pk)
    registry.refresh_from_db()
    assert (registry.subscription_code, server.subscriptions) == ("", [])
    assert registry.last_error.endswith("/oauth2/client/token : HTTP 401")


def test_weak_match_goes_to_review_then_accepted_on_the_page(
    pensioner, crvs, client, make_user, django_capture_on_commit_callbacks
):
    registry, server = crvs()
    # no national id in the civil registry's record: names (accents aside) and birth date only
    response = _notify(
        client,
        registry,
        server,
        death_record("", "KEITA", "Seydou", "1975-03-12", DEATH.isoformat()),
        capture=django_capture_on_commit_callbacks,
    )
    _assert_ack(response)
    _process()
    benefit = pensioner["benefit"]
    benefit.refresh_from_db()
    assert (benefit.status, DeathRecord.objects.count()) == ("in_payment", 0)
    [match] = DeathMatch.objects.all()
    assert (match.status, match.method, match.person) == (
        "pending",
        "names_birth",
        pensioner["person"],
    )
    assert DeathNotice.objects.get().outcome == "review"
    officer = make_user(pensioner["org"], "payment_officer")
    client.force_login(officer)
    page = client.get(reverse("interop-death-review"))
    assert "Nom, prénoms et date de naissance" in page.content.decode()
    client.post(reverse("interop-death-decide", args=[match.pk]), {"decision": "accept"})
    match.refresh_from_db()
    benefit.refresh_from_db()
    assert (match.status, match.decided_by, benefit.status, benefit.end_date) == (
        "accepted",
        officer,
        "stopped",
        dt.date(2025, 9, 30),
    )
    assert match.death_record.survivors_claim.kind == "survivors"
    assert DeathNotice.objects.get().outcome == "applied"
    assert AuditEvent.objects.filter(object_type="deathmatch", action="update").count() == 1


def test_rejected_match_changes_nothing(
    pensioner, crvs, client, make_user, django_capture_on_commit_callbacks
):
    registry, server = crvs()
    _notify(
        client,
        registry,
        server,
        death_record("", "Keïta", "Seydou", "1975-03-12", DEATH.isoformat()),
        capture=django_capture_on_commit_callbacks,
    )
    _process()
    [match] = DeathMatch.objects.all()
    client.force_login(make_user(pensioner["org"], "payment_officer"))
    client.post(reverse("interop-death-decide", args=[match.pk]), {"decision": "reject"})
    match.refresh_from_db()
    pensioner["benefit"].refresh_from_db()
    assert (match.status, pensioner["benefit"].status, DeathRecord.objects.count()) == (
        "rejected",
        "in_payment",
        0,
    )
    assert DeathNotice.objects.get().outcome == "rejected"
    # decided once: a second decision is refused
    client.post(reverse("interop-death-decide", args=[match.pk]), {"decision": "accept"})
    assert DeathRecord.objects.count() == 0


def test_national_id_with_another_birth_date_is_not_applied(
    pensioner, crvs, client, django_capture_on_commit_callbacks
):
    registry, server = crvs()
    _notify(
        client,
        registry,
        server,
        death_record(NID, "KEITA", "Seydou", "1980-01-01", DEATH.isoformat()),
        capture=django_capture_on_commit_callbacks,
    )
    _process()
    pensioner["benefit"].refresh_from_db()
    assert (pensioner["benefit"].status, DeathRecord.objects.count()) == ("in_payment", 0)
    [match] = DeathMatch.objects.all()
    assert (match.status, match.method) == ("pending", "national_id")


def test_unmatched_death_is_not_applied(
    pensioner, crvs, client, django_capture_on_commit_callbacks
):
    registry, server = crvs()
    _notify(
        client,
        registry,
        server,
        death_record("99999999999999Z", "DIARRA", "Oumar", "1950-05-05", DEATH.isoformat()),
        capture=django_capture_on_commit_callbacks,
    )
    _process()
    pensioner["benefit"].refresh_from_db()
    assert (pensioner["benefit"].status, DeathRecord.objects.count()) == ("in_payment", 0)
    assert (DeathNotice.objects.get().outcome, DeathMatch.objects.count()) == ("unmatched", 0)


def test_the_same_notice_twice_is_recorded_once(
    pensioner, crvs, client, django_capture_on_commit_callbacks
):
    registry, server = crvs()
    body = server.notify_body(death_record(NID, "KEITA", "Seydou", "1975-03-12", DEATH.isoformat()))
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("interop-crvs-callback"),
                data=body,
                content_type="application/json",
                **_bearer(registry),
            )
        assert response.status_code == 200
    _process()
    assert (DeathNotice.objects.count(), DeathRecord.objects.count()) == (1, 1)


def test_callback_refuses_without_token_other_partner_and_bad_body(pensioner, crvs, client):
    from kafo.interop.models import Partner

    registry, server = crvs()
    url = reverse("interop-crvs-callback")
    body = server.notify_body(death_record(NID, "KEITA", "Seydou", "1975-03-12", "2025-09-14"))
    no_token = client.post(url, data=body, content_type="application/json")
    assert no_token.status_code == 401
    assert spec.errors(spec.CRVS, spec.ERROR_RESPONSE, no_token.json()) == []
    other = Partner.objects.create(
        organisation=pensioner["org"],
        name="RSU",
        kind="programme",
        client_id="rsu-x",
        client_secret_hash="!",
        created_at=registry.partner.created_at,
    )
    token = auth.issue_token(other)[0]
    forbidden = client.post(
        url, data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert forbidden.status_code == 403
    del body["message"]["notify_event"][0]["data"]["reg_records"]
    bad = client.post(url, data=body, content_type="application/json", **_bearer(registry))
    assert bad.status_code == 400
    assert "reg_records" in bad.json()["errors"][0]["message"]
    assert DeathNotice.objects.count() == 0
    pensioner["benefit"].refresh_from_db()
    assert pensioner["benefit"].status == "in_payment"


def test_review_of_another_organisation_is_not_reachable(pensioner, zone, client, make_user):
    from .factories_events import death_match

    match = death_match(zone["CMSS-ML"])
    client.force_login(make_user(pensioner["org"], "payment_officer"))
    assert "Traoré" not in client.get(reverse("interop-death-review")).content.decode()
    response = client.post(reverse("interop-death-decide", args=[match.pk]), {"decision": "accept"})
    assert response.status_code == 404
    match.refresh_from_db()
    assert (match.status, DeathRecord.objects.count()) == ("pending", 0)


def test_command_adds_subscribes_and_searches(crvs, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    from kafo.interop.models_events import CivilRegistry

    registry, server = crvs()
    server.people[NID] = death_record(NID, "KEITA", "Seydou", "1975-03-12", DEATH.isoformat())
    out = StringIO()
    call_command(
        "crvs", "add", "ec-sn", "--name", "État civil du Sénégal", "--url", server.url,
        "--client-id", "kafo", "--partner", registry.partner.client_id, stdout=out,
    )  # fmt: skip
    assert CivilRegistry.objects.get(code="ec-sn").base_url == server.url
    with django_capture_on_commit_callbacks() as callbacks:
        call_command("crvs", "subscribe", "ec-ml", stdout=out)
    assert len(callbacks) == 1
    call_command("crvs", "search", "ec-ml", NID, stdout=out)
    call_command("crvs", "search", "ec-ml", "99999999999999Z", stdout=out)
    assert out.getvalue().splitlines() == [
        "ec-sn : état civil enregistré",
        "ec-ml : abonnement aux décès demandé",
        f"{NID} : décès 2025-09-14",
        "99999999999999Z : inconnu de l'état civil",
    ]
