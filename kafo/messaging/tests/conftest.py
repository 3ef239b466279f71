import pytest
from django.test import override_settings

from kafo.messaging.gateways import RecordingGateway
from kafo.messaging.tests.smsc import TestSmsc


@pytest.fixture
def smsc():
    """A real SMPP 3.4 server on 127.0.0.1 (smpp34), stopped after the test."""
    server = TestSmsc(undeliverable={"2250709999999"}, reject={"2250708888888": 0x0B}).start()
    yield server
    server.stop()


@pytest.fixture
def outbox():
    RecordingGateway.outbox.clear()
    yield RecordingGateway.outbox
    RecordingGateway.outbox.clear()


def gateways(**default):
    """override_settings for every organisation's gateway (retry_seconds 0: retries run now)."""
    return override_settings(KAFO_SMS_GATEWAYS={"default": default})
