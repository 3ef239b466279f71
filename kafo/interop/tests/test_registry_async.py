"""Asynchronous endpoints: ACK then a callback to a registered URL only; subscribe,
unsubscribe and transaction status."""

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kafo.interop.models import CallbackStatus, Subscription, Transaction
from kafo.jobs import run_pending
from kafo.registry.tests.factories import person

from .spdci_client import (
    assert_callback_matches,
    assert_matches,
    envelope,
    idtype,
    now_ts,
    post,
    search_message,
)


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        self.server.bodies.append((self.path, json.loads(self.rfile.read(length))))
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    """A partner's callback server on loopback, stopped after the test."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.bodies, server.status = [], 200
    server.timeout = 5
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _run_jobs(capture):
    for _ in range(3):  # the answer, then its callback
        with capture(execute=True):
            run_pending()


@pytest.fixture
def awa(zone):
    return person(
        zone["INPS-ML"],
        "Traoré",
        "Awa",
        sex="F",
        national_id="12345678901234K",
        birth_date=dt.date(1960, 5, 1),
    )


@pytest.mark.django_db(transaction=True)  # the job worker closes connections
def test_async_search_acks_then_calls_back_the_registered_url(
    client, make_partner, bearer, awa, receiver, django_capture_on_commit_callbacks
):
    url = f"{receiver.url}/on-search"
    partner = make_partner(callback_urls=[url])
    body = envelope("search", search_message(idtype("UIN", "12345678901234K")), sender_uri=url)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "/registry/search", body, bearer(partner))
    data = assert_matches("/registry/search", response)
    assert data["message"]["ack_status"] == "ACK"
    assert receiver.bodies == []  # nothing before the job runs
    _run_jobs(django_capture_on_commit_callbacks)
    ((path, callback),) = receiver.bodies
    assert path == "/on-search"
    assert_callback_matches("/registry/on-search", callback)
    assert callback["header"]["action"] == "on-search"
    assert callback["message"]["correlation_id"] == data["message"]["correlation_id"]
    (record,) = callback["message"]["search_response"][0]["data"]["reg_records"]
    assert record["name"]["given_name"] == "Awa"
    txn = Transaction.objects.get()
    assert (txn.status, txn.callback_status, txn.callback_attempts) == ("succ", "sent", 1)


@pytest.mark.django_db(transaction=True)  # the job worker closes connections
def test_unregistered_callback_url_is_never_called(
    client, make_partner, bearer, awa, receiver, django_capture_on_commit_callbacks
):
    partner = make_partner(callback_urls=[f"{receiver.url}/registered"])
    body = envelope(
        "search",
        search_message(idtype("UIN", "12345678901234K")),
        sender_uri=f"{receiver.url}/elsewhere",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "/registry/search", body, bearer(partner))
    assert response.status_code == 400
    data = assert_matches("/registry/search", response)
    assert data["message"]["ack_status"] == "ERR"
    assert data["message"]["error"]["code"] == "err.sender_uri.invalid"
    _run_jobs(django_capture_on_commit_callbacks)
    assert receiver.bodies == []
    assert Transaction.objects.count() == 0


@pytest.mark.django_db(transaction=True)  # the job worker closes connections
def test_failed_callback_is_retried_then_failed(
    client, make_partner, bearer, awa, receiver, django_capture_on_commit_callbacks
):
    from kafo.interop import callbacks

    url = f"{receiver.url}/on-search"
    receiver.status = 503
    partner = make_partner(callback_urls=[url])
    body = envelope("search", search_message(idtype("UIN", "12345678901234K")))
    with django_capture_on_commit_callbacks(execute=True):
        post(client, "/registry/search", body, bearer(partner))
    _run_jobs(django_capture_on_commit_callbacks)
    txn = Transaction.objects.get()
    assert (txn.callback_status, txn.callback_attempts, txn.callback_error) == (
        "pending",
        1,
        "HTTP 503",
    )
    for _ in range(callbacks.MAX_ATTEMPTS - 1):  # the retries, run as if their time had come
        callbacks.deliver_callback.call(txn.pk)
    txn.refresh_from_db()
    assert (txn.callback_status, txn.callback_attempts) == (CallbackStatus.FAILED, 5)
    assert len(receiver.bodies) == 5


def _subscribe_body(url, *items):
    return envelope(
        "subscribe",
        {
            "transaction_id": "T-S",
            "subscribe_request": [
                {"reference_id": ref, "timestamp": now_ts(), "subscribe_criteria": criteria}
                for ref, criteria in items
            ],
        },
        sender_uri=url,
    )


DEATHS = {
    "reg_event_type": "spdci-common:RegistryEventType:Death",
    "filter_type": "predicate",
    "filter": [
        {
            "seq_num": 1,
            "expression1": {
                "attribute_name": "organisation",
                "operator": "eq",
                "attribute_value": "INPS-ML",
            },
        }
    ],
    "notify_record_type": "SRPerson",
}


@pytest.mark.django_db(transaction=True)  # the job worker closes connections
def test_subscribe_then_unsubscribe(
    client, make_partner, bearer, receiver, django_capture_on_commit_callbacks, zone
):
    url = f"{receiver.url}/cb"
    partner = make_partner(callback_urls=[url])
    bad = DEATHS | {"reg_event_type": "Marriage"}
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client,
            "/registry/subscribe",
            _subscribe_body(url, ("S-1", DEATHS), ("S-2", bad)),
            bearer(partner),
        )
    assert_matches("/registry/subscribe", response)
    _run_jobs(django_capture_on_commit_callbacks)
    ((_, callback),) = receiver.bodies
    assert_callback_matches("/registry/on-subscribe", callback)
    ok, refused = callback["message"]["subscribe_response"]
    assert (ok["status"], refused["status"]) == ("succ", "rjct")
    assert refused["status_reason_code"] == "rjct.notify_types.invalid"
    sub = Subscription.objects.get()
    assert ok["subscriptions"][0]["code"] == sub.code
    assert (sub.event_kind, sub.callback_url, sub.status) == ("death", url, "subscribe")

    body = envelope(
        "unsubscribe",
        {"transaction_id": "T-U", "timestamp": now_ts(), "subscription_codes": [sub.code]},
        sender_uri=url,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "/registry/unsubscribe", body, bearer(partner))
    assert_matches("/registry/unsubscribe", response)
    _run_jobs(django_capture_on_commit_callbacks)
    _, callback = receiver.bodies[1]
    assert_callback_matches("/registry/on-unsubscribe", callback)
    assert callback["message"]["status"] == "succ"
    assert callback["message"]["subscription_status"] == [
        {"code": sub.code, "status": "unsubscribe"}
    ]
    sub.refresh_from_db()
    assert sub.status == "unsubscribe"


@pytest.mark.django_db(transaction=True)  # the job worker closes connections
def test_another_partners_subscription_cannot_be_cancelled(
    client, make_partner, bearer, receiver, django_capture_on_commit_callbacks, zone
):
    url = f"{receiver.url}/cb"
    owner = make_partner(callback_urls=[url])
    other = make_partner(callback_urls=[url], name="Autre")
    with django_capture_on_commit_callbacks(execute=True):
        post(client, "/registry/subscribe", _subscribe_body(url, ("S-1", DEATHS)), bearer(owner))
    _run_jobs(django_capture_on_commit_callbacks)
    sub = Subscription.objects.get()
    body = envelope(
        "unsubscribe",
        {"transaction_id": "T-U", "timestamp": now_ts(), "subscription_codes": [sub.code]},
        sender_uri=url,
    )
    with django_capture_on_commit_callbacks(execute=True):
        post(client, "/registry/unsubscribe", body, bearer(other))
    _run_jobs(django_capture_on_commit_callbacks)
    _, callback = receiver.bodies[-1]
    assert callback["message"]["status"] == "rjct"
    assert callback["message"]["status_reason_code"] == "rjct.subscription_code.invalid"
    sub.refresh_from_db()
    assert sub.status == "subscribe"


def _txn_status_body(kind, value, txn_type="search"):
    return envelope(
        "txn-status",
        {
            "transaction_id": "T-Q",
            "txnstatus_request": {
                "reference_id": "Q-1",
                "txn_type": txn_type,
                "attribute_type": kind,
                "attribute_value": value,
            },
        },
    )


def test_sync_txn_status_by_transaction_and_reference(client, make_partner, bearer, awa):
    partner = make_partner()
    post(
        client,
        "/registry/sync/search",
        envelope("search", search_message(idtype("UIN", "12345678901234K"), transaction_id="T-7")),
        bearer(partner),
    )
    path = "/registry/sync/txn/status"
    for kind, value in (("transaction_id", "T-7"), ("reference_id_list", ["R-1"])):
        response = post(client, path, _txn_status_body(kind, value), bearer(partner))
        data = assert_matches(path, response)
        status = data["message"]["txnstatus_response"]["txn_status"]
        assert status["transaction_id"] == "T-7"
        (item,) = status["search_response"]
        assert (item["reference_id"], item["status"]) == ("R-1", "succ")
        assert item["data"]["reg_records"][0]["name"]["given_name"] == "Awa"


def test_txn_status_never_shows_another_partners_transaction(client, make_partner, bearer, awa):
    owner, other = make_partner(), make_partner(name="Autre")
    post(
        client,
        "/registry/sync/search",
        envelope("search", search_message(idtype("UIN", "12345678901234K"), transaction_id="T-7")),
        bearer(owner),
    )
    path = "/registry/sync/txn/status"
    response = post(client, path, _txn_status_body("transaction_id", "T-7"), bearer(other))
    data = assert_matches(path, response)
    assert data["header"]["status"] == "rjct"
    assert data["message"]["txnstatus_response"]["txn_status"]["search_response"] == []


@pytest.mark.django_db(transaction=True)  # the job worker closes connections
def test_async_txn_status_calls_back(
    client, make_partner, bearer, awa, receiver, django_capture_on_commit_callbacks
):
    url = f"{receiver.url}/status"
    partner = make_partner(callback_urls=[url])
    post(
        client,
        "/registry/sync/search",
        envelope("search", search_message(idtype("UIN", "12345678901234K"), transaction_id="T-7")),
        bearer(partner),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client,
            "/registry/txn/status",
            _txn_status_body("transaction_id", "T-7"),
            bearer(partner),
        )
    assert_matches("/registry/txn/status", response)
    _run_jobs(django_capture_on_commit_callbacks)
    ((_, callback),) = receiver.bodies
    assert_callback_matches("/registry/txn/on-status", callback)
    assert callback["header"]["action"] == "txn-on-status"


def test_subscription_matches_only_within_filter_and_agreement(make_partner, zone):
    from kafo.interop.registry_api.subscriptions import subscription_matches

    partner = make_partner(zone["INPS-ML"])
    sub = Subscription.objects.create(
        partner=partner,
        code="C-1",
        reference_id="S-1",
        event_kind="death",
        reg_event_type="Death",
        filter_type="predicate",
        filter=DEATHS["filter"],
        notify_record_type="SRPerson",
        callback_url="https://x.example/cb",
        created_at=dt.datetime.now(dt.UTC),
    )
    ml = person(zone["INPS-ML"], "Traoré", "Awa")
    other = person(zone["CMSS-ML"], "Traoré", "Awa")
    assert subscription_matches(sub, ml) is True
    assert subscription_matches(sub, other) is False
    sub.status = "unsubscribe"
    assert subscription_matches(sub, ml) is False
