"""Creating the notices to employers (deduplicated, handed to kafo.messaging by a job once
the transaction commits), and copying the messages' status back onto them.

Every write is audited on the employer's history.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from kafo.audit import services as audit
from kafo.contributions.models import LedgerEntry
from kafo.jobs import enqueue_on_commit
from kafo.organisations.models import Organisation
from kafo.registry.models import Employer

from .domain import expected
from .models import Assessment, Notice, NoticeChannel, NoticeStatus
from .notices import NoticeFacts, email_text, send_notice, sms_text


def _facts(employer: Employer, period: str, *, due=None, delay=None, amount=None) -> NoticeFacts:
    return NoticeFacts(
        organisation=employer.organisation.code,
        employer=employer.legal_name,
        employer_number=employer.number,
        period_label=expected.period_label(period) if period else "",
        due_date=due,
        delay_days=delay,
        amount=amount,
        currency=employer.organisation.currency,
    )


def _channels(employer: Employer, email: str | None) -> list[tuple[str, str]]:
    """(channel, recipient) of a notice: e-mail and SMS when known, else an e-mail to nobody."""
    channels = []
    if email:
        channels.append((NoticeChannel.EMAIL, email))
    if employer.phone:
        channels.append((NoticeChannel.SMS, employer.phone))
    return channels or [(NoticeChannel.EMAIL, "")]


def _dedup_key(kind: str, employer: Employer, period: str, channel: str, suffix: str = "") -> str:
    return f"{kind}:{employer.pk}:{period}:{channel}{suffix}"


def _all_known(known: set[str], kind, employer, period, email, suffix: str = "") -> bool:
    """Whether every notice `notice_issue` would create exists already (nothing to write)."""
    return all(
        _dedup_key(kind, employer, period, channel, suffix) in known
        for channel, _recipient in _channels(employer, email)
    )


def notice_issue(
    *,
    employer: Employer,
    kind: str,
    period: str,
    facts: NoticeFacts,
    on: dt.date,
    email: str | None,
    dedup_suffix: str = "",
    ledger_entry: LedgerEntry | None = None,
    assessment: Assessment | None = None,
    known: set[str] | None = None,
    outbox: list[int] | None = None,
) -> list[Notice]:
    """Create the notice of `kind` for the period by e-mail and by SMS (each contact known),
    unless already created; enqueue its sending. Return the notices created (none if known).

    Without any contact, one e-mail notice "aucun contact connu" is recorded, so the account
    shows that the employer could not be told. `known`: the dedup keys of the organisation's
    notices read beforehand (the daily run's one query), kept up to date; without it, one
    query per channel. `outbox`: the ids of the notices to send are added to it (the daily run
    hands them over in one job per batch) instead of one job each.
    """
    created = []
    for channel, recipient in _channels(employer, email):
        key = _dedup_key(kind, employer, period, channel, dedup_suffix)
        if known is not None:
            if key in known:
                continue
        elif Notice.unscoped.filter(
            organisation_id=employer.organisation_id, dedup_key=key
        ).exists():
            continue
        if channel == NoticeChannel.SMS:
            subject, text = "", sms_text(kind, facts)
        else:
            subject, text = email_text(kind, facts)
        try:
            with transaction.atomic():  # a concurrent run created it: skipped, not doubled
                notice = Notice.objects.create(
                    organisation_id=employer.organisation_id,
                    employer=employer,
                    period=period,
                    kind=kind,
                    channel=channel,
                    recipient=recipient,
                    subject=subject,
                    text=text,
                    status=NoticeStatus.PENDING if recipient else NoticeStatus.NO_CONTACT,
                    dedup_key=key,
                    due_date=facts.due_date,
                    issued_on=on,
                    ledger_entry=ledger_entry,
                    assessment=assessment,
                )
        except IntegrityError:
            continue
        if known is not None:
            known.add(key)
        audit.record_created(notice, subject=employer)
        if recipient and outbox is not None:
            outbox.append(notice.pk)
        elif recipient:
            enqueue_on_commit(send_notice, employer.organisation_id, notice.pk)
        created.append(notice)
    return created


def notices_refresh(*, organisation: Organisation) -> int:
    """Copy the status of each notice's message onto the notice (those not final yet)."""
    changed = 0
    for notice in Notice.unscoped.filter(
        organisation=organisation,
        status__in=[NoticeStatus.QUEUED, NoticeStatus.SENT],
    ).select_related("sms", "email"):
        message = notice.message
        if message is not None and message.status != notice.status:
            before = audit.snapshot(notice)
            notice.status = message.status
            notice.save(update_fields=["status"])
            audit.record_updated(notice, before, subject=notice.employer)
            changed += 1
    return changed
