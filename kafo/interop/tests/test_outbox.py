"""Notifications to subscribers: the outbox filled where events happen, delivered by a job to the
subscription's registered callback, retried with backoff, failed after the last try."""

import datetime as dt
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kafo.interop import outbox, spec
from kafo.interop.models import Partner, Subscription
from kafo.interop.models_events import DeliveryAttempt, Notification
from kafo.jobs import pending_count, run_pending
from kafo.registry import services as registry
from kafo.registry.tests.factories import person as make_person


class Receiver:
    """A subscriber's callback on loopback answering the given statuses in turn (then 200)."""

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.bodies: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.bodies.append(json.loads(raw))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/on-notify"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def receiver():
    made = []

    def _make(statuses=()):
        r = Receiver(statuses)
        made.append(r)
        return r

    yield _make
    for r in made:
        r.close()


def _partner(org, *, callback_urls, orgs=None, attributes=("name", "national_id")):
    partner = Partner.objects.create(
        organisation=org,
        name="RSU Mali",
        kind="programme",
        attributes=list(attributes),
        callback_urls=list(callback_urls),
        client_id="rsu-" + uuid.uuid4().hex[:8],
        client_secret_hash="!",
        created_at=timezone.now(),
    )
    partner.organisations.set(orgs or [org])
    return partner


def _subscribe(partner, kind, url, **extra):
    return Subscription.objects.create(
        partner=partner,
        code="S-" + uuid.uuid4().hex[:8],
        reference_id="R-1",
        event_kind=kind,
        reg_event_type={"registration": "REGISTER", "death": "Death"}.get(kind, "UpdateStatus"),
        callback_url=url,
        created_at=timezone.now(),
        **extra,
    )


@pytest.mark.django_db(transaction=True)  # jobs are enqueued on commit
def test_registration_notified_to_the_subscriber_as_the_standard_says(zone, receiver):
    org = zone["INPS-ML"]
    r = receiver()
    partner = _partner(org, callback_urls=[r.url])
    _subscribe(partner, "registration", r.url)
    person = make_person(org, national_id="12345678901234A")
    assert run_pending() == 1
    n = Notification.objects.get()
    assert (n.status, n.attempts, n.person, n.event_kind, n.organisation) == (
        "sent",
        1,
        person,
        "registration",
        org,
    )
    [body] = r.bodies
    assert spec.errors(spec.SOCIAL, spec.request_ref("/registry/notify"), body) == []
    assert (body["header"]["action"], body["header"]["message_id"]) == ("notify", n.transaction_id)
    assert body["header"]["meta"]["event"] == "registration"
    record = body["message"]["notify_event"][0]["data"]["reg_records"]
    # only what the agreement allows: names and national id, no birth date, sex or phone
    assert record["name"] == {"@type": "Name", "surname": "Coulibaly", "given_name": "Mamadou"}
    assert record["identifier"] == [
        {"@type": "Identifier", "identifier_type": "UIN", "identifier_value": "12345678901234A"}
    ]
    assert "birth_date" not in record and "sex" not in record
    assert {"name": "event", "value": "registration"} in record["additional_attributes"]


@pytest.mark.django_db(transaction=True)
def test_no_notification_of_an_organisation_outside_the_agreement(zone, receiver):
    r = receiver()
    partner = _partner(zone["INPS-ML"], callback_urls=[r.url])
    _subscribe(partner, "registration", r.url)
    make_person(zone["CMSS-ML"])
    run_pending()
    assert (Notification.objects.count(), r.bodies) == (0, [])


