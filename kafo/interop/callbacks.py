"""Calls to a partner's callback URL: only the URLs its registration names, bounded in time.

An address taken from a request (`header.sender_uri`) is used only when it is one of the
partner's registered URLs, compared exactly; otherwise the request is refused and nothing is
ever sent there. Redirects are not followed (they would lead elsewhere).
"""

from __future__ import annotations

import datetime as dt

import requests
from django.db import transaction
from django.utils import timezone

from kafo.jobs import enqueue_on_commit, task

from .models import CallbackStatus, Partner, Transaction

TIMEOUT_SECONDS = 5
MAX_ATTEMPTS = 5
# Wait before attempt n+1 (after n failures).
BACKOFF = [dt.timedelta(seconds=s) for s in (30, 120, 600, 3600)]


def allowed_callback(partner: Partner, url: str) -> bool:
    """Whether `url` is exactly one of the partner's registered callback URLs."""
    return isinstance(url, str) and url in partner.callback_urls


def callback_url_for(partner: Partner, sender_uri: str | None) -> str | None:
    """Return where to call the partner back: its `sender_uri` if registered, else its first
    registered URL; None when `sender_uri` is not registered or it has none."""
    if sender_uri:
        return sender_uri if allowed_callback(partner, sender_uri) else None
    return partner.callback_urls[0] if partner.callback_urls else None


def post_json(url: str, body: dict, *, timeout: float = TIMEOUT_SECONDS) -> str:
    """POST `body` to `url`; return "" on a 2xx answer, else what went wrong (short)."""
    try:
        response = requests.post(url, json=body, timeout=timeout, allow_redirects=False)
    except requests.RequestException as exc:
        return f"{type(exc).__name__}"[:500]
    if 200 <= response.status_code < 300:
        return ""
    return f"HTTP {response.status_code}"


@task(queue_name="callbacks")
def deliver_callback(transaction_id: int) -> None:
    """Send the transaction's answer to its callback URL; retry with backoff, then fail."""
    txn = Transaction.objects.select_related("partner").get(pk=transaction_id)
    if txn.callback_status != CallbackStatus.PENDING:
        return
    if not allowed_callback(txn.partner, txn.callback_url) or not txn.partner.active:
        # the partner's URLs changed since the request: never call an unregistered address
        txn.callback_status = CallbackStatus.FAILED
        txn.callback_error = "adresse de rappel plus enregistrée"
        txn.save(update_fields=["callback_status", "callback_error"])
        return
    problem = post_json(txn.callback_url, txn.response)
    with transaction.atomic():
        txn.callback_attempts += 1
        txn.callback_error = problem
        if not problem:
            txn.callback_status = CallbackStatus.SENT
        elif txn.callback_attempts >= MAX_ATTEMPTS:
            txn.callback_status = CallbackStatus.FAILED
        txn.save(update_fields=["callback_attempts", "callback_error", "callback_status"])
        if problem and txn.callback_status == CallbackStatus.PENDING:
            wait = BACKOFF[min(txn.callback_attempts, len(BACKOFF)) - 1]
            enqueue_on_commit(deliver_callback, txn.pk, run_after=timezone.now() + wait)
