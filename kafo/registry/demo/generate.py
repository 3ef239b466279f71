"""Build a believable zone as plain records from a seed. No Django, no database, no clock.

`build_zone(...)` returns a `ZonePlan`: employers with their establishments, insured persons
with their dependants and employments, registration numbers already allocated per organisation,
and the list of persons registered twice (at two organisations, with the spelling variants
clerks produce). The same seed and options always give the same plan: one `random.Random` is
drawn from in a fixed order, and every date derives from the reference date passed in.

Split by job: the plan's records (records.py), drawing helpers and national identifiers
(drawing.py), families (families.py), careers and second registrations (careers.py); this
module holds the zone's shape, the builder of employers and persons, and `build_zone`. The
names used elsewhere (tests, load.py) stay importable from here.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate

from kafo.registry.domain import names as phonetics
from kafo.registry.domain import registration_numbers

from . import names as data
from .careers import CareerBuilder
from .drawing import (  # noqa: F401 - re-exported (tests, load.py)
    _PRECISION_BEFORE_1970,
    _PRECISION_BEFORE_1986,
    _PRECISION_RECENT,
    _age,
    _digits,
    _split,
    _Weighted,
    _years,
    _zipf,
    id_from_pattern,
    national_id,
)
from .families import CHILD_LISTED_UNTIL, POLYGAMY_SHARE, FamilyBuilder  # noqa: F401
from .records import (  # noqa: F401 - re-exported (tests, load.py)
    REFERENCE_DATE,
    CrossRegistration,
    DependantRecord,
    EmployerRecord,
    EmploymentRecord,
    EstablishmentRecord,
    OrganisationInfo,
    PersonRecord,
    ZonePlan,
)

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


# --- the generator --------------------------------------------------------------------------


class _ZoneBuilder(FamilyBuilder, CareerBuilder):
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
