"""The career a claim is computed from: the months declared in force at the claim's
organisation (every record of the same zone person there), the insured months other
organisations communicated for the claim (totalised: kafo/benefits/coordination.py), and the
gaps. Reads only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from kafo.contributions.domain import periods as declaration_periods
from kafo.contributions.models import DeclarationLine, DeclarationStatus
from kafo.registry.models import Person

from .domain.career import period_of, spread


def own_records(person: Person) -> list[Person]:
    """The person's records at its own organisation (the zone index may hold several)."""
    link = getattr(person, "zone_link", None) if has_link(person) else None
    if link is None:
        return [person]
    records = list(
        Person.unscoped.filter(
            organisation_id=person.organisation_id, zone_link__zone_person_id=link.zone_person_id
        ).order_by("pk")
    )
    return records or [person]


def has_link(person: Person) -> bool:
    from kafo.identity.models import ZoneLink

    try:
        return person.zone_link is not None
    except ZoneLink.DoesNotExist:
        return False


def declared_months(person: Person, *, until: dt.date) -> dict[str, dict]:
    """Return {YYYY-MM: {"salary", "days"}} from the declarations in force at the person's
    organisation, for every record of the same zone person there, up to `until`'s month.

    A quarterly line is spread over its three months as every career reader spreads it
    (`domain.career.spread`); lines of several employers in one month are summed, days too (a
    month declared with 0 days stays 0 days: the days threshold decides).
    """
    ids = [p.pk for p in own_records(person)]
    rows = DeclarationLine.unscoped.filter(
        organisation_id=person.organisation_id,
        person_id__in=ids,
        declaration__status=DeclarationStatus.IN_FORCE,
    ).values_list("declaration__period", "gross_salary", "days_worked")
    last = f"{until:%Y-%m}"
    months: dict[str, dict] = {}
    for period, salary, days in rows:
        for m, share, day_share in spread(declaration_periods.months_in(period), salary, days):
            if m > last:
                continue
            cell = months.setdefault(m, {"salary": Decimal(0), "days": 0})
            cell["salary"] += share
            cell["days"] += day_share or 0
    return dict(sorted(months.items()))


def ends_voluntary(person: Person, *, until: dt.date) -> bool:
    """Whether the person's last declared month up to `until`'s month at its organisation was
    paid as voluntary insurance only (every line of that month on a voluntary member's own
    account, kafo.voluntary): the claimant is then "voluntarily insured" and retires at the
    rules' voluntary age (`age.voluntary_age`; the reading is an assumption, see its provenance).
    """
    from kafo.voluntary.models import Membership  # a lower app (config/domains.py)

    ids = [p.pk for p in own_records(person)]
    rows = DeclarationLine.unscoped.filter(
        organisation_id=person.organisation_id,
        person_id__in=ids,
        declaration__status=DeclarationStatus.IN_FORCE,
    ).values_list("declaration__period", "declaration__employer_id")
    limit = f"{until:%Y-%m}"
    last, employers = "", set()
    for period, employer in rows:
        months = [m for m in declaration_periods.months_in(period) if m <= limit]
        if not months or months[-1] < last:
            continue
        if months[-1] > last:
            last, employers = months[-1], set()
        employers.add(employer)
    if not employers:
        return False
    accounts = Membership.unscoped.filter(account_id__in=employers).values_list(
        "account_id", flat=True
    )
    return employers <= set(accounts)


def elsewhere(person: Person, *, claim=None) -> list[dict]:
    """The insured months other organisations communicated for `claim` through approved
    answers to requests for periods (or with a forwarded claim): codes, month counts, spans
    and the answer's reference. Nothing without a claim: the zone index alone says nothing of
    another organisation's records (non-disclosure)."""
    if claim is None:
        return []
    from .models import ClaimForeignPeriods

    rows = (
        ClaimForeignPeriods.unscoped.filter(claim=claim, organisation_id=claim.organisation_id)
        .select_related("source_organisation")
        .order_by("source_organisation__code")
    )
    return [
        {
            "organisation": r.source_organisation.code,
            "months": len(r.months),
            "spans": month_spans(r.months),
            "reference": r.reference,
        }
        for r in rows
    ]


def month_spans(months: Iterable[str]) -> list[dict]:
    """Group 'YYYY-MM' months into runs of consecutive months: [{start, end, months}]."""
    spans: list[dict] = []
    for m in sorted(set(months)):
        if spans and _index(m) == _index(spans[-1]["end"]) + 1:
            spans[-1]["end"] = m
            spans[-1]["months"] += 1
        else:
            spans.append({"start": m, "end": m, "months": 1})
    return spans


def gaps(months: Iterable[str]) -> list[dict]:
    """Runs of months without any line between the first and the last month given."""
    present = sorted(set(months))
    if not present:
        return []
    first, last = _index(present[0]), _index(present[-1])
    have = {_index(m) for m in present}
    return month_spans(period_of(i) for i in range(first, last + 1) if i not in have)


def _index(period: str) -> int:
    return int(period[:4]) * 12 + int(period[5:7]) - 1


def first_of_next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
