"""Deaths the civil registry notifies: recorded, matched to Kafo's persons, applied or reviewed.

A notice is applied at once only to persons whose national id is exactly the notice's and whose
birth date, when both are known, agrees, and only when each organisation has one such person;
then `kafo.payroll.services.death_record` stops their benefits at the end of the month of death,
records what was paid after it as an overpayment and opens the survivors' claim. Anything weaker
(the same national id twice in an organisation or with another birth date, the same names and
birth date, another record of the same zone person) becomes a `DeathMatch` waiting on the review
list; a notice nobody matches stays `unmatched`.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kafo.audit import services as audit
from kafo.jobs import enqueue_on_commit, task
from kafo.organisations.tenancy import Scope, use_scope, zone_scope
from kafo.registry.domain import names, national_ids

from ..models_events import (
    CivilRegistry,
    DeathMatch,
    DeathNotice,
    DeathOutcome,
    MatchMethod,
    MatchStatus,
)

NATIONAL_ID_TYPES = {"UIN", "NID", "NIN", "NATIONAL_ID", "CNI"}


def _date(value) -> dt.date | None:
    if not value or not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def is_death(reg_event_type) -> bool:
    last = str(reg_event_type or "").rsplit(":", 1)[-1].strip().lower()
    return last == "death"


def _national_id(record: dict) -> str:
    ids = record.get("identifier") or []
    for ident in ids if isinstance(ids, list) else [ids]:
        if isinstance(ident, dict) and str(ident.get("identifier_type", "")).upper() in (
            NATIONAL_ID_TYPES
        ):
            return national_ids.normalise(str(ident.get("identifier_value", "")))[:30]
    return ""


def notices_receive(registry: CivilRegistry, message: dict) -> list[DeathNotice]:
    """Store the death events of a CRVS `notify` message (once each) and enqueue their matching."""
    made = []
    txn = str(message.get("transaction_id", ""))[:99]
    with transaction.atomic():
        for event in message.get("notify_event") or []:
            data = event.get("data") or {}
            if not is_death(data.get("reg_event_type")):
                continue
            records = data.get("reg_records") or {}
            for record in records if isinstance(records, list) else [records]:
                if not isinstance(record, dict):
                    continue
                name = record.get("name") if isinstance(record.get("name"), dict) else {}
                notice, created = DeathNotice.objects.get_or_create(
                    registry=registry,
                    transaction_id=txn,
                    reference_id=str(event.get("reference_id", ""))[:99],
                    defaults={
                        "received_at": timezone.now(),
                        "national_id": _national_id(record),
                        "family_name": str(name.get("surname", ""))[:80],
                        "given_names": str(name.get("given_name", ""))[:120],
                        "birth_date": _date(record.get("birth_date")),
                        "death_date": _date(record.get("death_date")),
                        "record": record,
                        "outcome": DeathOutcome.RECEIVED,
                    },
                )
                if created:
                    made.append(notice)
                    enqueue_on_commit(death_notice_process, notice.pk)
    return made


def _candidates(notice: DeathNotice) -> tuple[list, list]:
    """Return (exact national-id matches, weaker candidates) among all organisations' persons."""
    from kafo.registry.models import Person

    exact = []
    if notice.national_id:
        exact = list(
            Person.objects.filter(national_id=notice.national_id).select_related("organisation")
        )
    weak: dict[int, tuple] = {}
    if notice.birth_date and notice.family_name:
        family, given = names.fold(notice.family_name), names.fold(notice.given_names)
        for p in Person.objects.filter(birth_date=notice.birth_date).select_related("organisation"):
            if names.fold(p.family_name) == family and names.fold(p.given_names) == given:
                weak[p.pk] = (p, MatchMethod.NAMES_BIRTH)
    seeds = [p for p in exact] + [p for p, _m in weak.values()]
    zone_ids = {getattr(getattr(p, "zone_link", None), "zone_person_id", None) for p in seeds}
    zone_ids.discard(None)
    if zone_ids:
        for p in Person.objects.filter(zone_link__zone_person_id__in=zone_ids).select_related(
            "organisation"
        ):
            weak.setdefault(p.pk, (p, MatchMethod.ZONE_INDEX))
    return exact, [w for w in weak.values() if w[0].pk not in {p.pk for p in exact}]


