"""Family allowances: who is paid for which child, how much, and until when. No Django.

The rules of one organisation (`AllowanceRules`, built by `parse_rules` from
kafo/payroll/reference/family_allowances.yaml) say the amount per child per month, the age
bands (e.g. under 14 with no document, 14 to 18 with an apprenticeship, school or disability
document, 18 to 21 with a school or disability document), the maximum number of children paid
per allocataire, the parent's work condition and how the right ends on a birthday.

`family_rights()` answers, for one insured parent on a date, each child's right: paid or not
and why, the band and the document it rests on, and the date the right ends if nothing new is
recorded (`RightEnd`): on the birthday that closes the child's band unless a document of the
next band covers it, or when the document the band needs runs out (school and apprenticeship
documents are valid for one school year: `school_year()`).

Dates are passed in; amounts are whole CFA francs (Decimal).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

DOCUMENT_KINDS = ("school", "apprenticeship", "disability")
# Documents valid for one school year; a disability document carries its own dates.
SCHOOL_YEAR_KINDS = ("school", "apprenticeship")
STOP_RULES = ("birthday", "end_of_month")

# Why a child is not paid on a date.
TOO_YOUNG = "too_young"
AGE_LIMIT = "age_limit"
DOCUMENT_MISSING = "document_missing"
MAX_CHILDREN = "max_children"
NO_WORK = "no_work"
NO_BIRTH_DATE = "no_birth_date"


class RuleError(ValueError):
    """A malformed parameter: `errors` maps the parameter path to a French reason."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k} : {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Provenance:
    source: str
    assumption: bool = False
    note: str = ""


@dataclass(frozen=True)
class Band:
    """Children aged `from_age` <= age < `until_age`; paid on one of `documents` (none: always)."""

    from_age: int
    until_age: int
    documents: frozenset[str] = frozenset()


@dataclass(frozen=True)
class WorkCondition:
    """`months` months of at least `min_days` days within the `lookback_months` calendar months
    before the month of the date (`min_hours` is recorded for the officer)."""

    months: int = 1
    min_days: int = 18
    min_hours: int | None = None
    lookback_months: int = 3


@dataclass(frozen=True)
class AllowanceRules:
    organisation: str
    valid_from: dt.date
    monthly_amount: Decimal
    min_age: int
    bands: tuple[Band, ...]
    max_children: int | None
    work: WorkCondition
    stop_at: str
    school_year_start: tuple[int, int]  # (month, day)
    provenance: Mapping[str, Provenance] = field(default_factory=dict)

    @property
    def age_limit(self) -> int:
        return self.bands[-1].until_age

    def band_for_age(self, age: int) -> Band | None:
        for band in self.bands:
            if band.from_age <= age < band.until_age:
                return band
        return None


@dataclass(frozen=True)
class Document:
    """A document recorded for a child, valid from `valid_from` to `valid_until` inclusive
    (`valid_until` None: open-ended, e.g. a permanent disability)."""

    kind: str
    valid_from: dt.date
    valid_until: dt.date | None

    def covers(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_until is None or on <= self.valid_until)


@dataclass(frozen=True)
class Child:
    key: Any  # the caller's id of the child (a registry Dependant's pk)
    birth_date: dt.date | None


@dataclass(frozen=True)
class RightEnd:
    """When a paid child's right ends if nothing else is recorded.

    `first_day_without`: the first day not paid; `last_day_paid`: the day before it;
    `birthday`: the birthday that closes the band (None when a document runs out first);
    `reason`: AGE_LIMIT (the birthday closes the right for good, or no document of the next band
    is recorded) or DOCUMENT_MISSING (the band's document runs out: renewable).
    """

    first_day_without: dt.date
    reason: str
    birthday: dt.date | None = None

    @property
    def last_day_paid(self) -> dt.date:
        return self.first_day_without - dt.timedelta(days=1)


@dataclass(frozen=True)
class ChildRight:
    key: Any
    paid: bool
    reason: str | None  # None when paid; else one of the reasons above
    band: Band | None = None
    document: Document | None = None
    monthly_amount: Decimal = Decimal(0)
    end: RightEnd | None = None
    # for a child not paid for want of a document: the birthday the band needing it began on
    since: dt.date | None = None


