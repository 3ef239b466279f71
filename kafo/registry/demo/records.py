"""The demo zone's plan as plain records (no Django): employers and their establishments,
persons with their dependants and employments, second registrations, and the plan itself."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

REFERENCE_DATE = dt.date(2026, 11, 1)


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
