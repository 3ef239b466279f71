"""SMPP 3.4 adapter (smpplib): bind_transceiver, submit_sm asking for a delivery receipt, and
deliver_sm read back as receipts (esm_class 0x04) or incoming messages ("STOP").

Options: host, port (2775), system_id, password, system_type (""), source_addr (the sender
name or short number), timeout_seconds (10).
"""

from __future__ import annotations

import logging
import re
import select
import time

import smpplib.client
import smpplib.consts
import smpplib.exceptions
import smpplib.gsm

from kafo.messaging.gateways import GatewayError, Incoming, Receipt, SmsGateway

logger = logging.getLogger(__name__)

# submit_sm answers after which retrying the same message cannot succeed.
_PERMANENT = {
    smpplib.consts.SMPP_ESME_RINVDSTADR,
    smpplib.consts.SMPP_ESME_RINVSRCADR,
    smpplib.consts.SMPP_ESME_RINVMSGLEN,
}
# message_state (SMPP 3.4 §5.2.28) of a receipt: 2 delivered; 3 expired, 4 deleted,
# 5 undeliverable, 8 rejected are final failures.
_STATE_TEXT = {2: "DELIVRD", 3: "EXPIRED", 4: "DELETED", 5: "UNDELIV", 8: "REJECTD"}
_RECEIPT_ID = re.compile(rb"id:(\S+)")
_RECEIPT_STAT = re.compile(rb"stat:(\w+)")
_ESM_DELIVERY_RECEIPT = 0x04


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("ascii", "replace")
    return str(value)


def parse_receipt(pdu) -> Receipt | None:
    """Return the Receipt a deliver_sm carries, or None if it is not a delivery receipt."""
    if not (int(getattr(pdu, "esm_class", 0) or 0) & 0x3C) == _ESM_DELIVERY_RECEIPT:
        return None
    body = pdu.short_message or b""
    message_id = _text(getattr(pdu, "receipted_message_id", None))
    if not message_id and (m := _RECEIPT_ID.search(body)):
        message_id = m.group(1).decode("ascii", "replace")
    state = _STATE_TEXT.get(int(getattr(pdu, "message_state", 0) or 0), "")
    if not state and (m := _RECEIPT_STAT.search(body)):
        state = m.group(1).decode("ascii", "replace").upper()
    if not message_id:
        return None
    return Receipt(message_id=message_id, delivered=state == "DELIVRD", state=state or "UNKNOWN")


def _decode_short_message(pdu) -> str:
    body = pdu.short_message or b""
    if int(getattr(pdu, "data_coding", 0) or 0) == smpplib.consts.SMPP_ENCODING_ISO10646:
        return body.decode("utf-16-be", "replace")
    return body.decode("latin-1")  # GSM-7 unpacked: letters and digits are at their ASCII codes