# --- parsing --------------------------------------------------------------------------------


def _decimal(value: Any, path: str, errors: dict[str, str]) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[path] = f"montant invalide « {value} »"
        return Decimal(0)
    if amount < 0 or amount != amount.to_integral_value():
        errors[path] = f"montant en francs entiers positif attendu, pas « {value} »"
    return amount


def _int(value: Any, path: str, errors: dict[str, str], *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        errors[path] = f"entier ≥ {minimum} attendu, pas « {value} »"
        return minimum
    return value


def parse_rules(
    params: Mapping[str, Any],
    *,
    organisation: str,
    valid_from: dt.date,
    provenance: Mapping[str, Mapping[str, Any]] | None = None,
) -> AllowanceRules:
    """Build the rules of one version; refuse a malformed one with each field's French reason."""
    errors: dict[str, str] = {}
    amount = _decimal(params.get("monthly_amount"), "monthly_amount", errors)
    min_age = _int(params.get("min_age", 0), "min_age", errors)
    bands: list[Band] = []
    raw_bands = params.get("bands") or []
    if not raw_bands:
        errors["bands"] = "au moins une tranche d'âge attendue"
    for i, raw in enumerate(raw_bands):
        path = f"bands[{i}]"
        start = _int(raw.get("from_age"), f"{path}.from_age", errors)
        until = _int(raw.get("until_age"), f"{path}.until_age", errors, minimum=1)
        docs = raw.get("documents") or []
        unknown = [d for d in docs if d not in DOCUMENT_KINDS]
        if unknown:
            errors[f"{path}.documents"] = f"pièce inconnue « {unknown[0]} »"
        if until <= start:
            errors[f"{path}.until_age"] = f"{until} doit dépasser from_age {start}"
        expected = bands[-1].until_age if bands else min_age
        if start != expected:
            errors[f"{path}.from_age"] = f"{start} : la tranche doit commencer à {expected}"
        bands.append(Band(start, until, frozenset(docs)))
    max_children = params.get("max_children")
    if max_children is not None:
        max_children = _int(max_children, "max_children", errors, minimum=1)
    raw_work = params.get("work") or {}
    work = WorkCondition(
        months=_int(raw_work.get("months", 1), "work.months", errors),
        min_days=_int(raw_work.get("min_days", 0), "work.min_days", errors),
        min_hours=raw_work.get("min_hours"),
        lookback_months=_int(raw_work.get("lookback_months", 1), "work.lookback_months", errors),
    )
    if work.months > work.lookback_months:
        errors["work.months"] = f"{work.months} mois dépassent la fenêtre de {work.lookback_months}"
    stop_at = params.get("stop_at")
    if stop_at not in STOP_RULES:
        errors["stop_at"] = f"« {stop_at} » : attendu {' ou '.join(STOP_RULES)}"
    start = params.get("school_year_start") or {}
    try:
        dt.date(2001, start.get("month"), start.get("day"))  # 2001: not a leap year
        school_year_start = (start["month"], start["day"])
    except (TypeError, ValueError, KeyError):
        errors["school_year_start"] = f"jour et mois invalides « {start} »"
        school_year_start = (1, 1)
    if errors:
        raise RuleError(errors)
    return AllowanceRules(
        organisation=organisation,
        valid_from=valid_from,
        monthly_amount=amount,
        min_age=min_age,
        bands=tuple(bands),
        max_children=max_children,
        work=work,
        stop_at=stop_at,
        school_year_start=school_year_start,
        provenance={
            key: Provenance(
                source=str(p.get("source", "")),
                assumption=bool(p.get("assumption", False)),
                note=str(p.get("note", "")),
            )
            for key, p in (provenance or {}).items()
        },
    )


# --- dates ----------------------------------------------------------------------------------


def birthday(birth_date: dt.date, age: int) -> dt.date:
    """The day the child turns `age`; born on 29 February: 1 March in a common year
    (assumption: the usual civil reading)."""
    year = birth_date.year + age
    try:
        return birth_date.replace(year=year)
    except ValueError:
        return dt.date(year, 3, 1)


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Whole years completed on `on` (the birthday itself counts)."""
    age = on.year - birth_date.year
    if on < birthday(birth_date, age):
        age -= 1
    return age


def end_of_month(on: dt.date) -> dt.date:
    return on.replace(day=calendar.monthrange(on.year, on.month)[1])


def school_year(rules: AllowanceRules, year: int) -> tuple[dt.date, dt.date]:
    """The school year starting in `year` (e.g. 2026 → 1 October 2026 to 30 September 2027)."""
    month, day = rules.school_year_start
    start = dt.date(year, month, day)
    return start, dt.date(year + 1, month, day) - dt.timedelta(days=1)


def school_year_of(rules: AllowanceRules, on: dt.date) -> int:
    """The starting year of the school year `on` falls in."""
    month, day = rules.school_year_start
    return on.year if (on.month, on.day) >= (month, day) else on.year - 1


def school_year_label(year: int) -> str:
    return f"{year}-{year + 1}"


# --- rights ---------------------------------------------------------------------------------


def _document_for(band: Band, documents: Iterable[Document], on: dt.date) -> Document | None:
    """The document the band rests on `on`, the one valid the longest first (None: none)."""
    valid = [d for d in documents if d.kind in band.documents and d.covers(on)]
    if not valid:
        return None
    return max(valid, key=lambda d: (d.valid_until is None, d.valid_until or dt.date.max, d.kind))


def _first_day_without(rules: AllowanceRules, day: dt.date) -> dt.date:
    """The stop rule: the right ends on `day`, or at the end of its month."""
    if rules.stop_at == "end_of_month":
        return end_of_month(day) + dt.timedelta(days=1) if day.day != 1 else day
    return day


def _covered(
    rules: AllowanceRules, birth_date: dt.date, documents: list[Document], on: dt.date
) -> tuple[bool, str | None, Band | None, Document | None]:
    age = age_on(birth_date, on)
    if age < rules.min_age:
        return False, TOO_YOUNG, None, None
    band = rules.band_for_age(age)
    if band is None:
        return False, AGE_LIMIT, None, None
    if not band.documents:
        return True, None, band, None
    document = _document_for(band, documents, on)
    if document is None:
        return False, DOCUMENT_MISSING, band, None
    return True, None, band, document


def right_end(
    rules: AllowanceRules, child: Child, documents: Iterable[Document], on: dt.date
) -> RightEnd | None:
    """For a child covered on `on`: when the right ends if nothing more is recorded.

    Walks forward from `on` over the days the answer can change (the birthdays closing a band,
    the day after each document runs out); the first uncovered one ends the right: at a band's
    birthday, AGE_LIMIT (dated the birthday, or the end of its month with `stop_at:
    end_of_month`); after a document, DOCUMENT_MISSING. None when not covered on `on`.
    """
    docs = list(documents)
    birth = child.birth_date
    if birth is None or not _covered(rules, birth, docs, on)[0]:
        return None
    birthdays = {birthday(birth, band.until_age): band for band in rules.bands}
    changes = set(birthdays)
    changes |= {d.valid_until + dt.timedelta(days=1) for d in docs if d.valid_until}
    for day in sorted(c for c in changes if c > on):
        covered, _reason, _band, _doc = _covered(rules, birth, docs, day)
        if covered:
            continue
        if day in birthdays:
            return RightEnd(_first_day_without(rules, day), AGE_LIMIT, birthday=day)
        return RightEnd(_first_day_without(rules, day), DOCUMENT_MISSING)
    raise AssertionError("the last band's birthday always ends the right")


def work_condition_met(
    rules: AllowanceRules, days_by_month: Mapping[tuple[int, int], int], on: dt.date
) -> bool:
    """True if the parent worked `months` months of at least `min_days` days within the
    `lookback_months` calendar months before the month of `on` (keys: (year, month))."""
    index = on.year * 12 + on.month - 1
    window = {
        ((index - k) // 12, (index - k) % 12 + 1) for k in range(1, rules.work.lookback_months + 1)
    }
    months = sum(
        1 for key, days in days_by_month.items() if key in window and days >= rules.work.min_days
    )
    return months >= rules.work.months


def family_rights(
    rules: AllowanceRules,
    children: Iterable[Child],
    documents: Mapping[Any, Iterable[Document]],
    *,
    work_met: bool,
    on: dt.date,
) -> list[ChildRight]:
    """Each child's right on `on`, in the order of `children`.

    A covered child is paid unless the parent's work condition fails (NO_WORK) or more children
    than `max_children` are covered: the eldest covered are paid (assumption: the sources say
    the others are 'replaced as others age out'), the youngest get MAX_CHILDREN.
    """
    children = list(children)
    rights: dict[Any, ChildRight] = {}
    covered: list[Child] = []
    for child in children:
        docs = list(documents.get(child.key, ()))
        if child.birth_date is None:
            rights[child.key] = ChildRight(child.key, False, NO_BIRTH_DATE)
            continue
        ok, reason, band, document = _covered(rules, child.birth_date, docs, on)
        if not ok:
            since = birthday(child.birth_date, band.from_age) if band else None
            rights[child.key] = ChildRight(child.key, False, reason, band=band, since=since)
            continue
        covered.append(child)
        rights[child.key] = ChildRight(
            child.key,
            True,
            None,
            band=band,
            document=document,
            monthly_amount=rules.monthly_amount,
            end=right_end(rules, child, docs, on),
        )
    covered.sort(key=lambda c: (c.birth_date, str(c.key)))
    limit = rules.max_children if rules.max_children is not None else len(covered)
    for rank, child in enumerate(covered):
        right = rights[child.key]
        if not work_met:
            rights[child.key] = _unpaid(right, NO_WORK)
        elif rank >= limit:
            rights[child.key] = _unpaid(right, MAX_CHILDREN)
    return [rights[c.key] for c in children]


def _unpaid(right: ChildRight, reason: str) -> ChildRight:
    return ChildRight(
        right.key, False, reason, band=right.band, document=right.document, end=right.end
    )


# --- the reference file ---------------------------------------------------------------------


def load_reference(text: str) -> dict[str, list[AllowanceRules]]:
    """Parse the reference file's text: each organisation's versions, oldest first."""
    import yaml  # here: the domain's callers that hold rules already need no YAML

    data = yaml.safe_load(text)
    versions: dict[str, list[AllowanceRules]] = {}
    for code, entries in (data.get("organisations") or {}).items():
        for entry in entries:
            provenance = dict(entry.get("provenance") or {})
            provenance.setdefault("", {"source": entry.get("source", "")})
            versions.setdefault(code, []).append(
                parse_rules(
                    entry["parameters"],
                    organisation=code,
                    valid_from=entry["valid_from"],
                    provenance=provenance,
                )
            )
        versions[code].sort(key=lambda r: r.valid_from)
    return versions


def rules_in_force(versions: Iterable[AllowanceRules], on: dt.date) -> AllowanceRules | None:
    """The version with the latest start on or before `on` (None: none yet)."""
    started = [v for v in versions if v.valid_from <= on]
    return max(started, key=lambda v: v.valid_from) if started else None


def covered_since(
    rules: AllowanceRules, child: Child, documents: Iterable[Document], on: dt.date
) -> dt.date | None:
    """For a child covered on `on`: the first day of that unbroken coverage (with `stop_at:
    end_of_month`, the 1st of the next month when it begins inside a month: the child is
    counted on the 1st). None when not covered on `on`."""
    docs = list(documents)
    birth = child.birth_date
    if birth is None or not _covered(rules, birth, docs, on)[0]:
        return None
    points = {birthday(birth, band.from_age) for band in rules.bands}
    points |= {d.valid_from for d in docs}
    points |= {d.valid_until + dt.timedelta(days=1) for d in docs if d.valid_until}
    for day in sorted((p for p in points if p <= on), reverse=True):
        if not _covered(rules, birth, docs, day - dt.timedelta(days=1))[0]:
            if rules.stop_at == "end_of_month" and day.day != 1:
                return end_of_month(day) + dt.timedelta(days=1)
            return day
    raise AssertionError("a child is never covered before birth")
