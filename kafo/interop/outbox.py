"""Notifications to subscribers: an outbox in the database, delivered by a job with retries.

`events_record(kind=, persons=)` is called where the event happens, inside its transaction: one
`Notification` row per matching subscription holds the `notify` message (the person as the
partner's agreement lets it see them, as of the event), so a committed event is never lost
and a rolled-back one sends nothing. The delivery job posts the signed envelope to the
subscription's callback URL — only when it is still one of the partner's registered URLs, never
following a redirect — and on failure tries again after BACKOFF (1 min, 5 min, 30 min, 2 h, 6 h
by default); after MAX_ATTEMPTS the notification is failed and shown so on the staff page.

The standard's notify message knows only the event types REGISTER and NewHouseHoldMember: every
Kafo event goes out as REGISTER (the record as it now stands); which event it was (registration,
insured_status, death) is in the record's additional attribute `event` and in header.meta.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kafo.jobs import enqueue_on_commit, task
from kafo.organisations.tenancy import zone_scope

from .models import (
    EventKind,
    Notification,
    NotificationStatus,
    Partner,
    Subscription,
    SubscriptionStatus,
)
from .models_events import DeliveryAttempt

DEFAULT_BACKOFF = (60, 300, 1800, 7200, 21600)
REG_TYPE = "ns:org:RegistryType:Social"
RECORD_TYPE = "spdci-extensions-dci:Person"
TIMEOUT = 5


def _now() -> dt.datetime:
    """The clock (a seam for tests)."""
    return timezone.now()


def backoff() -> tuple[int, ...]:
    """Seconds to wait before each retry (the n-th retry waits backoff()[n-1])."""
    return tuple(getattr(settings, "INTEROP_NOTIFY_BACKOFF", DEFAULT_BACKOFF))


def max_attempts() -> int:
    return len(backoff()) + 1


# --- filling the outbox ----------------------------------------------------------------------


def _matches(subscription: Subscription, person) -> bool:
    """Whether the subscription selects `person`: its filter (registry_api.subscriptions) within
    the partner's agreement; a subscription without a filter takes the whole agreement."""
    from .registry_api.records import partner_persons
    from .registry_api.subscriptions import subscription_matches

    if subscription.filter:
        return subscription_matches(subscription, person)
    return partner_persons(subscription.partner).filter(pk=person.pk).exists()


def _message(subscription: Subscription, person, kind: str, on: dt.date, txn: str) -> dict:
    """The NotifyEventRequest telling `subscription` that `kind` happened to `person`."""
    from .registry_api.records import allowed_attributes, insurance_of, person_record

    partner = subscription.partner
    allowed = allowed_attributes(partner)
    insurance = insurance_of([person], on).get(person.pk)
    record = person_record(person, allowed=allowed, insurance=insurance)
    record.setdefault("additional_attributes", []).append({"name": "event", "value": kind})
    event = {
        "reference_id": uuid.uuid4().hex,
        "timestamp": _now().astimezone(dt.UTC).isoformat(timespec="seconds"),
        "data": {
            "version": "1.0.0",
            "reg_type": REG_TYPE,
            "reg_event_type": "REGISTER",
            "reg_record_type": subscription.notify_record_type or RECORD_TYPE,
            "reg_records": record,
        },
    }
    if subscription.locale:
        event["locale"] = subscription.locale
    return {"transaction_id": txn, "notify_event": [event]}


