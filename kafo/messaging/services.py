"""Writes of the messaging app: queue an SMS or e-mail, send it, record receipts and opt-outs.

`queue_sms` / `queue_email` never raise for a bad recipient: the row is stored with status
"refused" (invalid number or address) or "opted_out" (the number sent STOP), so the caller's
notice always has a row to point to. Queued rows are sent by jobs (kafo/jobs, queue "sms"):
rate-limited per gateway, retried with a doubling delay, marked "failed" after the last try.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from kafo.jobs import enqueue_on_commit
from kafo.messaging.domain.phone import InvalidPhoneNumber, to_e164
from kafo.messaging.gateways import GatewayError, Incoming, Receipt, build_gateway, gateway_options
from kafo.messaging.models import (
    EmailRecord,
    MessageStatus,
    OptOutSource,
    SmsMessage,
    SmsOptOut,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 500  # messages per send job: one SMPP bind, one connection per batch
STOP_WORDS = {"STOP", "ARRET", "ARRÊT", "STOPP", "UNSUBSCRIBE"}


def _now() -> dt.datetime:
    return timezone.now()


def _related(related) -> tuple[str, int | None]:
    """A model instance or a (label, id) pair → (label, id)."""
    if related is None:
        return "", None
    if isinstance(related, tuple):
        return related[0], related[1]
    return related._meta.label_lower, related.pk


# queueing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmsRequest:
    to: str
    text: str


def _opted_out(organisation_id: int, numbers: Iterable[str]) -> set[str]:
    numbers = [n for n in set(numbers) if n]
    if not numbers:
        return set()
    return set(
        SmsOptOut.unscoped.filter(organisation_id=organisation_id, number__in=numbers).values_list(
            "number", flat=True
        )
    )


def _build_sms(organisation, request: SmsRequest, *, purpose, label, related_id) -> SmsMessage:
    row = SmsMessage(
        organisation=organisation,
        raw_to=(request.to or "")[:40],
        text=request.text,
        purpose=purpose,
        related_label=label,
        related_id=related_id,
    )
    try:
        row.to = to_e164(request.to, organisation.country_id)
    except InvalidPhoneNumber as exc:
        row.status = MessageStatus.REFUSED
        row.last_error = str(exc)[:300]
    return row


def queue_sms_many(
    *, organisation, requests: Sequence[SmsRequest], purpose: str, related=None
) -> list[SmsMessage]:
    """Store one SMS row per request in bulk and enqueue their sending in batches.

    Set-based: a few queries whatever the count (the worker SMS of a 50,000-line declaration).
    """
    label, related_id = _related(related)
    rows = [
        _build_sms(organisation, r, purpose=purpose, label=label, related_id=related_id)
        for r in requests
    ]
    stopped = _opted_out(organisation.pk, (r.to for r in rows))
    for row in rows:
        if row.status == MessageStatus.QUEUED and row.to in stopped:
            row.status = MessageStatus.OPTED_OUT
            row.last_error = "le destinataire a demandé à ne plus recevoir de SMS"
    rows = SmsMessage.unscoped.bulk_create(rows, batch_size=1000)
    queued = [r.pk for r in rows if r.status == MessageStatus.QUEUED]
    for start in range(0, len(queued), BATCH_SIZE):
        enqueue_on_commit(send_sms_batch_job(), organisation.pk, queued[start : start + BATCH_SIZE])
    return rows


def queue_sms(*, organisation, to: str, text: str, purpose: str, related=None) -> SmsMessage:
    """Store an SMS to `to` (any written form, read in the organisation's country) and enqueue it.

    Never raises for the recipient: an invalid number gives a row "refused", an opted-out one
    a row "opted_out", both with the reason in last_error and nothing sent.
    """
    return queue_sms_many(
        organisation=organisation,
        requests=[SmsRequest(to=to, text=text)],
        purpose=purpose,
        related=related,
    )[0]


def queue_email(
    *, organisation, to: str, subject: str, body: str, purpose: str, related=None
) -> EmailRecord:
    """Store an e-mail to `to` and enqueue it; an invalid address gives a row "refused"."""
    label, related_id = _related(related)
    row = EmailRecord(
        organisation=organisation,
        to=(to or "").strip()[:254],
        subject=subject[:200],
        body=body,
        purpose=purpose,
        related_label=label,
        related_id=related_id,
    )
    try:
        validate_email(row.to)
    except ValidationError:
        row.status = MessageStatus.REFUSED
        row.last_error = f"adresse électronique invalide : {row.to or '(vide)'}"[:300]
    row.save()
    if row.status == MessageStatus.QUEUED:
        enqueue_on_commit(send_email_job(), organisation.pk, row.pk)
    return row


# opt-out -------------------------------------------------------------------------------------


def sms_opt_out(*, organisation, number: str, source: str = OptOutSource.STAFF) -> SmsOptOut | None:
    """Record that `number` wants no more SMS from the organisation; None if it is unreadable.

    Idempotent: a second STOP keeps the first date.
    """
    try:
        e164 = to_e164(number, organisation.country_id)
    except InvalidPhoneNumber:
        return None
    try:
        with transaction.atomic():
            optout, _created = SmsOptOut.unscoped.get_or_create(
                organisation=organisation, number=e164, defaults={"since": _now(), "source": source}
            )
    except IntegrityError:  # a concurrent STOP for the same number
        optout = SmsOptOut.unscoped.get(organisation=organisation, number=e164)
    # Messages still waiting are not sent.
    SmsMessage.unscoped.filter(
        organisation=organisation, to=e164, status=MessageStatus.QUEUED
    ).update(
        status=MessageStatus.OPTED_OUT,
        last_error="le destinataire a demandé à ne plus recevoir de SMS",
    )
    return optout


# sending -------------------------------------------------------------------------------------


class RateLimiter:
    """At most `rate` sends per second per gateway name, in this worker process."""

    _last: dict[str, float] = {}
    _lock = threading.Lock()

    @classmethod
    def wait(cls, name: str, rate: float) -> None:
        if rate <= 0:
            return
        spacing = 1.0 / rate
        with cls._lock:
            now = time.monotonic()
            slot = max(now, cls._last.get(name, 0.0) + spacing)
            cls._last[name] = slot
        if slot > now:
            time.sleep(slot - now)


def _retry_delay(options: dict, attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=float(options["retry_seconds"]) * 2 ** max(attempts - 1, 0))


def _attempt_failed(rows: list, error: GatewayError, options: dict, *, model) -> list[int]:
    """Count a failed attempt on each row; return the ids to try again (failed after the last)."""
    retry = []
    for row in rows:
        row.attempts += 1
        row.last_error = error.reason[:300]
        if error.permanent or row.attempts >= int(options["max_attempts"]):
            row.status = MessageStatus.FAILED
            row.next_attempt_at = None
        else:
            row.next_attempt_at = _now() + _retry_delay(options, row.attempts)
            retry.append(row.pk)
    model.unscoped.bulk_update(rows, ["attempts", "last_error", "status", "next_attempt_at"])
    return retry


def send_sms_batch(organisation_id: int, ids: list[int]) -> None:
    """Send the queued SMS `ids` of one organisation through its gateway (one session)."""
    rows = list(
        SmsMessage.unscoped.filter(
            organisation_id=organisation_id, pk__in=ids, status=MessageStatus.QUEUED
        )
        .select_related("organisation")
        .order_by("pk")
    )
    if not rows:
        return
    organisation = rows[0].organisation
    options = gateway_options(organisation.code)
    gateway = build_gateway(options)
    stopped = _opted_out(organisation_id, (r.to for r in rows))
    failures: dict[str, tuple[GatewayError, list]] = {}
    sent_ids: set[str] = set()
    events: list = []
    try:
        gateway.open()
    except GatewayError as exc:
        failures[exc.reason] = (exc, rows)
    else:
        try:
            for row in rows:
                if row.to in stopped:
                    row.status = MessageStatus.OPTED_OUT
                    row.save(update_fields=["status"])
                    continue
                RateLimiter.wait(gateway.name, float(options["rate_per_second"]))
                try:
                    message_id = gateway.send(to=row.to, text=row.text)
                except GatewayError as exc:
                    failures.setdefault(exc.reason, (exc, []))[1].append(row)
                    continue
                row.attempts += 1
                row.status = MessageStatus.SENT
                row.gateway = gateway.name
                row.gateway_message_id = message_id
                row.sent_at = _now()
                row.last_error = ""
                row.next_attempt_at = None
                row.save(
                    update_fields=[
                        "attempts",
                        "status",
                        "gateway",
                        "gateway_message_id",
                        "sent_at",
                        "last_error",
                        "next_attempt_at",
                    ]
                )
                sent_ids.add(message_id)
            if gateway.receives and sent_ids:
                events = gateway.collect(
                    seconds=float(options["receipt_wait_seconds"]), waiting_for=sent_ids
                )
        finally:
            gateway.close()
    record_gateway_events(organisation=organisation, gateway_name=gateway.name, events=events)
    for error, failed_rows in failures.values():
        retry = _attempt_failed(failed_rows, error, options, model=SmsMessage)
        if retry:
            run_after = _now() + _retry_delay(options, failed_rows[0].attempts)
            enqueue_on_commit(send_sms_batch_job(), organisation_id, retry, run_after=run_after)
    if gateway.receives and sent_ids - {e.message_id for e in events if isinstance(e, Receipt)}:
        enqueue_on_commit(
            collect_sms_receipts_job(),
            organisation_id,
            run_after=_now() + dt.timedelta(seconds=float(options["receipt_poll_seconds"])),
        )


def collect_sms_receipts(organisation_id: int) -> None:
    """Bind to the organisation's gateway and read receipts and incoming messages for a while;
    again later while sent messages (younger than receipt_max_age_hours) wait for a receipt."""
    from kafo.organisations.models import Organisation

    organisation = Organisation.objects.get(pk=organisation_id)
    options = gateway_options(organisation.code)
    gateway = build_gateway(options)
    if not gateway.receives:
        return
    oldest = _now() - dt.timedelta(hours=float(options["receipt_max_age_hours"]))
    waiting = set(
        SmsMessage.unscoped.filter(
            organisation_id=organisation_id,
            gateway=gateway.name,
            status=MessageStatus.SENT,
            sent_at__gte=oldest,
        ).values_list("gateway_message_id", flat=True)
    )
    events = []
    try:
        with gateway:
            events = gateway.collect(
                seconds=float(options["receipt_wait_seconds"]), waiting_for=waiting or None
            )
    except GatewayError as exc:
        logger.warning("SMS receipts of organisation %s not read: %s", organisation_id, exc)
    record_gateway_events(organisation=organisation, gateway_name=gateway.name, events=events)
    if waiting - {e.message_id for e in events if isinstance(e, Receipt)}:
        enqueue_on_commit(
            collect_sms_receipts_job(),
            organisation_id,
            run_after=_now() + dt.timedelta(seconds=float(options["receipt_poll_seconds"])),
        )


def record_gateway_events(*, organisation, gateway_name: str, events: list) -> None:
    """Apply delivery receipts (by gateway message id) and incoming STOP messages."""
    for event in events:
        if isinstance(event, Receipt):
            record_receipt(
                organisation=organisation,
                gateway_name=gateway_name,
                message_id=event.message_id,
                delivered=event.delivered,
                state=event.state,
            )
        elif isinstance(event, Incoming) and event.text.strip().upper() in STOP_WORDS:
            sms_opt_out(organisation=organisation, number=event.sender, source=OptOutSource.SMS)


def record_receipt(
    *, organisation, gateway_name: str, message_id: str, delivered: bool, state: str
) -> int:
    """Mark the message `message_id` of `gateway_name` delivered or failed; return rows changed.

    A receipt never undoes a final state (a late duplicate "failed" after "delivered")."""
    rows = SmsMessage.unscoped.filter(
        organisation=organisation,
        gateway=gateway_name,
        gateway_message_id=message_id,
        status__in=[MessageStatus.SENT, MessageStatus.QUEUED],
    )
    if delivered:
        return rows.update(status=MessageStatus.DELIVERED, delivered_at=_now())
    return rows.update(
        status=MessageStatus.FAILED, last_error=f"non remis par l'opérateur ({state})"[:300]
    )


def send_email(organisation_id: int, email_id: int) -> None:
    """Send one queued e-mail through Django's mail backend; retried like an SMS."""
    row = (
        EmailRecord.unscoped.filter(
            organisation_id=organisation_id, pk=email_id, status=MessageStatus.QUEUED
        )
        .select_related("organisation")
        .first()
    )
    if row is None:
        return
    options = gateway_options(row.organisation.code)
    try:
        EmailMessage(row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [row.to]).send()
    except Exception as exc:  # noqa: BLE001 (SMTP and backend errors of every kind are retried)
        retry = _attempt_failed(
            [row], GatewayError(f"envoi du courriel impossible ({exc})"), options, model=EmailRecord
        )
        if retry:
            enqueue_on_commit(
                send_email_job(), organisation_id, row.pk, run_after=row.next_attempt_at
            )
        return
    row.attempts += 1
    row.status = MessageStatus.SENT
    row.sent_at = _now()
    row.last_error = ""
    row.next_attempt_at = None
    row.save(update_fields=["attempts", "status", "sent_at", "last_error", "next_attempt_at"])


# job handles (imported late: kafo.messaging.jobs imports this module) --------------------------


def send_sms_batch_job():
    from kafo.messaging.jobs import send_sms_batch_task

    return send_sms_batch_task


def collect_sms_receipts_job():
    from kafo.messaging.jobs import collect_sms_receipts_task

    return collect_sms_receipts_task


def send_email_job():
    from kafo.messaging.jobs import send_email_task

    return send_email_task
