"""`non_filer_counts` (every period at once, set-based) against `non_filers` (one period).

CNPS-CI: monthly from 2 workers (rule of 2001), from 3 workers from 01/04/2026. Employers that
start, stop, change frequency with the rule or with their open employments, within the months
12/2025 to 06/2026.
"""

import datetime as dt

import pytest

from kafo.collection import selectors
from kafo.contributions.services import declaration_submit
from kafo.registry.models import Employer, EmployerStatus
from kafo.registry.services import employer_register, employment_add, person_register
from kafo.rules.models import DeclarationRule
from kafo.rules.services import rules_seed

d = dt.date
MONTHS = ["2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]


def _declare(employer, period, persons):
    declaration_submit(
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
        today=d(2026, 7, 1),
    )


@pytest.fixture
def org(zone):
    rules_seed()
    org = zone["CNPS-CI"]
    for since, threshold in ((d(2001, 1, 1), 2), (d(2026, 4, 1), 3)):
        DeclarationRule.objects.create(
            organisation=org,
            effective_from=since,
            monthly_from_employees=threshold,
            due_day=15,
            source="test",
        )
    people = [
        person_register(
            organisation=org,
            data={"family_name": n, "given_names": "Awa", "sex": "F", "birth_date": d(1990, 1, 1)},
        )
        for n in ("Kone", "Bamba", "Yao")
    ]

    def employer(name, registered_on):
        return employer_register(
            organisation=org,
            data={"legal_name": name, "registered_on": registered_on, "risk_class": 1},
        )

    # Alpha: 2 workers declared in 12/2025 and 01/2026, then silent: monthly until the rule
    # of April makes it quarterly (2 < 3).
    alpha = employer("Alpha", d(2025, 1, 1))
    for p in ("2025-12", "2026-01"):
        _declare(alpha, p, people[:2])
    # Bravo: registered on 15/02/2026, never declares; two employments from 01/03/2026, one
    # ended on 30/04/2026: quarterly in February (0 workers), monthly in March (2), quarterly
    # from April (2 then 1 worker, threshold 3).
    bravo = employer("Bravo", d(2026, 2, 15))
    for person, end in ((people[0], None), (people[1], d(2026, 4, 30))):
        employment_add(
            person=person, data={"employer": bravo, "start_date": d(2026, 3, 1), "end_date": end}
        )
    # Charlie: never declares, no worker (quarterly), closed on 20/02/2026.
    charlie = employer("Charlie", d(2020, 1, 1))
    # Delta: 1 worker, quarterly, declared Q4 2025 and Q1 2026, suspended on 10/04/2026.
    delta = employer("Delta", d(2020, 1, 1))
    for p in ("2025-Q4", "2026-Q1"):
        _declare(delta, p, people[:1])
    # Echo: 3 workers, monthly, declared 12/2025 to 03/2026, then silent.
    echo = employer("Echo", d(2020, 1, 1))
    for p in ("2025-12", "2026-01", "2026-02", "2026-03"):
        _declare(echo, p, people)
    Employer.objects.filter(pk=charlie.pk).update(
        status=EmployerStatus.CLOSED, status_since=d(2026, 2, 20)
    )
    Employer.objects.filter(pk=delta.pk).update(
        status=EmployerStatus.SUSPENDED, status_since=d(2026, 4, 10)
    )
    # Another organisation's silent employer counts for none of CNPS-CI's months.
    employer_register(
        organisation=zone["IPRES-SN"],
        data={"legal_name": "Foxtrot", "registered_on": d(2020, 1, 1)},
    )
    return org


def test_counts_of_every_month_by_hand(org):
    # 12/2025: Charlie owes Q4. 02/2026: Alpha. 03/2026: Alpha, Bravo (monthly then), Charlie
    # (closed within Q1, owes it). 04 and 05: Echo. 06/2026: Alpha and Bravo (quarterly), Delta
    # (suspended within Q2), Echo; Charlie closed before Q2.
    assert selectors.non_filer_counts(org, MONTHS) == {
        "2025-12": 1,
        "2026-01": 0,
        "2026-02": 1,
        "2026-03": 3,
        "2026-04": 1,
        "2026-05": 1,
        "2026-06": 4,
    }


def test_counts_equal_the_non_filers_list_of_each_period(org):
    asked = [*MONTHS, "2025-Q4", "2026-Q1", "2026-Q2"]
    counts = selectors.non_filer_counts(org, asked)
    assert counts == {p: selectors.non_filers(org, p).count() for p in asked}
    assert counts["2026-Q2"] == 4


def test_no_period_no_count(org):
    assert selectors.non_filer_counts(org, []) == {}


def test_counts_honour_the_go_live_as_the_list_does(org):
    from kafo.collection.rule_versions import follow_up_set

    # Kafo follows CNPS-CI from 01/03/2026: December's, January's and February's non-filers, and
    # Q4 2025's, are not expected in Kafo; Q1 2026 ends after the go-live, so it still is.
    follow_up_set(
        organisation=org,
        followed_since=d(2026, 3, 1),
        effective_from=d(2026, 3, 1),
        source="décision de mise en service",
    )
    asked = [*MONTHS, "2025-Q4", "2026-Q1", "2026-Q2"]
    counts = selectors.non_filer_counts(org, asked)
    assert counts == {p: selectors.non_filers(org, p).count() for p in asked}
    assert (counts["2025-12"], counts["2026-02"], counts["2025-Q4"]) == (0, 0, 0)
    assert (counts["2026-03"], counts["2026-06"]) == (3, 4)
