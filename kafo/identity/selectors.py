"""Reads of the zone person index.

Another organisation's record is never returned here: only its organisation's code, how many
records it holds for the same zone person, which fields agreed, and — once it approved a
liaison request — its insured months (`insured_periods_of`, what an answer communicates). This
module is the one place that reads the index across organisations (`unscoped`, or another
organisation's scope), and it returns codes and months only, except `record_held_by`, which
the exchange services use to address the other side's twin row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy

from kafo.organisations.tenancy import tenant_scope
from kafo.registry.domain import names
from kafo.registry.models import Person, PersonNameKey

from .domain import quick_match
from .models import (
    LinkChange,
    LinkMethod,
    ReviewItem,
    ReviewStatus,
    ZoneLink,
)

HINT_CANDIDATES = 300


@dataclass(frozen=True)
class ElsewhereCount:
    organisation_code: str
    records: int


@dataclass(frozen=True)
class Hint:
    """A record of the zone that may be the person being registered.

    For another organisation's record: its organisation's code and nothing else (no score, no
    field agreement). For a record of the agent's own organisation: the record, the probability
    and the field agreements, which the agent may read anyway.
    """

    organisation_code: str
    own_person: Person | None = None
    probability: float | None = None
    agreements: tuple[str, ...] = ()


def zone_link_of(person: Person) -> ZoneLink | None:
    """The person's link, its method as the page should say it: a record created alone
    ("aucun autre dossier") that an agent's merge then joined to others reads as joined by that
    decision (issue 18: the page said "aucun autre dossier" while listing two others)."""
    link = ZoneLink.objects.filter(person=person).select_related("zone_person").first()
    if (
        link is not None
        and link.method == LinkMethod.SINGLE
        and ZoneLink.unscoped.filter(zone_person_id=link.zone_person_id)
        .exclude(pk=link.pk)
        .exists()
    ):
        link.method = LinkMethod.AGENT
    return link


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


REVIEW_PAGE_SIZE = 25


def review_queue(status: str = ReviewStatus.PENDING):
    """The organisation's review items: pending ones in the engine's order, answered ones last
    answered first. A queryset, for the page to cut into pages of `REVIEW_PAGE_SIZE`."""
    items = ReviewItem.objects.filter(status=status).select_related("person__organisation")
    if status == ReviewStatus.PENDING:
        return items.order_by("rank", "-weight", "id")
    return items.order_by("-decided_at", "-id")


@dataclass(frozen=True)
class ReviewerThroughput:
    name: str
    last_7_days: int
    last_30_days: int
    same: int
    distinct: int


@dataclass(frozen=True)
class ReviewQueueStats:
    pending: int
    oldest_since: dt.datetime | None
    oldest_days: int | None
    average_days: float | None
    reviewers: list[ReviewerThroughput]


def review_queue_stats(now: dt.datetime | None = None) -> ReviewQueueStats:
    """For the registration manager: the queue's size and age, and each reviewer's answers
    (last 7 and 30 days, and over those 30 days how many were "same" and "different")."""
    from django.db.models import Min, Q

    now = now or timezone.now()
    pending = ReviewItem.objects.filter(status=ReviewStatus.PENDING)
    count = pending.count()
    oldest = pending.aggregate(oldest=Min("created_at"))["oldest"]
    ages = [
        (now - created).total_seconds() / 86400
        for created in pending.values_list("created_at", flat=True)[:10000]
    ]
    month = now - dt.timedelta(days=30)
    week = now - dt.timedelta(days=7)
    rows = (
        ReviewItem.objects.filter(decided_by__isnull=False, decided_at__gte=month)
        .values("decided_by", "decided_by__first_name", "decided_by__last_name")
        .annotate(
            d30=Count("id"),
            d7=Count("id", filter=Q(decided_at__gte=week)),
            same=Count("id", filter=Q(status=ReviewStatus.MERGED)),
            distinct=Count("id", filter=Q(status=ReviewStatus.DISTINCT)),
        )
        .order_by("-d30", "decided_by")
    )
    from kafo.accounts.models import User

    usernames = dict(
        User.objects.filter(pk__in=[r["decided_by"] for r in rows]).values_list("pk", "username")
    )
    reviewers = [
        ReviewerThroughput(
            name=(f"{r['decided_by__first_name']} {r['decided_by__last_name']}".strip())
            or usernames.get(r["decided_by"], ""),
            last_7_days=r["d7"],
            last_30_days=r["d30"],
            same=r["same"],
            distinct=r["distinct"],
        )
        for r in rows
    ]
    return ReviewQueueStats(
        pending=count,
        oldest_since=oldest,
        oldest_days=(now - oldest).days if oldest else None,
        average_days=round(sum(ages) / len(ages), 1) if ages else None,
        reviewers=reviewers,
    )


@dataclass(frozen=True)
class SideBySide:
    """One field of a review pair: this side's value, the other's (own organisation only),
    and the engine's word on how they agree."""

    label: str
    mine: str
    theirs: str | None
    agreement: str | None


