"""Reads of the exchanges, scoped to the current organisation (its own rows only).

What another organisation holds reaches a page only through an approved answer: the
`periods` of the requester's own row. Codes of the organisations holding a record of the
zone person come from the index (`identity.selectors.elsewhere_of`): codes and counts only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from kafo.identity import selectors as index
from kafo.identity.models import ZoneLink
from kafo.registry.models import Person

from .models import Direction, LiaisonMessage, MessageKind, MessageStatus

PAGE_SIZE = 25


def messages(direction: str = "", *, overdue_on: dt.date | None = None):
    """The organisation's messages, newest first (a queryset for the page to cut into pages).

    `direction` "incoming" or "outgoing" keeps one side; `overdue_on` keeps the pending ones
    whose deadline passed before that day.
    """
    rows = LiaisonMessage.objects.select_related("sender", "recipient", "person")
    if direction in Direction.values:
        rows = rows.filter(direction=direction)
    if overdue_on is not None:
        rows = rows.filter(_overdue(overdue_on))
    return rows.order_by("-created_at", "-id")


def _overdue(on: dt.date) -> Q:
    return Q(status=MessageStatus.PENDING, deadline__lt=on)


def overdue_count(organisation, on: dt.date) -> int:
    """How many messages the organisation received and has not acted on by their deadline.

    Counted for an indicator (kafo/stats): the organisation's own incoming rows, pending, whose
    deadline is before `on`. Requests it sent that the others are late on are not counted here
    (they show, flagged, on the liaison officer's page).
    """
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return LiaisonMessage.unscoped.filter(
        _overdue(on), organisation_id=org_id, direction=Direction.INCOMING
    ).count()


def message_rows():
    """The queryset views use to look one of the organisation's own rows up."""
    return LiaisonMessage.objects.select_related(
        "sender", "recipient", "person", "created_by", "decided_by", "claim"
    )


def claim_messages(claim) -> list[LiaisonMessage]:
    """The claim's own-side messages: requests and forwards sent for it, decisions about it."""
    return list(
        LiaisonMessage.objects.filter(claim=claim)
        .select_related("sender", "recipient")
        .order_by("created_at", "id")
    )


@dataclass(frozen=True)
class ElsewhereRow:
    """Another organisation holding the zone person, and the latest request made to it."""

    organisation_code: str
    records: int
    request: LiaisonMessage | None


@dataclass(frozen=True)
class CareerPart:
    organisation_code: str
    months: int
    spans: list[dict]
    from_liaison: bool  # True: periods communicated by an approved request
    as_of: str = ""
    reference: str = ""


@dataclass(frozen=True)
class JoinedCareer:
    """The insured periods of a person that the current scope may know, per organisation.

    `months` is the basis for totalisation: insured months counted once, even when two
    organisations insured the same month.
    """

    parts: list[CareerPart]
    months: int


def elsewhere_with_requests(person: Person) -> list[ElsewhereRow]:
    """The organisations holding the person's zone person, each with the latest request that
    the scope's organisation sent about this record or another of its records of the same
    zone person."""
    link = ZoneLink.objects.filter(person=person).first()
    if link is None:
        return []
    own = [p.pk for p in index.own_records_of(link)]
    latest: dict[str, LiaisonMessage] = {}
    for row in (
        LiaisonMessage.objects.filter(
            direction=Direction.OUTGOING, kind=MessageKind.PERIODS_REQUEST, person_id__in=own
        )
        .select_related("recipient")
        .order_by("created_at", "id")
    ):
        latest[row.recipient.code] = row
    return [
        ElsewhereRow(e.organisation_code, e.records, latest.get(e.organisation_code))
        for e in index.elsewhere_of(link)
    ]


def joined_career(person: Person) -> JoinedCareer:
    """The own organisation's insured periods plus those communicated by approved answers.

    Answers are read from the requests made about the organisation's own records of the
    person (not from the zone person they were sent for): after a merge or a split of the zone
    person, periods received stay with the record they were asked for. A later approval from
    the same organisation replaces an earlier one; an organisation whose records the scope
    reads in full is taken from its records.
    """
    from kafo.contributions.selectors import person_career

    link = ZoneLink.objects.filter(person=person).first()
    own_records = index.own_records_of(link) if link else [person]
    career = person_career(person=own_records[0], persons=own_records[1:])
    own_months = index.career_months(career)
    parts = [
        CareerPart(code, len(months), index.month_spans(months), from_liaison=False)
        for code, months in sorted(own_months.items())
    ]
    everything = set().union(*own_months.values())
    approved: dict[str, LiaisonMessage] = {}
    for row in LiaisonMessage.objects.filter(
        direction=Direction.OUTGOING,
        kind=MessageKind.PERIODS_REQUEST,
        person_id__in=[p.pk for p in own_records],
        status=MessageStatus.APPROVED,
    ).order_by("decided_at", "id"):
        approved[row.periods["organisation"]] = row
    for code, row in sorted(approved.items()):
        if code in own_months:
            continue
        periods = row.periods
        parts.append(
            CareerPart(
                code,
                periods["months"],
                periods["spans"],
                from_liaison=True,
                as_of=_display_date(periods["as_of"]),
                reference=row.reference,
            )
        )
        everything.update(index.months_of_spans(periods["spans"]))
    return JoinedCareer(parts=parts, months=len(everything))


def _display_date(iso: str) -> str:
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else ""


def today() -> dt.date:
    return timezone.localdate()
