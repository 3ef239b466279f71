"""Demo data of the cross-border flow (CIPRES convention): migrant workers with careers declared
in two or three organisations, one zone person each, and their coordinated pension claims taken
through the exchange with the real services, so the pages show it on first start (`kafo demo`
calls `exchange_demo_seed` after the benefits demo).

- Moussa COULIBALY (Malian, lives in Mali): 96 months at INPS-ML (reference salary 150,000) and
  120 months at CNSS-BJ (200,000) — the issue's worked example. The whole flow: periods asked
  and received, claim forwarded, both decisions (28,000 and 40,000 a month), the summary.
- Seydou DIARRA: 180 months at INPS-ML (his own months open the right) and 60 at CNPS-CI:
  periods received, claim forwarded, CNPS-CI's decision awaited.
- Mariam SANGARÉ: 100 months at INPS-ML, 90 at CNSS-BF and 8 at CNSS-NE: the request to
  CNSS-BF unanswered past its deadline (overdue), the one to CNSS-NE refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kafo.benefits.demo import Job, declare_careers


@dataclass(frozen=True)
class Stint:
    """A career at one organisation: `start`–`end` (YYYY-MM, inclusive) at a flat salary, under
    the spelling of the name that organisation's clerk registered."""

    organisation: str
    employer: str
    start: str
    end: str
    salary: int
    family_name: str
    given_names: str


@dataclass(frozen=True)
class Case:
    key: str
    sex: str
    birth_date: dt.date
    birth_place: str
    stints: tuple[Stint, ...]
    # How far the flow goes: "decided" (both decisions), "forwarded" (the other's decision
    # awaited), "requested" (the requests only).
    state: str
    home: str = "INPS-ML"  # where the person lives and the claim is opened


CASES = (
    Case(
        key="coulibaly",
        sex="M",
        birth_date=dt.date(1965, 5, 12),
        birth_place="Kayes",
        stints=(
            Stint(
                "INPS-ML",
                "Société malienne de transport",
                "2014-01",
                "2021-12",
                150000,
                "Coulibaly",
                "Moussa",
            ),
            Stint(
                "CNSS-BJ",
                "Port autonome de Cotonou",
                "2004-01",
                "2013-12",
                200000,
                "Koulibaly",
                "Moussa",
            ),
        ),
        state="decided",
    ),
    Case(
        key="diarra",
        sex="M",
        birth_date=dt.date(1964, 9, 3),
        birth_place="Ségou",
        stints=(
            Stint(
                "INPS-ML",
                "Compagnie malienne du textile",
                "2006-01",
                "2020-12",
                120000,
                "Diarra",
                "Seydou",
            ),
            Stint(
                "CNPS-CI",
                "Société ivoirienne de cacao",
                "2001-01",
                "2005-12",
                180000,
                "Diarra",
                "Seïdou",
            ),
        ),
        state="forwarded",
    ),
    Case(
        key="sangare",
        sex="F",
        birth_date=dt.date(1964, 2, 20),
        birth_place="Sikasso",
        stints=(
            Stint(
                "INPS-ML",
                "Pharmacie populaire du Mali",
                "2015-01",
                "2023-04",
                110000,
                "Sangaré",
                "Mariam",
            ),
            Stint(
                "CNSS-BF",
                "Brasseries du Burkina",
                "2007-01",
                "2014-06",
                130000,
                "Sangare",
                "Mariame",
            ),
            Stint(
                "CNSS-NE",
                "Société des mines du Niger",
                "2006-01",
                "2006-08",
                90000,
                "Sangaré",
                "Mariam",
            ),
        ),
        state="requested",
    ),
)
# The refused request of the "requested" case, and the days its other request is overdue.
REFUSED = {"sangare": "CNSS-NE"}
OVERDUE_DAYS = 12


def _agent(organisation, *roles):
    from kafo.accounts.models import User

    return (
        User.objects.filter(organisation=organisation, roles__code__in=roles, is_active=True)
        .order_by("username")
        .first()
    )


def case_records(case: Case, *, today: dt.date) -> dict:
    """Register the case's records (one per organisation, each under its own spelling), declare
    their careers and link them into one zone person; return {organisation code: Person}."""
    from kafo.identity.services import zone_persons_merge
    from kafo.organisations.models import Organisation
    from kafo.registry.services import employer_register, person_register

    records = {}
    for stint in case.stints:
        org = Organisation.objects.get(code=stint.organisation)
        boss = employer_register(
            organisation=org, data={"legal_name": stint.employer, "risk_class": 1}
        )
        person = person_register(
            organisation=org,
            data={
                "family_name": stint.family_name,
                "given_names": stint.given_names,
                "sex": case.sex,
                "birth_date": case.birth_date,
                "birth_place": case.birth_place,
            },
        )
        declare_careers(
            organisation=org,
            jobs=[Job(boss, person, stint.start, stint.end, stint.salary, raise_percent=0)],
            today=today,
        )
        records[stint.organisation] = person
    home = records[case.home]
    for code, record in records.items():
        if code != case.home:
            zone_persons_merge(person=home, other=record)
    return records
