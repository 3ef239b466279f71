"""Build a believable zone as plain records from a seed. No Django, no database, no clock.

`build_zone(...)` returns a `ZonePlan`: employers with their establishments, insured persons
with their dependants and employments, registration numbers already allocated per organisation,
and the list of persons registered twice (at two organisations, with the spelling variants
clerks produce). The same seed and options always give the same plan: one `random.Random` is
drawn from in a fixed order, and every date derives from the reference date passed in.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate

from kafo.registry.domain import names as phonetics
from kafo.registry.domain import registration_numbers

from . import names as data

REFERENCE_DATE = dt.date(2026, 11, 1)

# Rough share of the zone's insured and employers per organisation (INPS-ML and CNPS-CI largest).
ORGANISATION_WEIGHTS = {
    "INPS-ML": 0.24,
    "CMSS-ML": 0.06,
    "IPRES-SN": 0.13,
    "CSS-SN": 0.10,
    "CNPS-CI": 0.27,
    "CNSS-BF": 0.11,
    "CNSS-NE": 0.09,
}
# Organisations that insure state employees: their employers are public services.
PUBLIC_SECTOR_ORGANISATIONS = {"CMSS-ML"}
# Where a person registered at an organisation is also found (second registration).
CROSS_TARGETS = {
    "INPS-ML": (("CMSS-ML", 4), ("CNPS-CI", 4), ("IPRES-SN", 1), ("CNSS-BF", 1), ("CNSS-NE", 1)),
    "CMSS-ML": (("INPS-ML", 8), ("CNPS-CI", 1)),
    "IPRES-SN": (("CSS-SN", 6), ("CNPS-CI", 2), ("INPS-ML", 1)),
    "CSS-SN": (("IPRES-SN", 6), ("CNPS-CI", 2), ("INPS-ML", 1)),
    "CNPS-CI": (("CNSS-BF", 4), ("INPS-ML", 3), ("IPRES-SN", 1), ("CNSS-NE", 1)),
    "CNSS-BF": (("CNPS-CI", 6), ("INPS-ML", 1), ("CNSS-NE", 1)),
    "CNSS-NE": (("CNPS-CI", 2), ("CNSS-BF", 2), ("INPS-ML", 2)),
}
CROSS_SHARE = 0.04
NATIONAL_ID_SHARE = {"ML": 0.55, "SN": 0.60, "CI": 0.50, "BF": 0.35, "NE": 0.25}
POLYGAMY_SHARE = {"ML": 0.28, "SN": 0.32, "CI": 0.10, "BF": 0.22, "NE": 0.36}
# Dependant children are listed while under this age at the reference date.
CHILD_LISTED_UNTIL = 25


@dataclass(frozen=True)
class OrganisationInfo:
    code: str
    country: str
    national_id_pattern: str = ""


@dataclass(slots=True, eq=False)
class EstablishmentRecord:
    name: str
    address: str
    city: str
    opened_on: dt.date | None
    closed_on: dt.date | None = None


@dataclass(slots=True, eq=False)
class EmployerRecord:
    organisation: str
    legal_name: str
    trade_register_id: str
    tax_id: str
    sector: str
    risk_class: int
    address: str
    city: str
    phone: str
    status: str
    status_since: dt.date
    registered_on: dt.date
    jobs: tuple[str, ...]
    size: float
    establishments: list[EstablishmentRecord] = field(default_factory=list)
    number: str = ""


@dataclass(slots=True, eq=False)
class DependantRecord:
    relationship: str
    family_name: str
    given_names: str
    sex: str
    birth_date: dt.date | None
    birth_date_precision: str = "day"
    marriage_date: dt.date | None = None
    marriage_end_date: dt.date | None = None
    filiation: str = ""
    other_parent: int | None = None  # index of the spouse in the same person's dependants


@dataclass(slots=True, eq=False)
class EmploymentRecord:
    employer: EmployerRecord
    start_date: dt.date
    end_date: dt.date | None
    job_title: str


@dataclass(slots=True, eq=False)
class PersonRecord:
    organisation: str
    people: str
    family_name: str
    given_names: str
    sex: str
    birth_date: dt.date
    birth_date_precision: str
    birth_place: str
    mother_name: str
    national_id: str
    phone: str
    address: str
    registered_on: dt.date = REFERENCE_DATE
    dependants: list[DependantRecord] = field(default_factory=list)
    employments: list[EmploymentRecord] = field(default_factory=list)
    number: str = ""


@dataclass(slots=True, eq=False)
class CrossRegistration:
    """The same human registered at two organisations; `variants` says how the second differs."""

    first: PersonRecord
    second: PersonRecord
    variants: tuple[str, ...]


@dataclass
class ZonePlan:
    employers: list[EmployerRecord]
    persons: list[PersonRecord]
    cross_registrations: list[CrossRegistration]
    portal_employers: dict[str, EmployerRecord]  # organisation code -> employer of the demo login

    def counts(self) -> dict[str, dict[str, int]]:
        """Return the number of records of each kind per organisation."""
        out: dict[str, dict[str, int]] = {}

        def add(org: str, kind: str, n: int = 1) -> None:
            out.setdefault(org, dict.fromkeys(_KINDS, 0))[kind] += n

        for e in self.employers:
            add(e.organisation, "employers")
            add(e.organisation, "establishments", len(e.establishments))
        for p in self.persons:
            add(p.organisation, "persons")
            add(p.organisation, "dependants", len(p.dependants))
            add(p.organisation, "employments", len(p.employments))
        return out


_KINDS = ("employers", "establishments", "persons", "dependants", "employments")


# --- small drawing helpers ------------------------------------------------------------------


class _Weighted:
    """Draw from a fixed list with fixed weights (cumulative weights computed once)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, items: Sequence, weights: Sequence[float]):
        self.items = list(items)
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]

    def draw(self, rng: random.Random):
        return self.items[bisect_right(self.cum, rng.random() * self.total)]


