"""Reads of the registry. Every query goes through the tenant-scoped default managers."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Count, Q
from rapidfuzz import fuzz

from .domain import names, national_ids, registration_numbers
from .models import Employer, Person, PersonNameKey

SEARCH_LIMIT = 50
_CANDIDATES = 400


@dataclass(frozen=True)
class PersonHit:
    person: Person
    score: float


def person_search(query: str, *, limit: int = SEARCH_LIMIT) -> list[PersonHit]:
    """Find persons by registration number, national id, or names with spelling variants.

    Names: every word of the query must match a word of the person's names by phonetic key
    (Kulibali finds Coulibaly); when nothing matches that way, words match by key prefix, and
    candidates are ranked by string similarity of the folded full names.
    """
    query = (query or "").strip()
    if not query:
        return []
    exact = _by_identifier(query)
    if exact:
        return [PersonHit(p, 100.0) for p in exact]
    query, birth = _birth_in_query(query)
    keys = names.name_keys(query)
    if not keys:
        return []
    ids = _ids_matching_all(keys, prefix=False) or _ids_matching_all(keys, prefix=True)
    if not ids:
        return []
    persons = Person.objects.filter(pk__in=ids[:_CANDIDATES])
    folded_query = names.fold(query)
    hits = [
        PersonHit(
            p, fuzz.token_sort_ratio(folded_query, names.fold(f"{p.family_name} {p.given_names}"))
        )
        for p in persons
    ]
    hits.sort(
        key=lambda h: (
            -_birth_match(h.person.birth_date, birth),
            -h.score,
            h.person.family_name,
            h.person.given_names,
            h.person.pk,
        )
    )
    return hits[:limit]


# A birth date typed with the name ("Diallo Fatoumata 12/03/1987") or its year ("… 1987").
_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b|\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def _birth_in_query(query: str) -> tuple[str, dt.date | int | None]:
    """The query without its birth date or year, and that date (or year) to rank by."""
    found = _DATE.search(query)
    if found:
        day, month, year = (
            (found[1], found[2], found[3]) if found[1] else (found[6], found[5], found[4])
        )
        rest = (query[: found.start()] + " " + query[found.end() :]).strip()
        try:
            return rest, dt.date(int(year), int(month), int(day))
        except ValueError:
            return rest, int(year)
    found = _YEAR.search(query)
    if found:
        return (query[: found.start()] + " " + query[found.end() :]).strip(), int(found[1])
    return query, None


def _birth_match(birth_date: dt.date, birth: dt.date | int | None) -> int:
    """2 when the typed birth date is the person's, 1 when only the year is, 0 otherwise."""
    if birth is None or birth_date is None:
        return 0
    if isinstance(birth, dt.date):
        return 2 if birth_date == birth else (1 if birth_date.year == birth.year else 0)
    return 1 if birth_date.year == birth else 0


def _by_identifier(query: str) -> list[Person]:
    compact = national_ids.normalise(query)
    if compact.isdigit() and len(compact) == registration_numbers.PERSON_DIGITS + 1:
        found = list(Person.objects.filter(number=compact))
        if found:
            return found
    if any(ch.isdigit() for ch in compact):
        return list(
            Person.objects.filter(Q(national_id=compact) | Q(number=compact))[:SEARCH_LIMIT]
        )
    return []


def _ids_matching_all(keys: list[str], *, prefix: bool) -> list[int]:
    condition = Q()
    for key in keys:
        if prefix:
            stem = key[: max(3, len(key) - 2)]
            condition |= Q(key__gte=stem, key__lt=stem + "\x7f")
        else:
            condition |= Q(key=key)
    rows = (
        PersonNameKey.objects.filter(condition)
        .values("person_id")
        .annotate(n=Count("key", distinct=True))
        .filter(n__gte=len(keys))
        .order_by("person_id")[:_CANDIDATES]
    )
    return [r["person_id"] for r in rows]


def employer_search(query: str, *, limit: int = SEARCH_LIMIT) -> list[Employer]:
    """Find employers by registration number, trade-register or tax id, or legal name."""
    query = (query or "").strip()
    if not query:
        return []
    compact = national_ids.normalise(query)
    by_id = Employer.objects.filter(
        Q(number=compact) | Q(trade_register_id__iexact=query) | Q(tax_id__iexact=query)
    )
    if by_id.exists():
        return list(by_id[:limit])
    condition = Q()
    for word in names.tokens(query):
        condition &= Q(search_name__contains=word)
    return list(Employer.objects.filter(condition)[:limit])


def person_detail(pk) -> Person:
    from kafo.organisations.tenancy import get_for_scope

    return get_for_scope(
        Person,
        pk=pk,
        queryset=Person.objects.select_related("organisation", "organisation__country"),
    )
