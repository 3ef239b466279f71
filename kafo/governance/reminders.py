"""The daily follow-up of decisions and actions: marking them late, and e-mail reminders
to their owners before, at and after the deadline."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kafo.audit import services as audit

from .checks import _today
from .decisions import _history
from .domain import deadlines
from .models import Action, Decision, ReminderKind, ReminderSent, Status


def items_mark_late(*, today: dt.date | None = None) -> int:
    """Mark late every open decision and action of the current scope past its deadline."""
    today = today or _today()
    count = 0
    open_now = (Status.TODO, Status.IN_PROGRESS)
    for decision in Decision.objects.filter(status__in=open_now, deadline__lt=today):
        with transaction.atomic():
            before = audit.snapshot(decision)
            decision.status = Status.LATE
            decision.save(update_fields=["status"])
            audit.record_updated(decision, before)
            _history(decision, Status.LATE, today, None, _("Échéance dépassée."))
        count += 1
    for action in Action.objects.filter(status__in=open_now, end_date__lt=today):
        with transaction.atomic():
            before = audit.snapshot(action)
            action.status = Status.LATE
            action.save(update_fields=["status"])
            audit.record_updated(action, before)
        count += 1
    return count


def reminders_send(*, today: dt.date | None = None) -> int:
    """Send the reminders due today for the current scope; return how many were sent.

    Each reminder is recorded before the mail goes out, in one transaction: a failed send
    rolls the record back (it will be tried again), a second run finds the record and skips.
    """
    today = today or _today()
    sent = 0
    open_statuses = deadlines.OPEN_STATUSES
    items = [
        ("decision", d, d.deadline)
        for d in Decision.objects.filter(status__in=open_statuses, deadline__isnull=False)
        .select_related("owner_user", "session__body")
        .order_by("pk")
    ] + [
        ("action", a, a.end_date)
        for a in Action.objects.filter(status__in=open_statuses)
        .select_related("owner_user", "priority__plan")
        .order_by("pk")
    ]
    for item_type, item, deadline in items:
        due = deadlines.reminder_due(item.status, deadline, today)
        address = item.reminder_address
        if due is None or not address:
            continue
        kind, bucket = due
        try:
            with transaction.atomic():
                ReminderSent.objects.create(
                    organisation_id=item.organisation_id,
                    item_type=item_type,
                    item_id=item.pk,
                    kind=kind,
                    bucket=bucket,
                    recipient=address,
                )
                subject, body = _reminder_text(item_type, item, kind, deadline, today)
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        except IntegrityError:
            continue  # already sent for this window
        sent += 1
    return sent


def _reminder_text(item_type, item, kind, deadline, today) -> tuple[str, str]:
    where = str(item.session.body) if item_type == "decision" else str(item.priority.plan)
    label = {
        ReminderKind.BEFORE: _("échéance le %(d)s"),
        ReminderKind.DUE: _("échéance atteinte le %(d)s"),
        ReminderKind.OVERDUE: _("en retard depuis le %(d)s"),
    }[kind] % {"d": deadline.strftime("%d/%m/%Y")}
    subject = f"[Kafo] {item.reference} {item.title} — {label}"
    body = "\n".join(
        [
            _("Bonjour %(name)s,") % {"name": item.owner_name},
            "",
            f"{where} : {item.reference} {item.title}",
            _("Statut : %(s)s ; %(l)s.") % {"s": item.get_status_display(), "l": label},
            "",
            _("Merci de mettre à jour le suivi dans Kafo."),
        ]
    )
    return subject, body
