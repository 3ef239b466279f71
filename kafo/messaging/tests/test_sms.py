"""Queue, send, retry, receipts and opt-out of SMS, through the real adapters on loopback."""

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.test import override_settings

from kafo.jobs import pending_count, run_pending
from kafo.messaging import services
from kafo.messaging.models import EmailRecord, SmsMessage, SmsOptOut
from kafo.messaging.tests.conftest import gateways
from kafo.messaging.tests.smsc import free_port

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = "Votre employeur SOTRA a déclaré pour 10/2026 un salaire de 125 000 FCFA"


@pytest.fixture
def ci(zone):
    return zone["CNPS-CI"]


def smpp(smsc, **extra):
    options = {
        "backend": "smpp",
        "host": "127.0.0.1",
        "port": smsc.port,
        "system_id": "kafo",
        "password": "secret",
        "source_addr": "CNPS-CI",
        "timeout_seconds": 3,
        "receipt_wait_seconds": 5,
        "retry_seconds": 0,
    }
    return gateways(**(options | extra))


def queue(org, to="07 01 23 45 67", text=TEXT):
    return services.queue_sms(organisation=org, to=to, text=text, purpose="worker_declared")


def test_sms_goes_through_the_smpp_server_and_its_receipt_marks_it_delivered(ci, smsc):
    with smpp(smsc):
        sms = queue(ci)
        assert (sms.to, sms.status, sms.attempts) == ("+2250701234567", "queued", 0)
        assert run_pending(["sms"]) == 1
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.gateway, sms.gateway_message_id) == (
        "delivered",
        1,
        "smpp",
        "m1",
    )
    assert sms.sent_at is not None and sms.delivered_at is not None
    assert smsc.binds == ["kafo"]
    [submitted] = smsc.submitted
    assert (submitted["source"], submitted["destination"]) == ("CNPS-CI", "2250701234567")
    assert (submitted["data_coding"], submitted["registered_delivery"]) == (0, 1)  # GSM-7, receipt
    assert submitted["short_message"].startswith(b"Votre employeur SOTRA a d\x05clar\x05 pour")


def test_an_undeliverable_receipt_marks_the_sms_failed(ci, smsc):
    with smpp(smsc):
        sms = queue(ci, to="+2250709999999")
        run_pending(["sms"])
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.last_error) == (
        "failed",
        1,
        "non remis par l'opérateur (UNDELIV)",
    )


def test_a_destination_the_smsc_refuses_fails_at_once_without_retry(ci, smsc):
    with smpp(smsc):
        sms = queue(ci, to="+2250708888888")
        run_pending(["sms"])
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("failed", 1)
    assert sms.last_error.startswith("SMPP: submit_sm refusé (0x0b")
    assert pending_count("sms") == 0


def test_an_smsc_that_is_down_loses_no_sms_it_is_retried_later(ci):
    port = free_port()  # nothing listens there
    with gateways(backend="smpp", host="127.0.0.1", port=port, timeout_seconds=1, retry_seconds=60):
        sms = queue(ci)
        before = dt.datetime.now(dt.UTC)
        run_pending(["sms"])
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("queued", 1)
    assert sms.last_error.startswith("SMPP: connexion ou bind refusé")
    assert dt.timedelta(seconds=59) < sms.next_attempt_at - before < dt.timedelta(seconds=62)
    assert pending_count("sms") == 1  # the retry, scheduled for later
    assert run_pending(["sms"]) == 0  # not before its time


def test_a_gateway_failure_is_retried_then_visible_as_failed_after_the_last_try(ci, outbox):
    with gateways(fail="passerelle en panne", max_attempts=3, retry_seconds=0):
        sms = queue(ci)
        assert run_pending(["sms"]) == 3  # the first try and two retries
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.last_error) == ("failed", 3, "passerelle en panne")
    assert sms.next_attempt_at is None
    assert outbox == []
    assert pending_count("sms") == 0


def test_a_gateway_back_up_sends_the_retried_sms(ci, outbox):
    with gateways(fail="panne", retry_seconds=0, max_attempts=5):
        sms = queue(ci)
        run_pending(["sms"], max_tasks=1)
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("queued", 1)
    with gateways(retry_seconds=0):
        run_pending(["sms"])
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.last_error) == ("sent", 2, "")
    assert [m["to"] for m in outbox] == ["+2250701234567"]


def test_an_invalid_number_is_refused_cleanly(ci, outbox):
    for raw in ["", "12", "n/a", "+22370123"]:
        sms = queue(ci, to=raw)
        assert sms.status == "refused"
        assert sms.raw_to == raw and sms.to == ""
    assert SmsMessage.unscoped.get(raw_to="12").last_error == "numéro invalide pour son pays : 12"
    assert pending_count("sms") == 0
    run_pending(["sms"])
    assert outbox == []