_SIDE_FIELDS = (
    ("fam", _lazy("Nom"), "family_name"),
    ("giv", _lazy("Prénoms"), "given_names"),
    ("sex", _lazy("Sexe"), "get_sex_display"),
    ("date", _lazy("Naissance"), "birth_date_display"),
    ("place", _lazy("Lieu de naissance"), "birth_place"),
    ("mother", _lazy("Nom de la mère"), "mother_name"),
    ("nid", _lazy("Identifiant national"), "national_id"),
)


def review_other_agreements(item: ReviewItem) -> list[str]:
    """The engine's words that belong to no single field (names swapped, a guard...)."""
    fields = {code for code, _label, _attr in _SIDE_FIELDS}
    return [line for line in item.agreements if str(line).partition(": ")[0] not in fields]


def review_side_by_side(item: ReviewItem) -> list[SideBySide]:
    """The pair's fields side by side. The other record's values are shown only when it belongs
    to the same organisation; for another organisation's record only the agreement shows."""
    words = {}
    for line in item.agreements:
        field = str(line).partition(": ")[0]
        words.setdefault(field, line)
    other = item.other_person if item.other_person.organisation_id == item.organisation_id else None

    def value(person, attr):
        got = getattr(person, attr)
        got = got() if callable(got) else got
        return str(got or "—")

    return [
        SideBySide(
            label=str(label),
            mine=value(item.person, attr),
            theirs=value(other, attr) if other else None,
            agreement=words.get(code),
        )
        for code, label, attr in _SIDE_FIELDS
    ]


def other_side_answer(item: ReviewItem) -> str | None:
    """The other organisation's answer on a pair across organisations (its item's status).

    None for a pair within one organisation. Only the answer is read, never the other record.
    """
    if item.twin_id is None:
        return None
    row = ReviewItem.unscoped.filter(pk=item.twin_id).values("organisation_id", "status").first()
    if row is None or row["organisation_id"] == item.organisation_id:
        return None
    return row["status"]


def registration_hints(
    record: quick_match.Record, *, organisation_id: int, exclude_pk: int | None = None
) -> list[Hint]:
    """Records of the zone that may be this person: own records first, then other organisations.

    Another organisation's record is compared on the names, the sex and the birth year only,
    and shown (by its organisation's code, once per organisation) only when that comparison
    reaches `quick_match.HINT_WEIGHT`. Its exact birth date, birth place, mother's name and
    national id never change the answer, so an agent cannot learn them by varying what is typed
    and watching the hints; no score is shown. Records of the agent's own organisation are
    compared on every field and shown with their probability.
    """
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
    ids = set(candidate_ids)
    # A typo can break the family name's key: one shared key and the same birth year still
    # make a candidate (the year, not the day: which records are candidates must not depend on
    # another organisation's exact date).
    ids.update(
        PersonNameKey.unscoped.filter(key__in=set(keys), person__birth_date__year=year)
        .order_by("person_id")
        .values_list("person_id", flat=True)
        .distinct()[:HINT_CANDIDATES]
    )
    typed_coarse = _coarse(record)
    candidates = Person.unscoped.filter(pk__in=ids).select_related("organisation")
    own: dict[int, Hint] = {}
    elsewhere: set[str] = set()
    for person in candidates:
        if person.pk == exclude_pk:
            continue
        if person.organisation_id == organisation_id:
            scored = quick_match.score(record, _as_record(person))
            if scored.weight >= quick_match.HINT_WEIGHT:
                own[person.pk] = Hint(
                    person.organisation.code,
                    own_person=person,
                    probability=round(scored.probability, 3),
                    agreements=tuple(scored.agreements),
                )
        elif person.organisation.code not in elsewhere:
            scored = quick_match.score(typed_coarse, _coarse(_as_record(person)))
            if scored.weight >= quick_match.HINT_WEIGHT:
                elsewhere.add(person.organisation.code)
    ranked = sorted(own.values(), key=lambda h: (-h.probability, h.own_person.pk))
    return ranked + [Hint(code) for code in sorted(elsewhere)]


