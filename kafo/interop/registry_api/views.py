"""The SPDCI endpoints, at the paths the standard names; JSON in and out, never a page.

Each registry endpoint: POST only; a valid bearer token of an active partner (401 otherwise);
within the partner's rate limit (429); an envelope valid against the specification (400, the
error naming what is wrong); the signature verified when the partner has a key. Synchronous
endpoints answer the full envelope; asynchronous ones answer an ACK and call the partner back
through kafo/jobs, only at one of its registered URLs.
"""

from __future__ import annotations

import json
import logging

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from kafo.interop import auth, services
from kafo.interop.callbacks import callback_url_for
from kafo.interop.models import Transaction, TxnStatus
from kafo.jobs import enqueue_on_commit

from . import envelope, processing

log = logging.getLogger("kafo.interop")
WWW_AUTHENTICATE = {"WWW-Authenticate": 'Bearer realm="kafo"'}


def _endpoint(path: str, action: str, *, sync: bool):
    sync_action = envelope.CALLBACK_ACTION[action] if sync else None

    @csrf_exempt
    def view(request):
        try:
            return answer(request)
        except Exception:  # a JSON answer in the spec's shape, never Django's HTML page
            log.exception("SPDCI %s failed", path)
            return envelope.error(
                500,
                "err.service.unavailable",
                "erreur interne : réessayez plus tard",
                sync_action=sync_action,
            )

    def answer(request):
        if request.method != "POST":
            return envelope.error(
                405,
                "err.request.bad",
                "seule la méthode POST est acceptée",
                sync_action=sync_action,
                headers={"Allow": "POST"},
            )
        token = auth.bearer_token(request)
        if token is None:
            return envelope.error(
                401,
                "err.request.unauthorized",
                "jeton d'accès absent (Authorization: Bearer)",
                headers=WWW_AUTHENTICATE,
            )
        try:
            partner = auth.verify_token(token)
        except auth.TokenRefused as refused:
            text = "jeton expiré" if str(refused) == "expired" else "jeton d'accès invalide"
            return envelope.error(401, "err.request.unauthorized", text, headers=WWW_AUTHENTICATE)
        if services.rate_limited(partner):
            return envelope.error(
                429,
                "err.request.too_many_requests",
                f"limite de {partner.rate_limit_per_minute} requêtes par minute atteinte",
                sync_action=sync_action,
                headers={"Retry-After": "60"},
            )
        try:
            body = envelope.read(request, path)
            envelope.check_signature(partner, body)
        except envelope.EnvelopeRefused as refused:
            return envelope.error(
                refused.status,
                refused.code,
                str(refused),
                sync_action=sync_action,
                reason_code=refused.reason_code,
            )
        header, message = body["header"], body["message"]
        batch = (
            len(message.get(f"{action}_request", [])) if action in ("search", "subscribe") else 0
        )
        if batch > processing.MAX_BATCH:
            return envelope.error(
                400,
                "err.request.bad",
                f"{action}_request : {processing.MAX_BATCH} demandes au plus par message",
                sync_action=sync_action,
                reason_code="rjct.total_count.limit_exceeded",
            )
        callback_url = ""
        if not sync:
            callback_url = callback_url_for(partner, header.get("sender_uri"))
            if callback_url is None:
                return envelope.error(
                    400,
                    "err.sender_uri.invalid",
                    "header.sender_uri : adresse de rappel non enregistrée pour ce partenaire",
                )
        txn = Transaction.objects.create(
            partner=partner,
            action=action,
            is_async=not sync,
            transaction_id=message["transaction_id"],
            message_id=header["message_id"],
            sender_id=header.get("sender_id", "")[:200],
            correlation_id=envelope.new_id(),
            status=TxnStatus.PENDING if not sync else TxnStatus.RECEIVED,
            request={"header": header, "message": message},
            callback_url=callback_url,
            received_at=timezone.now(),
        )
        if sync:
            outcome = processing.compute(txn, message)
            answer = processing.complete(
                txn, outcome, callback_action=sync_action, sender_id=txn.sender_id
            )
            return JsonResponse(answer)
        enqueue_on_commit(processing.process_transaction, txn.pk)
        return envelope.ack(txn.correlation_id)

    view.__name__ = f"registry_{action.replace('-', '_')}_{'sync' if sync else 'async'}"
    return view


sync_search = _endpoint("/registry/sync/search", "search", sync=True)
search = _endpoint("/registry/search", "search", sync=False)
subscribe = _endpoint("/registry/subscribe", "subscribe", sync=False)
unsubscribe = _endpoint("/registry/unsubscribe", "unsubscribe", sync=False)
txn_status = _endpoint("/registry/txn/status", "txn-status", sync=False)
sync_txn_status = _endpoint("/registry/sync/txn/status", "txn-status", sync=True)


@csrf_exempt
def token(request):
    """OAuth2 client credentials (RFC 6749 §4.4) per authz_core_api: a signed access token."""
    if request.method != "POST":
        return _token_error(405, "err.request.bad", "invalid_request", "seule la méthode POST")
    data = request.POST
    if request.content_type == "application/json":  # the RFC's form, or JSON from some clients
        try:
            parsed = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            parsed = None
        if not isinstance(parsed, dict):
            return _token_error(400, "err.request.bad", "invalid_request", "JSON illisible")
        data = {k: v for k, v in parsed.items() if isinstance(v, str)}
    client_id, client_secret = data.get("client_id", ""), data.get("client_secret", "")
    basic = _basic_credentials(request)
    if basic:
        client_id, client_secret = basic
    if data.get("grant_type") != "client_credentials":
        return _token_error(
            400,
            "err.request.bad",
            "unsupported_grant_type",
            "grant_type : seule la valeur client_credentials est acceptée",
        )
    if not client_id or not client_secret:
        return _token_error(
            400, "err.request.bad", "invalid_request", "client_id et client_secret sont requis"
        )
    partner = auth.authenticate_client(client_id, client_secret)
    if partner is None:
        return _token_error(
            401, "err.request.unauthorized", "invalid_client", "identifiants client refusés"
        )
    access_token, lifetime = auth.issue_token(partner, scope=data.get("scope", ""))
    response = JsonResponse(
        {"access_token": access_token, "token_type": "bearer", "expires_in": str(lifetime)}
    )
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
def unknown(request, rest: str = ""):
    """Any other path under /registry/: the standard's JSON error, not a page."""
    return JsonResponse(
        {"errors": [{"code": "err.request.not_found", "message": "service inconnu"}]}, status=404
    )


def _basic_credentials(request) -> tuple[str, str] | None:
    import base64
    from urllib.parse import unquote

    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (unquote(client_id), unquote(secret)) if sep else None


def _token_error(status: int, code: str, oauth_error: str, message: str) -> JsonResponse:
    # The specification's HttpErrorResponse, with RFC 6749's `error` beside it.
    response = JsonResponse(
        {
            "errors": [{"code": code, "message": message}],
            "error": oauth_error,
            "error_description": message,
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"
    if status == 401:
        response["WWW-Authenticate"] = 'Basic realm="kafo"'
    return response


def jwks(request):
    """Kafo's public signing keys (JWKS)."""
    return JsonResponse(auth.jwks())