class SmppGateway(SmsGateway):
    name = "smpp"
    receives = True

    def __init__(self, options: dict):
        super().__init__(options)
        self.client: smpplib.client.Client | None = None
        self._responses: dict[int, object] = {}
        self._events: list = []

    # session -------------------------------------------------------------------------------

    def open(self) -> None:
        client = smpplib.client.Client(
            self.options["host"],
            int(self.options.get("port", 2775)),
            timeout=float(self.options.get("timeout_seconds", 10)),
            allow_unknown_opt_params=True,
        )
        client.set_message_sent_handler(self._on_submit_resp)
        client.set_message_received_handler(self._on_deliver_sm)
        client.set_error_pdu_handler(self._on_error_pdu)
        try:
            client.connect()
            client.bind_transceiver(
                system_id=self.options.get("system_id", ""),
                password=self.options.get("password", ""),
                system_type=self.options.get("system_type", ""),
            )
        except (smpplib.exceptions.ConnectionError, smpplib.exceptions.PDUError, OSError) as exc:
            client.disconnect()
            raise GatewayError(
                f"SMPP: connexion ou bind refusé ({exc or 'pas de réponse'})"
            ) from exc
        self.client = client

    def close(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        try:
            client.unbind()
        except (smpplib.exceptions.ConnectionError, smpplib.exceptions.PDUError, OSError) as exc:
            logger.info("SMPP unbind not answered: %r", exc)
        client.disconnect()

    # handlers (called by smpplib while reading) ---------------------------------------------

    def _on_submit_resp(self, pdu, **kwargs):
        self._responses[pdu.sequence] = pdu

    def _on_error_pdu(self, pdu):
        self._responses[pdu.sequence] = pdu

    def _on_deliver_sm(self, pdu, **kwargs):
        receipt = parse_receipt(pdu)
        if receipt is not None:
            self._events.append(receipt)
        else:
            sender = _text(pdu.source_addr)
            if sender and not sender.startswith("+"):
                sender = "+" + sender
            self._events.append(Incoming(sender=sender, text=_decode_short_message(pdu)))
        return smpplib.consts.SMPP_ESME_ROK

    # sending --------------------------------------------------------------------------------

    def send(self, *, to: str, text: str) -> str:
        if self.client is None:
            raise GatewayError("SMPP: session non ouverte")
        parts, encoding, esm_class = smpplib.gsm.make_parts(text)
        source = self.options.get("source_addr", "")
        alphanumeric = not source.lstrip("+").isdigit()
        first_id = ""
        for part in parts:
            try:
                pdu = self.client.send_message(
                    source_addr_ton=(
                        smpplib.consts.SMPP_TON_ALNUM
                        if alphanumeric
                        else smpplib.consts.SMPP_TON_INTL
                    ),
                    source_addr_npi=smpplib.consts.SMPP_NPI_UNK
                    if alphanumeric
                    else smpplib.consts.SMPP_NPI_ISDN,
                    source_addr=source.lstrip("+"),
                    dest_addr_ton=smpplib.consts.SMPP_TON_INTL,
                    dest_addr_npi=smpplib.consts.SMPP_NPI_ISDN,
                    destination_addr=to.lstrip("+"),
                    short_message=part,
                    data_coding=encoding,
                    esm_class=esm_class,
                    registered_delivery=smpplib.consts.SMPP_SMSC_DELIVERY_RECEIPT_BOTH,
                )
                resp = self._wait_response(pdu.sequence)
            except (smpplib.exceptions.ConnectionError, OSError) as exc:
                self.client = None
                raise GatewayError(f"SMPP: connexion perdue ({exc or 'sans réponse'})") from exc
            if resp.is_error():
                status = int(resp.status)
                reason = smpplib.consts.DESCRIPTIONS.get(status, "erreur inconnue")
                raise GatewayError(
                    f"SMPP: submit_sm refusé ({status:#04x} {reason})",
                    permanent=status in _PERMANENT,
                )
            first_id = first_id or _text(resp.message_id)
        return first_id

    def _wait_response(self, sequence: int):
        deadline = time.monotonic() + float(self.options.get("timeout_seconds", 10))
        while sequence not in self._responses:
            if time.monotonic() > deadline:
                raise smpplib.exceptions.ConnectionError("submit_sm_resp attendu")
            self._read_one(deadline - time.monotonic())
        return self._responses.pop(sequence)

    def _read_one(self, timeout: float) -> bool:
        readable, _w, _x = select.select([self.client._socket], [], [], max(timeout, 0))
        if not readable:
            return False
        self.client.read_once()
        return True

    # receipts -------------------------------------------------------------------------------

    def collect(self, *, seconds: float, waiting_for: set[str] | None = None) -> list:
        waiting = set(waiting_for or ())
        deadline = time.monotonic() + seconds
        try:
            while self.client is not None:
                waiting -= {e.message_id for e in self._events if isinstance(e, Receipt)}
                if waiting_for is not None and not waiting:
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._read_one(remaining)
        except (smpplib.exceptions.ConnectionError, OSError) as exc:
            logger.warning("SMPP: connection lost while reading receipts: %s", exc)
            self.client = None
        events, self._events = self._events, []
        return events