def _coarse(record: quick_match.Record) -> quick_match.Record:
    """What another organisation's record is compared on: names, sex and birth year."""
    return quick_match.Record(
        family_name=record.family_name,
        given_names=record.given_names,
        sex=record.sex,
        birth_date=dt.date(record.birth_date.year, 1, 1) if record.birth_date else None,
        birth_precision="year",
    )


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


# --- cross-border liaison -------------------------------------------------------------------


def record_held_by(*, organisation, zone_person_id: int) -> Person | None:
    """The first record `organisation` holds of a zone person (for services, never a page)."""
    return (
        Person.unscoped.filter(organisation=organisation, zone_link__zone_person_id=zone_person_id)
        .order_by("pk")
        .first()
    )


def insured_periods_of(
    *,
    organisation,
    zone_person_id: int | None = None,
    person: Person | None = None,
    on: dt.datetime | None = None,
    with_salaries: bool = False,
) -> dict:
    """Return what one organisation communicates of a person's career under the convention.

    Computed in that organisation's scope from the record asked about (`person`, with the
    organisation's other records now linked to the same zone person) or, without one, from
    its records of `zone_person_id`: its code, the spans of consecutive insured months (a
    month with two employers counts once), their total, the months per calendar year and,
    `with_salaries`, the salary basis per year (gross salaries declared, as text). No name,
    number, id or employer.
    """
    from kafo.contributions.selectors import person_career

    with tenant_scope(organisation):
        if person is not None:
            link = ZoneLink.objects.filter(person_id=person.pk).first()
            others = (
                Person.objects.filter(zone_link__zone_person_id=link.zone_person_id)
                .exclude(pk=person.pk)
                .order_by("pk")
                if link
                else Person.objects.none()
            )
            records = [person, *others.select_related("organisation")]
        else:
            records = list(
                Person.objects.filter(zone_link__zone_person_id=zone_person_id)
                .select_related("organisation")
                .order_by("pk")
            )
        career = person_career(person=records[0], persons=records[1:]) if records else None
    months = career_months(career).get(organisation.code, set()) if career else set()
    years: dict[str, dict] = {}
    for m in sorted(months):
        years.setdefault(m[:4], {"year": int(m[:4]), "months": 0})["months"] += 1
    if with_salaries and career:
        salaries = _salaries_per_year(career, organisation.code)
        for year, cell in years.items():
            cell["salary"] = str(salaries.get(year, 0))
    return {
        "organisation": organisation.code,
        "months": len(months),
        "spans": month_spans(months),
        "years": list(years.values()),
        "as_of": (timezone.localdate(on) if on else timezone.localdate()).isoformat(),
    }


def _salaries_per_year(career: dict, code: str) -> dict:
    from decimal import Decimal

    from kafo.contributions.domain.periods import months_in

    out: dict[str, Decimal] = {}
    for org in career["organisations"]:
        if org["organisation"] != code:
            continue
        for row in org["periods"]:
            months = months_in(row["period"])
            # a quarterly line's salary belongs to the year of its months (one year per quarter)
            year = months[0][:4]
            out[year] = out.get(year, Decimal(0)) + row["gross_salary"]
    return out


def career_months(career: dict) -> dict[str, set[str]]:
    from kafo.contributions.domain.periods import months_in

    out: dict[str, set[str]] = {}
    for org in career["organisations"]:
        months = out.setdefault(org["organisation"], set())
        for row in org["periods"]:
            months.update(months_in(row["period"]))
    return out


def _month_index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def _months_between(start: str, end: str) -> list[str]:
    return [
        f"{i // 12}-{i % 12 + 1:02d}" for i in range(_month_index(start), _month_index(end) + 1)
    ]


def months_of_spans(spans) -> list[str]:
    """The 'YYYY-MM' months the spans [{start, end, ...}] cover, in order."""
    return [m for span in spans for m in _months_between(span["start"], span["end"])]


def month_spans(months) -> list[dict]:
    """Group 'YYYY-MM' months into runs of consecutive months: [{start, end, months}]."""
    spans: list[dict] = []
    for m in sorted(months):
        if spans and _month_index(m) == _month_index(spans[-1]["end"]) + 1:
            spans[-1]["end"] = m
            spans[-1]["months"] += 1
        else:
            spans.append({"start": m, "end": m, "months": 1})
    return spans