# Birth dates of older people are often known by the year only ("born about 1961").
_PRECISION_BEFORE_1970 = _Weighted(("year", "month", "day"), (45, 8, 47))
_PRECISION_BEFORE_1986 = _Weighted(("year", "month", "day"), (15, 5, 80))
_PRECISION_RECENT = _Weighted(("year", "month", "day"), (3, 2, 95))
_CHILDREN_WANTED = _Weighted(range(9), (8, 10, 14, 16, 16, 13, 10, 8, 5))


def _zipf(items: Sequence[str], exponent: float = 0.8) -> _Weighted:
    """Common names first: the first of a list is drawn most often (homonyms are real)."""
    return _Weighted(items, [1 / (rank + 1) ** exponent for rank in range(len(items))])


def _years(date: dt.date, years: float) -> dt.date:
    return date + dt.timedelta(days=round(years * 365.25))


def _add_years_exact(date: dt.date, years: int) -> dt.date:
    try:
        return date.replace(year=date.year + years)
    except ValueError:  # 29 February
        return date.replace(year=date.year + years, day=28)


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _split(total: int, weights: dict[str, float], at_least: int = 0) -> dict[str, int]:
    """Split a total over organisations by weight (largest remainder, deterministic)."""
    if at_least and total >= at_least * len(weights):
        rest = _split(total - at_least * len(weights), weights)
        return {k: n + at_least for k, n in rest.items()}
    norm = sum(weights.values())
    raw = {k: total * w / norm for k, w in weights.items()}
    out = {k: int(v) for k, v in raw.items()}
    rest = total - sum(out.values())
    for k in sorted(raw, key=lambda k: (out[k] - raw[k], k))[:rest]:
        out[k] += 1
    return out


# --- national identifiers -------------------------------------------------------------------

_TOKEN = re.compile(r"\\d|\[[^\]]+\]|\\.|[^\\\[\]{}^$]")


def id_from_pattern(pattern: str, rng: random.Random) -> str | None:
    """Return a random value matching a simple pattern (digits, classes, {n} / {n,m}), or None."""
    body = pattern.removeprefix("^").removesuffix("$")
    out = []
    pos = 0
    while pos < len(body):
        m = _TOKEN.match(body, pos)
        if not m:
            return None
        piece = m.group(0)
        pos = m.end()
        count = 1
        q = re.match(r"\{(\d+)(?:,(\d+))?\}", body[pos:])
        if q:
            low, high = int(q.group(1)), int(q.group(2) or q.group(1))
            count = rng.randint(low, high)
            pos += q.end()
        for _ in range(count):
            if piece == r"\d":
                out.append(str(rng.randrange(10)))
            elif piece.startswith("["):
                chars = []
                inner = piece[1:-1]
                if inner.startswith("^"):
                    return None
                i = 0
                while i < len(inner):
                    if i + 2 < len(inner) and inner[i + 1] == "-":
                        chars.extend(chr(c) for c in range(ord(inner[i]), ord(inner[i + 2]) + 1))
                        i += 3
                    else:
                        chars.append(inner[i])
                        i += 1
                out.append(rng.choice(chars))
            elif piece.startswith("\\"):
                out.append(piece[1])
            elif piece in "()|*+?.":
                return None
            else:
                out.append(piece)
    value = "".join(out)
    return value if re.fullmatch(pattern, value) else None


