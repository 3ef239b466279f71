"""The collection demo step for every organisation with employers (issue 17 §4): Kafo's
go-live 24 months back, 24 months declared, a few employers silent, nothing before the go-live
counted as missing; and the governance demo step: a board with two years of sessions.

Two organisations, INPS-ML and IPRES-SN, each with 16 employers registered in 2015 and two
workers each; one more INPS-ML employer without any worker (put dormant).
"""

import datetime as dt

import pytest

from kafo.collection import selectors
from kafo.collection.demo import collection_demo_seed
from kafo.collection.models import CollectionFollowUp
from kafo.contributions.models import Declaration
from kafo.organisations.tenancy import tenant_scope
from kafo.registry.models import Employer, EmployerStatus
from kafo.registry.services import employment_add
from kafo.registry.tests.factories import employer, person
from kafo.rules.services import rules_seed

d = dt.date
TODAY = d(2026, 11, 29)


@pytest.fixture
def two(zone):
    rules_seed()
    for code in ("INPS-ML", "IPRES-SN"):
        org = zone[code]
        with tenant_scope(org):
            for n in range(16):
                e = employer(org, legal_name=f"{code} Société {n:02d}", registered_on=d(2015, 1, 1))
                for k in range(2):
                    p = person(org, family_name=f"Traore{n}x{k}", birth_date=d(1980, 1, 1))
                    employment_add(person=p, data={"employer": e, "start_date": d(2015, 1, 1)})
    with tenant_scope(zone["INPS-ML"]):
        employer(zone["INPS-ML"], legal_name="Sans salarié", registered_on=d(2020, 1, 1))
    return zone


def test_every_organisation_gets_24_months_and_its_go_live(two):
    made = collection_demo_seed(today=TODAY)
    assert sorted(made["organisations"]) == ["INPS-ML", "IPRES-SN"]
    for code in ("INPS-ML", "IPRES-SN"):
        org = two[code]
        with tenant_scope(org):
            follow = CollectionFollowUp.objects.get()
            assert (follow.followed_since, follow.assumption) == (d(2024, 11, 1), True)
            periods = set(Declaration.objects.values_list("period", flat=True))
            assert (min(periods), max(periods), len(periods)) == ("2024-11", "2026-10", 24)
            # 16 with workers: 3 silent (one in 15, at least 3), the others declared October
            assert Declaration.objects.filter(period="2026-10").count() == 13
            # Q3: the first silent since July, the second since September (the third is
            # silent in October only)
            assert [e.legal_name for e in selectors.non_filers(org, "2026-Q3")] == [
                f"{code} Société {n:02d}" for n in (0, 5)
            ]
            # Before the go-live nothing is missing, though nobody declared it in Kafo.
            assert list(selectors.non_filers(org, "2024-10")) == []
            assert selectors.followed_since(org.pk, on=TODAY) == d(2024, 11, 1)
    with tenant_scope(two["INPS-ML"]):
        dormant = Employer.objects.get(legal_name="Sans salarié")
        assert dormant.status == EmployerStatus.SUSPENDED


def test_a_second_run_adds_nothing(two):
    collection_demo_seed(today=TODAY)
    with tenant_scope(two["INPS-ML"]):
        count = Declaration.objects.count()
    assert collection_demo_seed(today=TODAY) == {"organisations": {}}
    with tenant_scope(two["INPS-ML"]):
        assert Declaration.objects.count() == count
        assert CollectionFollowUp.objects.count() == 1


def test_governance_history_for_every_organisation(zone, make_user):
    from kafo.governance.bodies import body_create, session_create
    from kafo.governance.demo import governance_demo_seed
    from kafo.governance.models import Body, Decision, Session, Status

    director = make_user(zone["INPS-ML"], "director", username="inps-ml.directeur")
    with tenant_scope(zone["IPRES-SN"]):  # a board another demo step opened: reused
        board = body_create(organisation=zone["IPRES-SN"], name="Conseil", kind="board")
        session_create(body=board, date=d(2026, 8, 1))
    made = governance_demo_seed(today=TODAY)
    assert made["INPS-ML"] == 24 and made["IPRES-SN"] == 24
    with tenant_scope(zone["INPS-ML"]):
        body = Body.objects.get()
        dates = list(Session.objects.order_by("number").values_list("date", flat=True))
        assert dates == [
            d(2025, 2, 20),
            d(2025, 5, 20),
            d(2025, 8, 20),
            d(2025, 11, 20),
            d(2026, 2, 20),
            d(2026, 5, 20),
            d(2026, 8, 20),
            d(2026, 11, 20),
        ]
        statuses = sorted(Decision.objects.values_list("status", flat=True))
        assert statuses.count(Status.DONE) == 15
        assert statuses.count(Status.DROPPED) == 3
        assert statuses.count(Status.LATE) >= 1
        assert Decision.objects.filter(owner_user=director).count() == 8
        assert body.members.count() == 5
    with tenant_scope(zone["IPRES-SN"]):
        assert (Body.objects.get().pk, board.sessions.count()) == (board.pk, 9)
    assert governance_demo_seed(today=TODAY) == {}  # idempotent


def test_history_payments_are_taken_over_beside_another_steps_payments(zone):
    from decimal import Decimal

    from kafo.contributions.models import LedgerEntry, Payment
    from kafo.stats.demo import _payments

    org = zone["INPS-ML"]
    with tenant_scope(org):
        employers = [employer(org, legal_name=f"Société {n}") for n in range(3)]
        for e in employers:
            LedgerEntry.objects.create(
                organisation=org,
                employer=e,
                kind="contribution",
                period="2026-09",
                due_date=d(2026, 10, 15),
                amount=Decimal(90_000),
                label="cotisations",
            )
        # a voluntary member's payment, recorded by another demo step before this one
        Payment.objects.create(
            organisation=org,
            employer=employers[0],
            paid_on=d(2026, 10, 1),
            amount=Decimal(5_000),
            method="bank",
            reference="VOL-1",
        )
        made = _payments(org, TODAY)
        taken = Payment.objects.filter(reference__startswith="REPRISE-").count()
        assert made == taken > 0
        assert _payments(org, TODAY) == 0  # a second run adds nothing
