"""The SPDCI message envelope `{signature?, header, message}`: reading a request, writing answers.

Errors are JSON in the specification's shapes: `{"errors": [{code, message}]}` (its
HttpErrorResponse) and, on the same body, what the endpoint's default answer requires — the
acknowledgement `{"message": {"ack_status": "ERR", "error": {...}}}` of the asynchronous
endpoints, or a callback header with status `rjct` for the synchronous ones — so the body
is valid against whichever schema a client checks it with.
"""

from __future__ import annotations

import json
import uuid

from django.http import JsonResponse
from django.utils import timezone

from kafo.interop import auth, signatures, spec

from .search import timestamp

SENDER_ID = "kafo"
VERSION = "1.0.0"
# The callback action answering each request action.
CALLBACK_ACTION = {
    "search": "on-search",
    "subscribe": "on-subscribe",
    "unsubscribe": "on-unsubscribe",
    "txn-status": "txn-on-status",
}
# The JSON schema each request's (unencrypted) message must match, for precise errors.
MESSAGE_SCHEMA = {
    "search": "SearchRequest",
    "subscribe": "SubscribeRequest",
    "unsubscribe": "UnSubscribeRequest",
    "txn-status": "TxnStatusRequest",
}


class EnvelopeRefused(Exception):
    """The request cannot be read: answer `status` with the standard's error `code`."""

    def __init__(self, status: int, code: str, message: str, reason_code: str = ""):
        super().__init__(message)
        self.status = status
        self.code = code
        self.reason_code = reason_code


def new_id() -> str:
    return uuid.uuid4().hex


def read(request, path: str) -> dict:
    """Return the request's envelope once it is JSON valid against the endpoint's schema."""
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EnvelopeRefused(400, "err.request.bad", f"JSON illisible : {exc}"[:999]) from exc
    if not isinstance(body, dict):
        raise EnvelopeRefused(400, "err.request.bad", "un objet {header, message} est attendu")
    header = body.get("header")
    if isinstance(header, dict) and header.get("version", VERSION) != VERSION:
        raise EnvelopeRefused(
            400,
            "err.version.not_supported",
            f"header.version : seule la version {VERSION} est prise en charge",
            reason_code="rjct.version.invalid",
        )
    message = body.get("message")
    encrypted = (isinstance(header, dict) and header.get("is_msg_encrypted")) or (
        isinstance(message, dict) and "ciphertext" in message
    )
    if encrypted:
        raise EnvelopeRefused(
            400, "err.encryption.invalid", "les messages chiffrés ne sont pas pris en charge"
        )
    found = spec.errors(spec.SOCIAL, spec.request_ref(path), body)
    action = header.get("action") if isinstance(header, dict) else None
    if isinstance(message, dict) and action in MESSAGE_SCHEMA:
        # the oneOf of the envelope says only "not valid": name the message's own faults
        precise = spec.errors(
            spec.SOCIAL, spec.pointer("components", "schemas", MESSAGE_SCHEMA[action]), message
        )
        found = [e for e in found if not e.path.startswith("/message")] + [
            spec.SchemaError("/message" + e.path, e.message) for e in precise
        ]
    if found:
        text = "; ".join(str(e) for e in found[:10])
        reason = "rjct.action.invalid" if any(e.path == "/header/action" for e in found) else ""
        raise EnvelopeRefused(400, "err.request.bad", text[:999], reason_code=reason)
    return body


def check_signature(partner, body: dict) -> None:
    """Verify the envelope's signature when the partner has a key (else accept it unsigned)."""
    if not partner.public_key:
        return
    try:
        signatures.verify(
            partner.public_key,
            body.get("signature"),
            header=body["header"],
            message=body["message"],
            now=int(timezone.now().timestamp()),
        )
    except signatures.SignatureRefused as refused:
        raise EnvelopeRefused(401, refused.code, str(refused)) from refused


def callback_header(
    action: str,
    *,
    status: str,
    receiver_id: str = "",
    total: int = 0,
    completed: int = 0,
    reason_code: str = "",
    reason_message: str = "",
) -> dict:
    """Return the header of an answer or callback (MsgCallbackHeader)."""
    header = {
        "version": VERSION,
        "message_id": new_id(),
        "message_ts": timestamp(),
        "action": action,
        "status": status,
        "total_count": total,
        "completed_count": completed,
        "sender_id": SENDER_ID,
        "is_msg_encrypted": False,
    }
    if receiver_id:
        header["receiver_id"] = receiver_id
    if reason_code:
        header["status_reason_code"] = reason_code
    if reason_message:
        header["status_reason_message"] = reason_message[:999]
    return header


def signed(header: dict, message) -> dict:
    """Return the envelope {signature, header, message} signed with Kafo's key."""
    return {
        "signature": signatures.sign(
            auth.signing_key(),
            header=header,
            message=message,
            key_owner=SENDER_ID,
            key_id=auth.key_id(),
            now=int(timezone.now().timestamp()),
        ),
        "header": header,
        "message": message,
    }


def ack(correlation_id: str) -> JsonResponse:
    """Return the acknowledgement of an accepted asynchronous request."""
    return JsonResponse(
        {
            "message": {
                "ack_status": "ACK",
                "timestamp": timestamp(),
                "correlation_id": correlation_id,
            }
        }
    )


def error(
    status: int,
    code: str,
    message: str,
    *,
    sync_action: str | None = None,
    reason_code: str = "",
    headers: dict | None = None,
) -> JsonResponse:
    """Return a JSON error in the specification's shapes (see the module's docstring)."""
    body: dict = {"errors": [{"code": code, "message": message[:999]}]}
    if status not in (401, 403):
        if sync_action:
            body["header"] = callback_header(
                sync_action, status="rjct", reason_code=reason_code, reason_message=message
            )
        else:
            body["message"] = {
                "ack_status": "ERR",
                "timestamp": timestamp(),
                "correlation_id": new_id(),
                "error": {"code": code, "message": message[:999]},
            }
    response = JsonResponse(body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response