@pytest.mark.django_db(transaction=True)
def test_rolled_back_registration_sends_nothing(zone, receiver):
    org = zone["INPS-ML"]
    r = receiver()
    _subscribe(_partner(org, callback_urls=[r.url]), "registration", r.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        make_person(org)
        raise RuntimeError
    run_pending()
    assert (Notification.objects.count(), r.bodies) == (0, [])


@pytest.mark.django_db(transaction=True)
def test_failed_delivery_retried_with_backoff_then_shown_failed(
    zone, receiver, settings, client, make_user
):
    settings.INTEROP_NOTIFY_BACKOFF = [60, 300]  # three tries
    org = zone["INPS-ML"]
    r = receiver(statuses=[500, 503, 500])
    partner = _partner(org, callback_urls=[r.url])
    _subscribe(partner, "registration", r.url)
    make_person(org)
    t0 = timezone.now()
    run_pending()
    n = Notification.objects.get()
    assert (n.status, n.attempts, n.last_error) == ("pending", 1, "HTTP 500")
    assert 59 <= (n.next_try_at - t0).total_seconds() <= 90
    assert pending_count("callbacks") == 1  # the next try waits its time
    assert run_pending() == 0
    # time passes: the worker would run the job at next_try_at; run it now
    outbox.notification_deliver.call(n.pk)
    n.refresh_from_db()
    assert (n.status, n.attempts, n.last_error) == ("pending", 2, "HTTP 503")
    outbox.notification_deliver.call(n.pk)
    n.refresh_from_db()
    assert (n.status, n.attempts, n.next_try_at, n.last_error) == ("failed", 3, None, "HTTP 500")
    assert list(DeliveryAttempt.objects.values_list("http_status", flat=True)) == [500, 503, 500]
    assert len(r.bodies) == 3
    outbox.notification_deliver.call(n.pk)  # a failed notification is not tried again
    assert len(r.bodies) == 3
    client.force_login(make_user(org, "director"))
    page = client.get(reverse("interop-notifications") + "?status=failed")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Échec définitif" in text and "HTTP 500" in text and "RSU Mali" in text


@pytest.mark.django_db(transaction=True)
def test_callback_url_not_registered_is_never_called(zone, receiver):
    org = zone["INPS-ML"]
    registered, other = receiver(), receiver()
    partner = _partner(org, callback_urls=[registered.url])
    # a subscription whose URL is no longer among the partner's (agreement changed since)
    _subscribe(partner, "registration", other.url)
    make_person(org)
    run_pending()
    n = Notification.objects.get()
    assert (n.status, n.last_error) == (
        "failed",
        "adresse de rappel non enregistrée pour ce partenaire",
    )
    assert (other.bodies, registered.bodies) == ([], [])


@pytest.mark.django_db(transaction=True)
def test_insured_status_change_notified_when_an_employment_starts_or_is_removed(zone, receiver):
    from kafo.registry.tests.factories import employer as make_employer

    org = zone["INPS-ML"]
    r = receiver()
    partner = _partner(org, callback_urls=[r.url], attributes=("name", "insurance"))
    _subscribe(partner, "insured_status", r.url)
    person = make_person(org)
    employer = make_employer(org)
    emp = registry.employment_add(
        person=person,
        data={"employer": employer, "start_date": timezone.localdate() - dt.timedelta(days=30)},
    )
    registry.employment_update(employment=emp, data={"job_title": "Comptable"})  # no change
    registry.employment_remove(employment=emp)
    run_pending()
    assert Notification.objects.filter(event_kind="insured_status").count() == 2
    insured = [
        next(
            a["value"]["insured"]
            for a in b["message"]["notify_event"][0]["data"]["reg_records"]["additional_attributes"]
            if a["name"] == "insurance"
        )
        for b in sorted(r.bodies, key=lambda b: b["message"]["notify_event"][0]["timestamp"])
    ]
    assert sorted(insured) == [False, True]


def test_the_page_is_refused_to_a_registration_agent(zone, client, make_user):
    client.force_login(make_user(zone["INPS-ML"], "registration_agent"))
    assert client.get(reverse("interop-notifications")).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_death_recorded_in_the_payroll_notified_to_death_subscribers_only(
    zone, receiver, make_user
):
    from kafo.payroll.services import death_record
    from kafo.payroll.tests.factories import make_benefit

    org = zone["INPS-ML"]
    deaths_r, registrations_r = receiver(), receiver()
    partner = _partner(org, callback_urls=[deaths_r.url, registrations_r.url])
    person = make_person(org)
    make_benefit(org, person=person)
    _subscribe(partner, "death", deaths_r.url)
    _subscribe(partner, "registration", registrations_r.url)
    death_record(
        organisation=org,
        person=person,
        death_date=dt.date(2025, 9, 14),
        source="Acte n° 12",
        user=make_user(org, "payment_officer"),
    )
    run_pending()
    [n] = Notification.objects.all()
    assert (n.event_kind, n.status, n.person) == ("death", "sent", person)
    [body] = deaths_r.bodies
    assert registrations_r.bodies == []
    assert spec.errors(spec.SOCIAL, spec.request_ref("/registry/notify"), body) == []
    assert body["header"]["meta"]["event"] == "death"


@pytest.mark.django_db(transaction=True)
def test_subscription_filter_selects_who_is_notified(zone, receiver):
    org = zone["INPS-ML"]
    r = receiver()
    partner = _partner(org, callback_urls=[r.url], attributes=("name", "sex"))
    _subscribe(
        partner,
        "registration",
        r.url,
        filter_type="predicate",
        filter=[
            {
                "seq_num": 1,
                "expression1": {
                    "attribute_name": "sex",
                    "operator": "eq",
                    "attribute_value": "female",
                },
            }
        ],
    )
    make_person(org, given_names="Mamadou")
    woman = make_person(org, family_name="Diallo", given_names="Fatoumata", sex="F")
    run_pending()
    assert list(Notification.objects.values_list("person", flat=True)) == [woman.pk]
    assert len(r.bodies) == 1
