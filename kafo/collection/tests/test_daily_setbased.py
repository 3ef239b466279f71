"""The daily run's search for missing periods is set-based and agrees with the per-employer
rules (kafo.collection.selectors): same periods, same due dates, for monthly and quarterly
employers, a switch of rule version, a closure, a late registration; a day with nothing new
costs the same few queries whatever the number of employers.

CNPS-CI: a declaration rule version from 2001 monthly from 2 workers (due the 15th), another
from 01/07/2026 monthly from 1 worker due the 20th; employers registered in 2026.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kafo.collection import selectors, services
from kafo.collection.domain import expected
from kafo.collection.models import Notice, NoticeKind
from kafo.contributions.services import declaration_submit
from kafo.registry.models import Employer, EmployerStatus
from kafo.registry.services import employer_register, employment_add, person_register
from kafo.rules.models import DeclarationRule
from kafo.rules.services import rules_seed

d = dt.date
ON = d(2026, 11, 10)


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
        today=d(2026, 11, 1),
    ).declaration


@pytest.fixture
def ci(zone):
    rules_seed()
    services.collection_rules_seed()
    org = zone["CNPS-CI"]
    DeclarationRule.objects.create(
        organisation=org, effective_from=d(2001, 1, 1), monthly_from_employees=2, due_day=15
    )
    DeclarationRule.objects.create(
        organisation=org, effective_from=d(2026, 7, 1), monthly_from_employees=1, due_day=20
    )
    return org


def _employer(org, name, registered_on, **extra):
    return employer_register(
        organisation=org,
        data={"legal_name": name, "risk_class": 1, "registered_on": registered_on, **extra},
    )


def _per_employer(org, on):
    """The daily run's former path: the selectors, one employer at a time."""
    found = services.rules_in_force(organisation_id=org.pk, on=on)
    rules = found[1]
    since = services._months_before(on, rules.history_months)
    until = on + dt.timedelta(days=rules.reminder_days_before_due + 1)
    out = {}
    for employer in Employer.objects.filter(organisation=org).order_by("pk"):
        exp = [e for e in selectors.expected_for(employer, as_of=until) if e.due_date >= since]
        missing = expected.missing_periods(exp, selectors.declared_periods(employer))
        if missing and employer.registered_on <= on:
            out[employer.pk] = missing
    return out, since, until


def test_missing_periods_set_based_agree_with_the_per_employer_rules(ci):
    org = ci
    a, b, c = (_person(org, n) for n in ("Kone", "Yao", "Bamba"))
    silent = _employer(org, "Silencieuse", d(2026, 1, 1))  # no worker: quarterly, then monthly
    monthly = _employer(org, "Mensuelle", d(2026, 1, 1))
    _declare(monthly, "2026-01", [a, b])
    _declare(monthly, "2026-02", [a, b])
    _declare(monthly, "2026-Q2", [a, b])  # its quarter covers April to June
    quarterly = _employer(org, "Trimestrielle", d(2026, 3, 10))
    employment_add(person=c, data={"employer": quarterly, "start_date": d(2026, 3, 10)})
    _declare(quarterly, "2026-Q1", [c])
    closed = _employer(org, "Fermée", d(2026, 1, 1))
    closed.status, closed.status_since = EmployerStatus.CLOSED, d(2026, 8, 5)
    closed.save()
    _employer(org, "Tardive", d(2026, 11, 20))  # registered after the day: nothing
    old = _employer(org, "Ancienne", d(1995, 3, 1))  # only the window's periods are read

    want, since, until = _per_employer(org, ON)
    got = services.missing_by_employer(organisation=org, on=ON, until=until, since=since)
    assert {pk: periods for pk, (_e, periods) in got.items()} == want
    # worked by hand: from July the rule is monthly from 1 worker, due the 20th; without any
    # worker an employer stays quarterly
    assert [(p.period, p.due_date) for p in got[silent.pk][1]] == [
        ("2026-Q1", d(2026, 4, 15)),
        ("2026-Q2", d(2026, 7, 15)),
        ("2026-Q3", d(2026, 10, 20)),
    ]
    assert [p.period for p in got[monthly.pk][1]] == [
        "2026-03",
        "2026-07",
        "2026-08",
        "2026-09",
        "2026-10",
    ]
    assert [p.period for p in got[quarterly.pk][1]] == [
        "2026-Q2",
        "2026-07",
        "2026-08",
        "2026-09",
        "2026-10",
    ]
    assert [p.period for p in got[closed.pk][1]] == ["2026-Q1", "2026-Q2", "2026-Q3"]
    # 12 months back from 10/11/2026: due since 01/11/2025, so 2025-Q4 first (no worker: quarterly)
    assert [p.period for p in got[old.pk][1]] == ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
    assert len(got) == 5


def _silent_employers(org, n):
    for i in range(n):
        _employer(org, f"Silencieuse {i}", d(2026, 1, 1), phone=f"07 07 00 00 {i:02d}")


def _queries_of_a_day_with_nothing_new(org):
    services.collection_daily(organisation=org, on=ON)
    with CaptureQueriesContext(connection) as ctx:
        again = services.collection_daily(organisation=org, on=ON)
    assert (again.notice_count, again.assessments) == (0, [])
    return len(ctx.captured_queries)


def test_a_day_with_nothing_new_costs_the_same_queries_for_2_or_6_employers(ci):
    _silent_employers(ci, 2)
    two = _queries_of_a_day_with_nothing_new(ci)
    assert (
        Notice.objects.filter(kind=NoticeKind.FORMAL_NOTICE).count() == 2 * 2
    )  # Q1, Q2 (Q3: overdue)
    _silent_employers(ci, 4)
    six = _queries_of_a_day_with_nothing_new(ci)
    # collection rule, contacts, go-live, declaration rules, declarations, employers (workforce),
    # employers to tell, notices' keys, first formal notices, assessments, penalties, their
    # notices' keys; and the batch's transaction (a savepoint and its release inside the
    # test's). No worker SMS query: 10/11 is past the 30 days of Q2's check.
    assert (two, six) == (14, 14)


def test_daily_run_sends_the_quarterly_sms_to_undeclared_workers_once(ci):
    from kafo.messaging.models import SmsMessage

    org = ci
    worker = person_register(
        organisation=org,
        data={
            "family_name": "Kone",
            "given_names": "Awa",
            "sex": "F",
            "birth_date": d(1990, 1, 1),
            "phone": "07 07 12 34 56",
        },
    )
    employer = _employer(org, "Boulangerie du Plateau", d(2026, 1, 1))
    employment_add(person=worker, data={"employer": employer, "start_date": d(2026, 1, 1)})
    _declare(employer, "2026-Q2", [worker])
    # Q3 ends 30/09: checked from 14/11 (45 days later), not before, and during 30 days only
    # (a quiet quarter is not re-read every day until the next one)
    assert services.collection_daily(organisation=org, on=d(2026, 12, 14)).worker_sms == 0
    assert services.collection_daily(organisation=org, on=d(2026, 11, 13)).worker_sms == 0
    assert services.collection_daily(organisation=org, on=d(2026, 11, 14)).worker_sms == 1
    assert services.collection_daily(organisation=org, on=d(2026, 11, 15)).worker_sms == 0
    [sms] = SmsMessage.objects.filter(purpose__startswith="worker_undeclared")
    assert (sms.purpose, sms.to) == ("worker_undeclared:2026-Q3", "+2250707123456")