def test_an_opted_out_number_gets_nothing(ci, outbox):
    services.sms_opt_out(organisation=ci, number="0701234567")
    sms = queue(ci, to="+225 07 01 23 45 67")
    assert (sms.status, sms.last_error) == (
        "opted_out",
        "le destinataire a demandé à ne plus recevoir de SMS",
    )
    other = queue(ci, to="0701234568")
    run_pending(["sms"])
    assert [m["to"] for m in outbox] == ["+2250701234568"]
    other.refresh_from_db()
    assert other.status == "sent"


def test_an_opt_out_stops_the_sms_still_waiting(ci, outbox):
    sms = queue(ci)
    services.sms_opt_out(organisation=ci, number="+2250701234567")
    run_pending(["sms"])
    sms.refresh_from_db()
    assert sms.status == "opted_out"
    assert outbox == []


def test_an_incoming_stop_on_the_smpp_session_opts_the_number_out(ci, smsc):
    with smpp(smsc, receipt_wait_seconds=1):
        queue(ci)
        run_pending(["sms"])
        smsc.send_incoming("+2250701234567", "Stop ")  # held until the next bind
        services.collect_sms_receipts(ci.pk)  # binds, reads for receipt_wait_seconds
    assert smsc.incoming_sent == ["Stop "]
    optout = SmsOptOut.unscoped.get()
    assert (optout.organisation_id, optout.number, optout.source) == (
        ci.pk,
        "+2250701234567",
        "sms",
    )
    assert queue(ci).status == "opted_out"


def test_an_opt_out_is_per_organisation(zone, outbox):
    services.sms_opt_out(organisation=zone["CNPS-CI"], number="+2250701234567")
    assert queue(zone["CNPS-CI"]).status == "opted_out"
    assert queue(zone["INPS-ML"], to="+2250701234567").status == "queued"


def test_sends_are_rate_limited_per_gateway(ci, outbox):
    import time

    with gateways(rate_per_second=10, name="rate-test"):
        services.queue_sms_many(
            organisation=ci,
            requests=[services.SmsRequest(to=f"07012345{i:02d}", text="x") for i in range(4)],
            purpose="worker_declared",
        )
        start = time.monotonic()
        assert run_pending(["sms"]) == 1  # one batch job
        elapsed = time.monotonic() - start
    assert len(outbox) == 4
    assert elapsed >= 0.3  # 4 sends at 10 per second: 3 gaps of 0.1 s


# HTTP adapter against a loopback server ---------------------------------------------------


class _Aggregator(BaseHTTPRequestHandler):
    answers: list = []
    received: list = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, self.headers.get("Authorization"), json.loads(body)))
        code, payload = self.answers.pop(0)
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(payload).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def aggregator():
    _Aggregator.answers, _Aggregator.received = [], []
    server = HTTPServer(("127.0.0.1", 0), _Aggregator)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server, _Aggregator
    server.shutdown()
    server.server_close()
    thread.join(5)


def http(server, **extra):
    url = f"http://127.0.0.1:{server.server_port}/sms/send"
    return gateways(backend="http", url=url, token="tok", sender="CNPS", retry_seconds=0, **extra)


def test_http_adapter_posts_json_and_records_the_message_id(ci, aggregator):
    server, handler = aggregator
    handler.answers = [(201, {"message_id": "agg-42"})]
    with http(server):
        sms = queue(ci)
        run_pending(["sms"])
    sms.refresh_from_db()
    assert (sms.status, sms.gateway, sms.gateway_message_id, sms.attempts) == (
        "sent",
        "http",
        "agg-42",
        1,
    )
    assert handler.received == [
        ("/sms/send", "Bearer tok", {"to": "+2250701234567", "from": "CNPS", "text": TEXT})
    ]


def test_http_adapter_retries_a_server_error_and_fails_a_refused_message(ci, aggregator):
    server, handler = aggregator
    handler.answers = [(503, {}), (200, {"message_id": "agg-7"}), (400, {"error": "bad"})]
    with http(server):
        retried = queue(ci)
        run_pending(["sms"])
        refused = queue(ci, to="0701234568")
        run_pending(["sms"])
    retried.refresh_from_db()
    refused.refresh_from_db()
    assert (retried.status, retried.attempts, retried.gateway_message_id) == ("sent", 2, "agg-7")
    assert (refused.status, refused.attempts, refused.last_error) == (
        "failed",
        1,
        "HTTP 400 de la passerelle",
    )


# e-mail ------------------------------------------------------------------------------------


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_email_is_sent_and_recorded(ci):
    row = services.queue_email(
        organisation=ci,
        to="compta@sotra.ci",
        subject="Rappel",
        body="Votre déclaration de 10/2026 est attendue.",
        purpose="reminder",
    )
    assert row.status == "queued"
    run_pending(["sms"])
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)
    assert [(m.to, m.subject) for m in mail.outbox] == [(["compta@sotra.ci"], "Rappel")]


def test_an_invalid_email_address_is_refused(ci):
    row = services.queue_email(
        organisation=ci, to="pas-une-adresse", subject="x", body="y", purpose="reminder"
    )
    assert (row.status, row.last_error) == (
        "refused",
        "adresse électronique invalide : pas-une-adresse",
    )
    assert pending_count() == 0
    assert EmailRecord.unscoped.count() == 1