def _digits(rng: random.Random, n: int) -> str:
    return f"{rng.randrange(10**n):0{n}d}"


def national_id(country: str, pattern: str, sex: str, birth: dt.date, rng: random.Random) -> str:
    """Return a plausible national identifier for the country, matching its pattern if any."""
    if country == "ML":  # NINA: 14 digits and a letter
        value = f"{birth:%y}{_digits(rng, 12)}{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}"
    elif country == "SN":  # ECOWAS card: sex digit then 12 digits
        value = ("1" if sex == "M" else "2") + f"{birth:%y}" + _digits(rng, 10)
    elif country == "CI":
        value = _digits(rng, 11)
    elif country == "BF":  # no published format: CNIB-like letter and digits
        value = "B" + _digits(rng, 8)
    elif country == "NE":
        value = f"{birth:%Y}{_digits(rng, 6)}"
    else:
        value = _digits(rng, 10)
    if pattern and not re.fullmatch(pattern, value):
        value = id_from_pattern(pattern, rng) or ""
    return value


# --- the generator --------------------------------------------------------------------------


class _ZoneBuilder:
    def __init__(
        self,
        organisations: Sequence[OrganisationInfo],
        rng: random.Random,
        reference_date: dt.date,
    ):
        self.rng = rng
        self.ref = reference_date
        self.orgs = {o.code: o for o in organisations}
        self.countries = sorted({o.country for o in organisations})
        self.people_of = {
            c: _Weighted([p for p, _w in data.PEOPLE_MIX[c]], [w for _p, w in data.PEOPLE_MIX[c]])
            for c in self.countries
        }
        self.family = {p: _zipf(n.family) for p, n in data.NAMES.items()}
        self.given = {
            (p, sex): _zipf(n.male if sex == "M" else n.female, 0.6)
            for p, n in data.NAMES.items()
            for sex in ("M", "F")
        }
        self.christian = {sex: _zipf(v, 0.5) for sex, v in data.CHRISTIAN.items()}
        self.places = {
            c: _Weighted(data.PLACES[c], [p.weight for p in data.PLACES[c]]) for c in self.countries
        }
        self.sectors = _Weighted(data.SECTORS, [s.weight for s in data.SECTORS])
        self.used_ids: dict[str, set[str]] = {c: set() for c in self.countries}
        self.employers_by_org: dict[str, list[EmployerRecord]] = {}
        self.employer_pick: dict[str, tuple[list[dt.date], list[float]]] = {}
        # Reverse of the spelling dictionary of the search: canonical -> every known spelling.
        self.spellings: dict[str, list[str]] = {}
        for variant, canonical in phonetics.VARIANTS.items():
            self.spellings.setdefault(canonical, []).append(variant)

    # names and places

    def given_names(self, people: str, sex: str) -> str:
        rng = self.rng
        share = data.NAMES[people].christian_share
        own = self.given[(people, sex)]
        if share and rng.random() < share:
            christian = self.christian[sex].draw(rng)
            return f"{own.draw(rng)} {christian}" if rng.random() < 0.55 else christian
        first = own.draw(rng)
        if rng.random() < 0.3:
            second = own.draw(rng)
            if second != first:
                return f"{first} {second}"
        return first

    def place(self, country: str) -> data.Place:
        return self.places[country].draw(self.rng)

    def place_spelling(self, place: data.Place) -> str:
        if place.variants and self.rng.random() < 0.3:
            return self.rng.choice(place.variants)
        return place.name

    def address(self, country: str, place: data.Place) -> str:
        rng = self.rng
        fmt = rng.choice(data.ADDRESS_FORMATS[country])
        district = rng.choice(place.districts) if place.districts else place.name
        return fmt.format(
            district=district, city=place.name, n=rng.randint(1, 2999), m=rng.randint(1, 650)
        )

    def phone(self, country: str) -> str:
        code, prefixes, digits = data.PHONES[country]
        number = self.rng.choice(prefixes) + _digits(self.rng, digits)
        groups, pos = [], 0
        for size in data.PHONE_GROUPS.get(country, (2,) * (len(number) // 2)):
            groups.append(number[pos : pos + size])
            pos += size
        return f"{code} {' '.join(groups)}"

    # employers

    def employer(self, org: OrganisationInfo) -> EmployerRecord:
        rng = self.rng
        country = org.country
        public = org.code in PUBLIC_SECTOR_ORGANISATIONS
        sector = data.PUBLIC_SECTOR if public else self.sectors.draw(rng)
        place = self.place(country)
        people = self.people_of[country].draw(rng)
        legal_name = " ".join(
            rng.choice(sector.patterns)
            .format(
                family=self.family[people].draw(rng),
                family2=self.family[people].draw(rng),
                given=self.given[(people, "M")].draw(rng),
                city=place.name,
                word=rng.choice(data.WORDS),
                acronym="".join(rng.choice("ABCDEFGIKMNOSTU") for _ in range(rng.randint(2, 4))),
                form=rng.choice(data.LEGAL_FORMS),
                ministry=rng.choice(data.MINISTRIES),
                service=rng.choice(data.SERVICES),
            )
            .split()
        )
        age = min(rng.expovariate(1 / 14), self.ref.year - 1961)
        registered_on = min(_years(self.ref, -age), self.ref - dt.timedelta(days=30))
        status_roll = rng.random()
        status, since = "active", registered_on
        if not public and status_roll < 0.06:
            status = "closed"
        elif not public and status_roll < 0.11:
            status = "suspended"
        if status != "active":
            span = (self.ref - registered_on).days
            since = registered_on + dt.timedelta(days=rng.randint(min(span, 180), span))
        size = (rng.paretovariate(1.1) * (6 if public else 1)) if status != "closed" else 0.5
        year = registered_on.year
        rccm = (
            ""
            if public
            else f"{data.RCCM_COUNTRY[country]}-{data.RCCM_CITY[country]}-{year}-"
            f"{rng.choice('ABBBBM')}-{rng.randint(1, 19999):05d}"
        )
        tax_id = {
            "ML": lambda: f"0{_digits(rng, 8)}{rng.choice('ABCDEFGHJKLMN')}",
            "SN": lambda: (
                f"00{_digits(rng, 7)} {rng.randint(1, 9)}{rng.choice('GVW')}{rng.randint(1, 3)}"
            ),
            "CI": lambda: f"{_digits(rng, 7)}{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}",
            "BF": lambda: f"000{_digits(rng, 5)}{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}",
            "NE": lambda: f"{rng.randint(1000, 99999)}/{rng.choice('RSP')}",
        }.get(country, lambda: _digits(rng, 9))()
        employer = EmployerRecord(
            organisation=org.code,
            legal_name=legal_name,
            trade_register_id=rccm,
            tax_id=tax_id,
            sector=sector.name,
            risk_class=sector.risk_class,
            address=self.address(country, place),
            city=self.place_spelling(place) if rng.random() < 0.15 else place.name,
            phone=self.phone(country) if rng.random() < 0.9 else "",
            status=status,
            status_since=since,
            registered_on=registered_on,
            jobs=sector.jobs,
            size=size,
        )
        employer.establishments.append(
            EstablishmentRecord(
                name="Siège" if not public else "Services centraux",
                address=employer.address,
                city=place.name,
                opened_on=registered_on,
                closed_on=since if status == "closed" else None,
            )
        )
        for _ in range(min(6, int(size // 4))):
            other = self.place(country)
            opened = registered_on + dt.timedelta(
                days=rng.randint(0, max(0, (self.ref - registered_on).days))
            )
            employer.establishments.append(
                EstablishmentRecord(
                    name=f"{rng.choice(('Agence', 'Succursale', 'Dépôt', 'Antenne'))} de "
                    f"{other.name}",
                    address=self.address(country, other),
                    city=other.name,
                    opened_on=opened,
                    closed_on=since if status == "closed" and opened < since else None,
                )
            )
        return employer

    def index_employers(self) -> None:
        """Prepare, per organisation, the draw of an employer registered before a date."""
        for code, employers in self.employers_by_org.items():
            employers.sort(key=lambda e: e.registered_on)  # stable: generation order for ties
            self.employer_pick[code] = (
                [e.registered_on for e in employers],
                list(accumulate(e.size for e in employers)),
            )

    def pick_employer(self, org: str, start: dt.date, ongoing: bool) -> EmployerRecord:
        employers = self.employers_by_org[org]
        dates, cum = self.employer_pick[org]
        upto = bisect_right(dates, start) or len(employers)
        for _ in range(8):
            i = min(bisect_right(cum, self.rng.random() * cum[upto - 1]), upto - 1)
            employer = employers[i]
            if employer.status != "closed" or not ongoing:
                return employer
        return employer

    # persons

    def person(self, org: OrganisationInfo) -> PersonRecord:
        rng = self.rng
        country = org.country
        birth_country = country
        if rng.random() < 0.06 and len(self.countries) > 1:
            birth_country = rng.choice([c for c in self.countries if c != country])
        people = self.people_of[birth_country].draw(rng)
        sex = "M" if rng.random() < 0.64 else "F"
        if rng.random() < 0.13:
            age = 60 + rng.triangular(0, 28, 2)
        else:
            age = 18 + rng.triangular(0, 42, 14)
        birth = self.ref - dt.timedelta(days=int(age * 365.25))
        if birth.year < 1970:
            precision = _PRECISION_BEFORE_1970.draw(rng)
        elif birth.year < 1986:
            precision = _PRECISION_BEFORE_1986.draw(rng)
        else:
            precision = _PRECISION_RECENT.draw(rng)
        if precision == "year":
            birth = birth.replace(month=1, day=1)
        elif precision == "month":
            birth = birth.replace(day=1)
        place = self.place(birth_country)
        mother = ""
        if rng.random() < (0.6 if age > 55 else 0.82):
            mother_people = people if rng.random() < 0.85 else self.people_of[country].draw(rng)
            mother = (
                f"{self.given[(mother_people, 'F')].draw(rng)} "
                f"{self.family[mother_people].draw(rng)}"
            )
        nid = ""
        if rng.random() < NATIONAL_ID_SHARE.get(country, 0.3) * (1.2 if age < 40 else 0.8):
            nid = self.unique_national_id(country, org.national_id_pattern, sex, birth)
        person = PersonRecord(
            organisation=org.code,
            people=people,
            family_name=self.family[people].draw(rng),
            given_names=self.given_names(people, sex),
            sex=sex,
            birth_date=birth,
            birth_date_precision=precision,
            birth_place=self.place_spelling(place) if rng.random() < 0.9 else "",
            mother_name=mother,
            national_id=nid,
            phone=self.phone(country) if rng.random() < (0.6 if age > 60 else 0.85) else "",
            address=self.address(country, self.place(country)) if rng.random() < 0.85 else "",
        )
        self.family_of(person, country)
        self.career(person, org.code)
        person.registered_on = max(
            dt.date(1961, 1, 1), min(e.start_date for e in person.employments)
        )
        return person

    def unique_national_id(self, country: str, pattern: str, sex: str, birth: dt.date) -> str:
        for _ in range(5):
            value = national_id(country, pattern, sex, birth, self.rng)
            if value and value not in self.used_ids[country]:
                self.used_ids[country].add(value)
                return value
        return ""

    def family_of(self, person: PersonRecord, country: str) -> None:
        """Add the spouses and the children (born of a listed spouse, mostly)."""
        rng = self.rng
        ref = self.ref
        birth_latest = _latest_birth(person)
        age = _age(person.birth_date, ref)
        male = person.sex == "M"
        married_share = (
            (0.2 if age < 25 else 0.55 if age < 30 else 0.82)
            if male
            else (0.35 if age < 22 else 0.72)
        )
        if rng.random() >= married_share:
            if male and age > 22 and rng.random() < 0.06:
                self.natural_child(person, birth_latest)
            return
        wives = 1
        if male and age >= 30 and rng.random() < POLYGAMY_SHARE.get(country, 0.1):
            wives = rng.choices((2, 3, 4), (80, 17, 3))[0]
        previous_marriage: dt.date | None = None
        for n in range(wives if male else 1):
            spouse_people = person.people if rng.random() < 0.85 else rng.choice(data.PEOPLES)
            if male:
                gap = rng.uniform(2, 12) if n == 0 else rng.uniform(8, 25)
            else:
                gap = -rng.uniform(2, 15)
            spouse_birth = _years(person.birth_date, gap)
            if previous_marriage is None:
                marriage = max(
                    _years(person.birth_date, rng.uniform(20, 34) if male else rng.uniform(17, 28)),
                    _years(spouse_birth, 18),
                )
            else:
                marriage = max(
                    _years(previous_marriage, rng.uniform(3, 14)), _years(spouse_birth, 18)
                )
            marriage = max(marriage, _add_years_exact(birth_latest, 18))
            if marriage >= ref or spouse_birth >= _years(ref, -18):
                break
            previous_marriage = marriage
            precision = "year" if spouse_birth.year < 1975 and rng.random() < 0.5 else "day"
            if precision == "year":
                spouse_birth = spouse_birth.replace(month=1, day=1)
            spouse = DependantRecord(
                relationship="spouse",
                family_name=self.family[spouse_people].draw(rng),
                given_names=self.given_names(spouse_people, "F" if male else "M"),
                sex="F" if male else "M",
                birth_date=spouse_birth,
                birth_date_precision=precision,
                marriage_date=marriage,
            )
            if rng.random() < 0.04:
                spouse.marriage_end_date = min(
                    ref - dt.timedelta(days=1), _years(marriage, rng.uniform(1, 20))
                )
            spouse_index = len(person.dependants)
            person.dependants.append(spouse)
            mother_birth = spouse_birth if male else person.birth_date
            father_family = person.family_name if male else spouse.family_name
            father_people = person.people if male else spouse_people
            self.children(
                person,
                spouse_index,
                marriage,
                spouse.marriage_end_date,
                mother_birth,
                father_family,
                father_people,
                birth_latest,
            )

    def children(
        self,
        person: PersonRecord,
        spouse_index: int,
        marriage: dt.date,
        marriage_end: dt.date | None,
        mother_birth: dt.date,
        father_family: str,
        father_people: str,
        parent_latest: dt.date,
    ) -> None:
        rng = self.rng
        ref = self.ref
        last = min(ref - dt.timedelta(days=20), _years(mother_birth, 44), marriage_end or ref)
        listed_from = _add_years_exact(ref, -CHILD_LISTED_UNTIL)
        wanted = _CHILDREN_WANTED.draw(rng)
        born = _years(marriage, rng.uniform(0.8, 3))
        for _ in range(wanted):
            if born > last:
                break
            if born > parent_latest + dt.timedelta(days=16 * 365) and born >= listed_from:
                precision = "year" if born.year < 2000 and rng.random() < 0.1 else "day"
                sex = "M" if rng.random() < 0.51 else "F"
                person.dependants.append(
                    DependantRecord(
                        relationship="child",
                        family_name=father_family,
                        given_names=self.given_names(father_people, sex),
                        sex=sex,
                        birth_date=born.replace(month=1, day=1) if precision == "year" else born,
                        birth_date_precision=precision,
                        filiation="adopted" if rng.random() < 0.01 else "legitimate",
                        other_parent=spouse_index,
                    )
                )
            born = _years(born, rng.uniform(1.4, 4))

    def natural_child(self, person: PersonRecord, parent_latest: dt.date) -> None:
        rng = self.rng
        earliest = max(
            _add_years_exact(parent_latest, 19), _add_years_exact(self.ref, -CHILD_LISTED_UNTIL)
        )
        span = (self.ref - earliest).days
        if span <= 30:
            return
        sex = "M" if rng.random() < 0.5 else "F"
        person.dependants.append(
            DependantRecord(
                relationship="child",
                family_name=person.family_name,
                given_names=self.given_names(person.people, sex),
                sex=sex,
                birth_date=earliest + dt.timedelta(days=rng.randint(0, span - 1)),
                filiation="natural",
            )
        )

    def career(self, person: PersonRecord, org: str) -> None:
        """Add employments: periods with employers of the person's organisation after age 15."""
        rng = self.rng
        ref = self.ref
        age = _age(person.birth_date, ref)
        earliest = _add_years_exact(_latest_birth(person), 16)
        start = max(earliest, _years(person.birth_date, rng.uniform(17, 30)))
        start = min(start, ref - dt.timedelta(days=rng.randint(30, 400)))
        start = max(start, earliest)
        retire = _years(person.birth_date, rng.uniform(55, 62)) if age >= 60 else None
        jobs = 1 + min(5, int(rng.expovariate(0.8)))
        for n in range(jobs):
            length = rng.uniform(0.5, 16)
            end: dt.date | None = _years(start, length)
            last = n == jobs - 1
            if retire and end > retire:
                end, last = retire, True
            if end >= ref or (last and not retire and rng.random() < 0.75):
                end = None
            if end is not None and end <= start:
                end = start + dt.timedelta(days=90)
            employer = self.pick_employer(org, start, ongoing=end is None)
            if employer.status == "closed" and (end is None or end > employer.status_since):
                if employer.status_since > start + dt.timedelta(days=30):
                    end = employer.status_since
            person.employments.append(
                EmploymentRecord(
                    employer=employer,
                    start_date=start,
                    end_date=end,
                    job_title=rng.choice(employer.jobs),
                )
            )
            if end is None or last:
                break
            start = end + dt.timedelta(days=rng.randint(1, 700))
            if start >= ref:
                break

    # second registrations

    def respell(self, name: str) -> str:
        """Return another known spelling of one word (Coulibaly -> Kulibali), or ''."""
        folded = phonetics.fold(name)
        canonical = phonetics.VARIANTS.get(folded)
        if not canonical or " " in folded:
            return ""
        options = [v for v in self.spellings[canonical] if v != folded and phonetics.fold(v) == v]
        return self.rng.choice(options).capitalize() if options else ""

    def second_registration(
        self, first: PersonRecord, target: OrganisationInfo
    ) -> CrossRegistration:
        rng = self.rng
        same_country = self.orgs[first.organisation].country == target.country
        family, given = first.family_name, first.given_names
        variants: list[str] = []
        if rng.random() < 0.5 and _drop_accents(family + given) != family + given:
            family, given = _drop_accents(family), _drop_accents(given)
            variants.append("accents")
        if rng.random() < 0.55:
            other = self.respell(first.family_name)
            if other:
                family = other
                variants.append("family_spelling")
        words = given.split(" ")
        if rng.random() < 0.45:
            other = self.respell(words[0])
            if other:
                words[0] = other
                variants.append("given_spelling")
        if len(words) > 1 and rng.random() < 0.5:
            words = words[:1]
            variants.append("second_given_dropped")
        given = " ".join(words)
        if rng.random() < 0.15 and family != family.upper():
            family = family.upper()
            variants.append("upper_case")
        if rng.random() < 0.15:
            family, given = given, family
            variants.append("swapped")
        first_keys = set(phonetics.name_keys(f"{first.family_name} {first.given_names}"))
        if not set(phonetics.name_keys(f"{family} {given}")) <= first_keys:
            family, given, variants = first.family_name, first.given_names, []
        birth, precision = first.birth_date, first.birth_date_precision
        if precision != "year" and rng.random() < 0.4:
            birth, precision = birth.replace(month=1, day=1), "year"
            variants.append("year_only")
        if not variants:  # every second registration differs somehow from the first
            if _drop_accents(family + given) != family + given:
                family, given = _drop_accents(family), _drop_accents(given)
                variants.append("accents")
            else:
                family = family.upper()
                variants.append("upper_case")
        place = self.place(target.country)
        nid = ""
        if same_country and first.national_id and rng.random() < 0.6:
            nid = first.national_id
        elif not same_country and rng.random() < 0.35:
            nid = self.unique_national_id(
                target.country, target.national_id_pattern, first.sex, birth
            )
        second = PersonRecord(
            organisation=target.code,
            people=first.people,
            family_name=family,
            given_names=given,
            sex=first.sex,
            birth_date=birth,
            birth_date_precision=precision,
            birth_place=_drop_accents(first.birth_place) if rng.random() < 0.7 else "",
            mother_name=first.mother_name if rng.random() < 0.5 else "",
            national_id=nid,
            phone=first.phone
            if same_country and rng.random() < 0.5
            else (self.phone(target.country) if rng.random() < 0.7 else ""),
            address=self.address(target.country, place) if rng.random() < 0.8 else "",
        )
        self.split_career(first, second, same_country and target.code in ("IPRES-SN", "CSS-SN"))
        if rng.random() < (0.8 if same_country else 0.3):
            second.dependants = [
                DependantRecord(
                    relationship=d.relationship,
                    family_name=d.family_name,
                    given_names=d.given_names,
                    sex=d.sex,
                    birth_date=d.birth_date,
                    birth_date_precision=d.birth_date_precision,
                    marriage_date=d.marriage_date,
                    marriage_end_date=d.marriage_end_date,
                    filiation=d.filiation,
                    other_parent=d.other_parent,
                )
                for d in first.dependants
            ]
        second.registered_on = max(
            dt.date(1961, 1, 1), min(e.start_date for e in second.employments)
        )
        first.registered_on = max(dt.date(1961, 1, 1), min(e.start_date for e in first.employments))
        return CrossRegistration(first=first, second=second, variants=tuple(variants))

    def split_career(self, first: PersonRecord, second: PersonRecord, parallel: bool) -> None:
        """Give the second organisation its share of the career.

        `parallel`: both organisations cover the same jobs (a Senegalese worker is at IPRES for
        the pension and at CSS for family benefits); otherwise the early periods move to the
        second organisation (a migrant's career, or private sector before the civil service).
        """
        org = second.organisation
        if parallel:
            for e in first.employments:
                second.employments.append(
                    EmploymentRecord(
                        employer=self.pick_employer(org, e.start_date, e.end_date is None),
                        start_date=e.start_date,
                        end_date=e.end_date,
                        job_title=e.job_title,
                    )
                )
            return
        jobs = first.employments
        if len(jobs) == 1:
            only = jobs[0]
            end = only.end_date or self.ref
            span = (end - only.start_date).days
            if span < 2 * 365:
                moved = EmploymentRecord(
                    employer=only.employer,
                    start_date=only.start_date,
                    end_date=only.end_date,
                    job_title=only.job_title,
                )
                second.employments.append(self.rehire(moved, org))
                return
            cut = only.start_date + dt.timedelta(days=self.rng.randint(365, span - 300))
            second.employments.append(
                self.rehire(
                    EmploymentRecord(only.employer, only.start_date, cut, only.job_title), org
                )
            )
            only.start_date = cut + dt.timedelta(days=self.rng.randint(15, 200))
            if only.end_date and only.end_date <= only.start_date:
                only.end_date = None
            return
        moved_count = (len(jobs) + 1) // 2
        for e in jobs[:moved_count]:
            second.employments.append(self.rehire(e, org))
        del jobs[:moved_count]

    def rehire(self, employment: EmploymentRecord, org: str) -> EmploymentRecord:
        employment.employer = self.pick_employer(
            org, employment.start_date, employment.end_date is None
        )
        employment.job_title = self.rng.choice(employment.employer.jobs)
        return employment


def _latest_birth(person: PersonRecord) -> dt.date:
    """The latest real date the recorded birth date may stand for."""
    if person.birth_date_precision == "year":
        return person.birth_date.replace(month=12, day=31)
    if person.birth_date_precision == "month":
        nxt = (person.birth_date.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return nxt - dt.timedelta(days=1)
    return person.birth_date


def _drop_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _number_records(records: Sequence, digits: int) -> dict[str, int]:
    """Give each record its number, per organisation in order of registration; return the last."""
    by_org: dict[str, list] = {}
    for r in records:
        by_org.setdefault(r.organisation, []).append(r)
    last = {}
    for org, rows in by_org.items():
        rows.sort(key=lambda r: r.registered_on)  # stable: ties keep generation order
        for seq, r in enumerate(rows, start=1):
            r.number = registration_numbers.format_number(seq, digits)
        last[org] = len(rows)
    return last


def build_zone(
    *,
    organisations: Sequence[OrganisationInfo],
    seed: int = 2026,
    persons: int = 50_000,
    employers: int = 2_000,
    reference_date: dt.date = REFERENCE_DATE,
    cross_share: float = CROSS_SHARE,
) -> ZonePlan:
    """Return the demo zone for a seed: `persons` distinct humans, some registered twice."""
    rng = random.Random(seed)
    # Organisations without demo data (names, places, phones of their country) get no records.
    orgs = [o for o in organisations if o.code in ORGANISATION_WEIGHTS] or list(organisations)
    builder = _ZoneBuilder(orgs, rng, reference_date)
    weights = {o.code: ORGANISATION_WEIGHTS.get(o.code, 0.05) for o in orgs}
    employer_counts = _split(max(employers, len(orgs)), weights, at_least=1)
    all_employers: list[EmployerRecord] = []
    for o in orgs:
        made = [builder.employer(o) for _ in range(max(1, employer_counts[o.code]))]
        builder.employers_by_org[o.code] = made
        all_employers.extend(made)
    builder.index_employers()

    person_counts = _split(persons, weights)
    all_persons: list[PersonRecord] = []
    for o in orgs:
        all_persons.extend(builder.person(o) for _ in range(person_counts[o.code]))

    cross: list[CrossRegistration] = []
    codes = {o.code for o in orgs}
    for first in list(all_persons):
        if rng.random() >= cross_share or _age(first.birth_date, reference_date) < 22:
            continue
        targets = [(c, w) for c, w in CROSS_TARGETS.get(first.organisation, ()) if c in codes]
        if not targets:
            continue
        target = rng.choices([c for c, _ in targets], [w for _, w in targets])[0]
        link = builder.second_registration(first, builder.orgs[target])
        cross.append(link)
        all_persons.append(link.second)

    _number_records(all_employers, registration_numbers.EMPLOYER_DIGITS)
    _number_records(all_persons, registration_numbers.PERSON_DIGITS)

    ongoing: dict[int, int] = {}
    for p in all_persons:
        for e in p.employments:
            if e.end_date is None:
                ongoing[id(e.employer)] = ongoing.get(id(e.employer), 0) + 1
    portal: dict[str, EmployerRecord] = {}
    for o in orgs:
        active = [e for e in builder.employers_by_org[o.code] if e.status == "active"]
        if active:
            portal[o.code] = max(active, key=lambda e: (ongoing.get(id(e), 0), e.number))
    return ZonePlan(
        employers=all_employers,
        persons=all_persons,
        cross_registrations=cross,
        portal_employers=portal,
    )