def events_record(*, kind: str, persons, on: dt.date | None = None) -> list[Notification]:
    """Write the notifications owed for `kind` happening to `persons` and enqueue their delivery.

    Call it inside the event's own transaction.
    """
    if kind not in EventKind.values:
        raise ValueError(kind)
    persons = [p for p in persons if p is not None]
    if not persons:
        return []
    on = on or timezone.localdate()
    made = []
    with zone_scope():
        subscriptions = list(
            Subscription.objects.filter(
                event_kind=kind,
                status=SubscriptionStatus.SUBSCRIBED,
                partner__active=True,
                partner__organisations__in={p.organisation_id for p in persons},
            )
            .distinct()
            .select_related("partner")
        )
        for sub in subscriptions:
            for person in persons:
                if not _matches(sub, person):
                    continue
                txn = uuid.uuid4().hex
                made.append(
                    Notification.objects.create(
                        organisation_id=sub.partner.organisation_id,
                        subscription=sub,
                        event_kind=kind,
                        person=person,
                        transaction_id=txn,
                        message=_message(sub, person, kind, on, txn),
                        created_at=_now(),
                    )
                )
    for n in made:
        enqueue_on_commit(notification_deliver, n.pk)
    return made


# --- delivering ------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102
        return None


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


def post_json(url: str, body: dict, *, timeout: float = TIMEOUT) -> tuple[int | None, str]:
    """POST `body` as JSON to `url`; return (HTTP status or None, error text or "")."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        return None, "adresse de rappel ni http ni https"
    data = json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310  (http/https only, checked above)
        url, data=data, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, str(reason)[:500]


def envelope(notification: Notification) -> dict:
    """The signed `notify` envelope of a notification (header made at each try)."""
    from .registry_api.envelope import callback_header, signed

    sub = notification.subscription
    header = callback_header(
        "notify",
        status="succ",
        receiver_id=sub.partner.client_id,
        total=len(notification.message.get("notify_event", [])),
        completed=len(notification.message.get("notify_event", [])),
    )
    header["message_id"] = notification.transaction_id
    header["meta"] = {"event": notification.event_kind, "subscription_code": sub.code}
    return signed(header, notification.message)


def _callback_allowed(partner: Partner, url: str) -> bool:
    return bool(url) and url in (partner.callback_urls or [])


@task(queue_name="callbacks")
def notification_deliver(notification_id: int) -> None:
    """Try to deliver one notification; schedule the next try or mark it failed."""
    with zone_scope(), transaction.atomic():
        n = (
            Notification.objects.select_for_update()
            .select_related("subscription__partner")
            .filter(pk=notification_id, status=NotificationStatus.PENDING)
            .first()
        )
        if n is None:
            return
        sub = n.subscription
        now = _now()
        if sub.status != SubscriptionStatus.SUBSCRIBED or not sub.partner.active:
            status, error = None, "abonnement résilié ou partenaire désactivé"
            final = True
        elif not _callback_allowed(sub.partner, sub.callback_url):
            status, error = None, "adresse de rappel non enregistrée pour ce partenaire"
            final = True
        else:
            status, error = post_json(sub.callback_url, envelope(n))
            final = False
        DeliveryAttempt.objects.create(notification=n, at=now, http_status=status, error=error)
        n.attempts += 1
        if status is not None and 200 <= status < 300:
            n.status, n.sent_at, n.next_try_at, n.last_error = (
                NotificationStatus.SENT,
                now,
                None,
                "",
            )
        elif final or n.attempts >= max_attempts():
            n.status, n.next_try_at, n.last_error = NotificationStatus.FAILED, None, error
        else:
            wait = backoff()[n.attempts - 1]
            n.next_try_at = now + dt.timedelta(seconds=wait)
            n.last_error = error
            enqueue_on_commit(notification_deliver, n.pk, run_after=n.next_try_at)
        n.save(update_fields=["attempts", "status", "sent_at", "next_try_at", "last_error"])


# --- where the events happen -----------------------------------------------------------------


def insured_on(person, on: dt.date | None = None) -> bool:
    """Whether `person` has an employment in force on `on` (today by default)."""
    from kafo.registry.models import Employment

    on = on or timezone.localdate()
    with zone_scope():
        return (
            Employment.objects.filter(person_id=person.pk, start_date__lte=on)
            .exclude(end_date__lt=on)
            .exists()
        )


def insured_status_changed(person, *, before: bool) -> None:
    """Notify an insured-status change when `person`'s status today differs from `before`."""
    if insured_on(person) != before:
        events_record(kind=EventKind.INSURED_STATUS, persons=[person])
