"""The one way Kafo sends an SMS: an `SmsGateway`, chosen per organisation by settings.

Adapters: `smpp` (SMPP 3.4 to an operator's or aggregator's SMSC, smpplib), `http` (a JSON POST
to an aggregator's URL), `recording` (keeps messages in memory: the demo and tests where no
server runs). Settings: `KAFO_SMS_GATEWAYS` (Django setting, or the environment variable of the
same name holding JSON), a dict of organisation code → options, with "default" for the rest:

    {"default": {"backend": "recording"},
     "CNPS-CI": {"backend": "smpp", "host": "10.0.0.5", "port": 2775, "system_id": "cnps",
                 "password": "…", "source_addr": "CNPS-CI", "rate_per_second": 20}}

Options common to every backend: rate_per_second (10), max_attempts (5), retry_seconds (60,
doubled after each failure), receipt_wait_seconds (seconds the send job listens for delivery
receipts before handing over to a receipt job; 2).
"""

from __future__ import annotations

import itertools
import json
import os
from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.conf import settings

DEFAULTS = {
    "backend": "recording",
    "rate_per_second": 10,
    "max_attempts": 5,
    "retry_seconds": 60,
    "receipt_wait_seconds": 2,
    "receipt_poll_seconds": 300,
    "receipt_max_age_hours": 48,
}


class GatewayError(Exception):
    """The gateway did not take the message. `permanent`: retrying cannot help (bad number)."""

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@dataclass(frozen=True)
class Receipt:
    """A delivery receipt: the message `message_id` reached the phone, or never will."""

    message_id: str
    delivered: bool
    state: str


@dataclass(frozen=True)
class Incoming:
    """A message a phone sent to the organisation's number (e.g. "STOP")."""

    sender: str
    text: str


class SmsGateway(ABC):
    """Send SMS through one provider. Use as a context manager around a batch of sends."""

    name = "gateway"
    receives = False  # whether collect() can read receipts and incoming messages

    def __init__(self, options: dict):
        self.options = options
        # Receipts are matched on (name, message id): ids are unique per SMSC, not worldwide.
        self.name = options.get("name") or type(self).name

    def open(self) -> None:  # noqa: B027 (optional hook: HTTP needs no session)
        """Connect (bind) if the protocol needs a session; raise GatewayError if it fails."""

    def close(self) -> None:  # noqa: B027
        """End the session opened by open()."""

    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc):
        self.close()

    @abstractmethod
    def send(self, *, to: str, text: str) -> str:
        """Submit `text` to `to` (E.164); return the gateway's message id or raise GatewayError."""

    def collect(self, *, seconds: float, waiting_for: set[str] | None = None) -> list:
        """Read receipts and incoming messages for up to `seconds`; stop early once every id
        of `waiting_for` has its receipt. Return a list of Receipt and Incoming."""
        return []


class RecordingGateway(SmsGateway):
    """Keep every message in `RecordingGateway.outbox` (a list): the demo's and tests' SMSC.

    Option `fail` (a reason) makes every send fail transiently: a gateway that is down.
    """

    name = "recording"
    outbox: list[dict] = []
    _ids = itertools.count(1)

    def send(self, *, to: str, text: str) -> str:
        if self.options.get("fail"):
            raise GatewayError(str(self.options["fail"]))
        message_id = f"rec-{next(self._ids)}"
        self.outbox.append({"to": to, "text": text, "message_id": message_id})
        return message_id


def gateway_options(organisation_code: str) -> dict:
    """Return the gateway options of an organisation: its own entry over "default" over DEFAULTS."""
    configured = getattr(settings, "KAFO_SMS_GATEWAYS", None)
    if configured is None:
        configured = json.loads(os.environ.get("KAFO_SMS_GATEWAYS") or "{}")
    return DEFAULTS | configured.get("default", {}) | configured.get(organisation_code, {})


def build_gateway(options: dict) -> SmsGateway:
    """Return the adapter named by options["backend"]."""
    backend = options["backend"]
    if backend == "recording":
        return RecordingGateway(options)
    if backend == "smpp":
        from kafo.messaging.gateways.smpp import SmppGateway

        return SmppGateway(options)
    if backend == "http":
        from kafo.messaging.gateways.http import HttpGateway

        return HttpGateway(options)
    raise ValueError(f"unknown SMS backend {backend!r} (recording, smpp, http)")