def _apply(match: DeathMatch, notice: DeathNotice, user) -> None:
    """Record the death of `match.person` in its organisation's payroll."""
    from kafo.payroll.models import DeathRecord
    from kafo.payroll.services import death_record

    existing = DeathRecord.objects.filter(person=match.person).first()
    match.death_record = existing or death_record(
        organisation=match.organisation_id,
        person=match.person,
        death_date=notice.death_date,
        source=f"État civil {notice.registry.name} ({notice.reference_id})",
        user=user,
    )


@task(queue_name="default")
def death_notice_process(notice_id: int) -> None:
    """Match one notice and apply it, send it to review or leave it unmatched."""
    with zone_scope(), transaction.atomic():
        notice = (
            DeathNotice.objects.select_for_update()
            .select_related("registry")
            .filter(pk=notice_id, outcome=DeathOutcome.RECEIVED)
            .first()
        )
        if notice is None:
            return
        if notice.death_date is None or notice.death_date > timezone.localdate():
            notice.outcome, notice.note = DeathOutcome.INVALID, "date de décès absente ou future"
            notice.save(update_fields=["outcome", "note"])
            return
        exact, weak = _candidates(notice)
        per_org: dict[int, int] = {}
        for p in exact:
            per_org[p.organisation_id] = per_org.get(p.organisation_id, 0) + 1
        sure = [
            p
            for p in exact
            if per_org[p.organisation_id] == 1
            and (notice.birth_date is None or p.birth_date == notice.birth_date)
        ]
        doubtful = [(p, MatchMethod.NATIONAL_ID) for p in exact if p not in sure] + weak
        for p in sure:
            match = DeathMatch.objects.create(
                organisation_id=p.organisation_id,
                notice=notice,
                person=p,
                method=MatchMethod.NATIONAL_ID,
                status=MatchStatus.APPLIED,
                decided_at=timezone.now(),
            )
            with use_scope(Scope(organisation_id=p.organisation_id)):
                _apply(match, notice, None)
            match.save(update_fields=["death_record"])
            audit.record_created(match, subject=p)
        for p, method in doubtful:
            match = DeathMatch.objects.create(
                organisation_id=p.organisation_id, notice=notice, person=p, method=method
            )
            audit.record_created(match, subject=p)
        if sure:
            notice.outcome = DeathOutcome.APPLIED
        elif doubtful:
            notice.outcome = DeathOutcome.REVIEW
        else:
            notice.outcome = DeathOutcome.UNMATCHED
        notice.save(update_fields=["outcome"])


@transaction.atomic
def death_match_decide(*, match: DeathMatch, accept: bool, user) -> DeathMatch:
    """Accept (record the death in the payroll) or reject a weak match; audited."""
    match = (
        DeathMatch.objects.select_for_update().select_related("notice__registry").get(pk=match.pk)
    )
    if match.status != MatchStatus.PENDING:
        raise ValidationError({"status": _("Ce rapprochement a déjà été décidé.")})
    before = audit.snapshot(match)
    notice = match.notice
    if accept:
        _apply(match, notice, user)
    match.status = MatchStatus.ACCEPTED if accept else MatchStatus.REJECTED
    match.decided_by = user
    match.decided_at = timezone.now()
    match.save(update_fields=["status", "decided_by", "decided_at", "death_record"])
    audit.record_updated(match, before, subject=match.person)
    with zone_scope():
        statuses = set(DeathMatch.objects.filter(notice=notice).values_list("status", flat=True))
    if statuses & {MatchStatus.ACCEPTED, MatchStatus.APPLIED}:
        outcome = DeathOutcome.APPLIED
    elif MatchStatus.PENDING in statuses:
        outcome = DeathOutcome.REVIEW
    else:
        outcome = DeathOutcome.REJECTED
    DeathNotice.objects.filter(pk=notice.pk).update(outcome=outcome)
    return match
