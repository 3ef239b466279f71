"""Expected declarations against the database: non-filers, missing periods, partial declarations.

CNPS-CI with a declaration rule version (2001) monthly from 2 workers, due the 15th of the next
month. Every employer is registered in 2026 so that only 2026's periods are expected.
"""

import datetime as dt

import pytest

from kafo.collection import selectors
from kafo.collection.domain.expected import MONTHLY, QUARTERLY
from kafo.contributions.services import declaration_submit
from kafo.registry.models import EmployerStatus
from kafo.registry.services import employer_register, employment_add, person_register
from kafo.rules.models import DeclarationRule
from kafo.rules.services import rules_seed

d = dt.date
AS_OF = d(2026, 5, 20)


def _person(org, name):
    return person_register(
        organisation=org,
        data={"family_name": name, "given_names": "Awa", "sex": "F", "birth_date": d(1990, 1, 1)},
    )


def _declare(employer, period, persons):
    return declaration_submit(
        employer=employer,
        period=period,
        rows=[
            {
                "worker_number": p.number,
                "family_name": p.family_name,
                "given_names": p.given_names,
                "days_worked": 28,
                "gross_salary": 100000,
            }
            for p in persons
        ],
        today=d(2026, 5, 1),
    ).declaration


@pytest.fixture
def world(zone):
    rules_seed()
    org = zone["CNPS-CI"]
    DeclarationRule.objects.create(
        organisation=org,
        effective_from=d(2001, 1, 1),
        monthly_from_employees=2,
        due_day=15,
        source="test",
    )

    def employer(name, registered_on, **extra):
        return employer_register(
            organisation=org,
            data={"legal_name": name, "registered_on": registered_on, "risk_class": 1} | extra,
        )

    people = [_person(org, n) for n in ("Kone", "Bamba", "Yao")]
    monthly = employer("Alpha", d(2026, 1, 1), sector="Commerce", city="Abidjan")
    _declare(monthly, "2026-01", people)
    _declare(monthly, "2026-02", people[:2])  # Yao no longer declared, no end recorded
    quarterly_done = employer("Bravo", d(2026, 1, 10), city="Bouaké")
    _declare(quarterly_done, "2026-Q1", people[:1])
    quarterly_silent = employer("Charlie", d(2026, 2, 1), sector="Commerce")
    later = employer("Delta", d(2026, 4, 1))
    closed = employer(
        "Echo", d(2026, 1, 1), status=EmployerStatus.CLOSED, status_since=d(2026, 2, 20)
    )
    elsewhere = employer_register(
        organisation=zone["IPRES-SN"],
        data={"legal_name": "Foxtrot", "registered_on": d(2026, 1, 1)},
    )
    return {
        "org": org,
        "people": people,
        "monthly": monthly,
        "quarterly_done": quarterly_done,
        "quarterly_silent": quarterly_silent,
        "later": later,
        "closed": closed,
        "elsewhere": elsewhere,
    }


def _names(org, period, **filters):
    return [e.legal_name for e in selectors.non_filers(org, period, filters)]


def test_non_filers_of_a_month_closing_a_quarter(world):
    rows = selectors.describe_rows(selectors.non_filers(world["org"], "2026-03"), "2026-03")
    # Alpha (monthly) did not declare March; Charlie (quarterly) did not declare Q1, nor Echo
    # (closed on 20/02, it still owes the quarter it worked in). Bravo declared Q1, which covers
    # March; Delta registered in April, after the period.
    assert [(e.legal_name, e.frequency, e.workforce, e.missing) for e in rows] == [
        ("Alpha", MONTHLY, 2, ["03/2026"]),
        ("Charlie", QUARTERLY, 0, ["T1 2026"]),
        ("Echo", QUARTERLY, 0, ["T1 2026"]),
    ]


def test_non_filers_of_other_periods(world):
    org = world["org"]
    # February: Alpha declared it; quarterly employers owe nothing for a mid-quarter month
    assert _names(org, "2026-02") == []
    assert _names(org, "2026-Q1") == ["Alpha", "Charlie", "Echo"]
    assert _names(org, "2026-01") == []
    assert _names(org, "2026-04") == ["Alpha"]
    # Q2: Echo, closed on 20/02, is no longer expected; Delta, registered on 01/04, is
    assert _names(org, "2026-Q2") == ["Alpha", "Bravo", "Charlie", "Delta"]


def test_non_filers_filters(world):
    org = world["org"]
    assert _names(org, "2026-Q1", sector="Commerce") == ["Alpha", "Charlie"]
    assert _names(org, "2026-Q1", city="Abidjan") == ["Alpha"]
    assert _names(org, "2026-Q1", size="0") == ["Charlie", "Echo"]
    assert _names(org, "2026-Q1", size="1-9") == ["Alpha"]
    assert _names(org, "2026-Q1", size="10-49") == []


def test_missing_declarations_per_employer_agree_with_the_list(world):
    got = {
        name: [(p.period, p.due_date) for p in selectors.missing_declarations(world[name], AS_OF)]
        for name in ("monthly", "quarterly_done", "quarterly_silent", "later", "closed")
    }
    assert got == {
        "monthly": [("2026-03", d(2026, 4, 15)), ("2026-04", d(2026, 5, 15))],
        "quarterly_done": [],
        "quarterly_silent": [("2026-Q1", d(2026, 4, 15))],
        "later": [],
        "closed": [("2026-Q1", d(2026, 4, 15))],
    }
    # before the due date nothing is missing yet
    assert selectors.missing_declarations(world["monthly"], d(2026, 4, 15)) == []


def test_partial_declaration_flag_and_end_of_employment(world):
    org = world["org"]
    yao = world["people"][2]
    assert list(selectors.partial_declarations(org, "2026-02")) == [(world["monthly"].pk, yao.pk)]
    assert list(selectors.partial_declarations(org, "2026-01")) == []
    employment_add(
        person=yao,
        data={
            "employer": world["monthly"],
            "start_date": d(2025, 1, 1),
            "end_date": d(2026, 1, 31),
        },
    )
    assert list(selectors.partial_declarations(org, "2026-02")) == []
