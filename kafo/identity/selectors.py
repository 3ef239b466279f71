"""Reads of the zone person index.

Another organisation's record is never returned here: only its organisation's code, how many
records it holds for the same zone person, and which fields agreed. This module is the one
place that reads the index across organisations (`unscoped`), and it returns codes only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from kafo.registry.domain import names
from kafo.registry.models import Person, PersonNameKey

from .domain import quick_match
from .models import LinkChange, ReviewItem, ReviewStatus, ZoneLink

HINT_CANDIDATES = 300


@dataclass(frozen=True)
class ElsewhereCount:
    organisation_code: str
    records: int


@dataclass(frozen=True)
class Hint:
    organisation_code: str
    probability: float
    agreements: list[str]
    own_person: Person | None = None  # set only for a record of the agent's own organisation


def zone_link_of(person: Person) -> ZoneLink | None:
    return ZoneLink.objects.filter(person=person).select_related("zone_person").first()


def own_records_of(link: ZoneLink) -> list[Person]:
    """The zone person's records that the current scope may read, in full."""
    return list(
        Person.objects.filter(zone_link__zone_person_id=link.zone_person_id).select_related(
            "organisation"
        )
    )


def elsewhere_of(link: ZoneLink) -> list[ElsewhereCount]:
    """Which other organisations hold a record of this zone person: codes and counts only."""
    own = link.organisation_id
    rows = (
        ZoneLink.unscoped.filter(zone_person_id=link.zone_person_id)
        .exclude(organisation_id=own)
        .values("organisation__code")
        .annotate(n=Count("id"))
        .order_by("organisation__code")
    )
    return [ElsewhereCount(r["organisation__code"], r["n"]) for r in rows]


def recent_changes(link: ZoneLink) -> list[LinkChange]:
    return list(LinkChange.objects.filter(person_id=link.person_id)[:20])


def review_queue(status: str = ReviewStatus.PENDING) -> list[ReviewItem]:
    return list(ReviewItem.objects.filter(status=status).select_related("person")[:200])


def registration_hints(
    record: quick_match.Record, *, organisation_id: int, exclude_pk: int | None = None
) -> list[Hint]:
    """Records of the zone that may be this person: one hint per organisation, best first."""
    keys = names.name_keys(record.family_name) + names.name_keys(record.given_names)
    if not keys or record.birth_date is None:
        return []
    year = record.birth_date.year
    # Candidates share at least two name keys (in any order: names entered the other way
    # round still meet) and were born within two years.
    candidate_ids = (
        PersonNameKey.unscoped.filter(key__in=set(keys))
        .filter(person__birth_date__year__gte=year - 2, person__birth_date__year__lte=year + 2)
        .values("person_id")
        .annotate(n=Count("key", distinct=True))
        .filter(n__gte=min(2, len(set(keys))))
        .order_by("-n", "person_id")
        .values_list("person_id", flat=True)[:HINT_CANDIDATES]
    )
    candidates = Person.unscoped.filter(pk__in=list(candidate_ids)).select_related("organisation")
    best: dict[str, Hint] = {}
    for person in candidates:
        if person.pk == exclude_pk:
            continue
        scored = quick_match.score(record, _as_record(person))
        if scored.weight < quick_match.HINT_WEIGHT:
            continue
        code = person.organisation.code
        own = person if person.organisation_id == organisation_id else None
        key = f"own-{person.pk}" if own else code
        if key not in best or best[key].probability < scored.probability:
            best[key] = Hint(code, round(scored.probability, 3), scored.agreements, own)
    return sorted(best.values(), key=lambda h: -h.probability)


def _as_record(person: Person) -> quick_match.Record:
    return quick_match.Record(
        family_name=person.family_name,
        given_names=person.given_names,
        sex=person.sex,
        birth_date=person.birth_date,
        birth_precision=person.birth_date_precision,
        birth_place=person.birth_place,
        mother_name=person.mother_name,
        national_id=person.national_id,
    )
