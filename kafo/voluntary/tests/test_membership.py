"""Voluntary insurance: a paid period counts in the career as any declared month (read by the
same readers a claim and the insured's career page use), an unpaid one counts nothing, lapse
and resumption, the diaspora member abroad."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kafo.contributions.models import Declaration, LedgerEntry, Payment
from kafo.contributions.selectors import account_state, person_career
from kafo.registry.tests.factories import employer as make_employer
from kafo.registry.tests.factories import person as make_person
from kafo.rules.services import rules_seed
from kafo.voluntary import selectors, services
from kafo.voluntary.models import Membership, MembershipEvent, MembershipStatus, PeriodPayment

pytestmark = pytest.mark.django_db

# INPS-ML, risk class 1, bracket T2 (60,000 a month), one quarter: base 180,000 (above the floor)
# employer: pension 5.4 % 9,720 + family 8 % 14,400 + work injury 1 % 1,800 + AMO 3.5 % 6,300
#         = 32,220; worker: pension 3.6 % 6,480 + AMO 3.06 % 5,508 = 11,988; in all 44,208.
QUARTER_T2 = Decimal(44208)


@pytest.fixture
def inps(zone):
    rules_seed()
    return zone["INPS-ML"]


def _join(org, **extra):
    person = extra.pop("person", None) or make_person(org)
    values = {"kind": "self_employed", "bracket": "T2", "frequency": "quarterly"} | extra
    return services.membership_join(person=person, on=dt.date(2025, 1, 10), **values)


def _pay(membership, period, paid_on, amount=QUARTER_T2, reference="MM-2025-0001"):
    return services.period_pay(
        membership=membership,
        period=period,
        amount=amount,
        method="mobile_money",
        reference=reference,
        paid_on=paid_on,
    )


def test_a_quarter_paid_counts_three_months_in_the_career(inps):
    from kafo.benefits.claim_career import declared_months

    membership = _join(inps)
    assert membership.start_period == "2025-Q1"
    assert (
        selectors.amount_due(membership, period="2025-Q1", paid_on=dt.date(2025, 4, 10)).total
        == QUARTER_T2
    )

    paid = _pay(membership, "2025-Q1", dt.date(2025, 4, 10))

    assert (paid.contribution, paid.penalty) == (QUARTER_T2, Decimal(0))
    months = declared_months(membership.person, until=dt.date(2025, 12, 31))
    assert months == {
        "2025-01": {"salary": Decimal(60000), "days": 30},
        "2025-02": {"salary": Decimal(60000), "days": 30},
        "2025-03": {"salary": Decimal(60000), "days": 30},
    }
    career = person_career(person=membership.person)
    assert career["months"] == 3
    assert career["organisations"][0]["total_contributions"] == QUARTER_T2
    assert account_state(employer=membership.account, as_of=dt.date(2025, 4, 10)).balance == 0


def test_an_unpaid_quarter_counts_nothing(inps):
    from kafo.benefits.claim_career import declared_months

    membership = _join(inps)

    assert declared_months(membership.person, until=dt.date(2025, 12, 31)) == {}
    assert person_career(person=membership.person)["months"] == 0
    state = selectors.standing(membership, on=dt.date(2025, 5, 1))
    assert [(p.period, p.paid, p.overdue) for p in state.periods] == [
        ("2025-Q1", False, True),  # due 15/04/2025
        ("2025-Q2", False, False),
    ]
    assert state.lapsed_on is None


def test_a_late_payment_bears_the_late_payment_penalty_of_the_rules(inps):
    membership = _join(inps)
    late = dt.date(2025, 4, 25)  # 10 days after the due date (15/04/2025)
    # INPS-ML's placeholder rule (kafo/reference/rules.yaml): 0.05 % a day:
    # 44,208 × 0.05 % × 10 = 221.04 → 221
    due = selectors.amount_due(membership, period="2025-Q1", paid_on=late)
    assert (due.penalty, due.total) == (Decimal(221), Decimal(44429))

    paid = _pay(membership, "2025-Q1", late, amount=Decimal(44429))

    assert paid.penalty == Decimal(221)
    assert account_state(employer=membership.account, as_of=late).balance == 0


def test_a_wrong_amount_or_an_unowed_period_is_refused_and_nothing_stored(inps):
    membership = _join(inps)
    counts = (Declaration.objects.count(), Payment.objects.count(), LedgerEntry.objects.count())

    with pytest.raises(ValidationError) as wrong:
        _pay(membership, "2025-Q1", dt.date(2025, 4, 25), amount=QUARTER_T2)  # penalty missing
    assert "44 429 FCFA" in wrong.value.message_dict["amount"][0]
    with pytest.raises(ValidationError) as before_start:
        _pay(membership, "2024-Q4", dt.date(2025, 4, 10))
    assert "2024-Q4" in before_start.value.message_dict["period"][0]
    with pytest.raises(ValidationError) as future:
        _pay(membership, "2025-Q3", dt.date(2025, 4, 10))
    assert "period" in future.value.message_dict

    assert (
        Declaration.objects.count(),
        Payment.objects.count(),
        LedgerEntry.objects.count(),
    ) == counts
    assert PeriodPayment.objects.count() == 0


def test_a_period_is_paid_once(inps):
    membership = _join(inps)
    _pay(membership, "2025-Q1", dt.date(2025, 4, 10))

    with pytest.raises(ValidationError) as again:
        _pay(membership, "2025-Q1", dt.date(2025, 4, 11), reference="MM-2025-0002")

    assert "period" in again.value.message_dict
    assert PeriodPayment.objects.count() == 1


def test_four_unpaid_quarters_lapse_the_membership_which_then_resumes(inps):
    from kafo.benefits.claim_career import declared_months

    membership = _join(inps)
    _pay(membership, "2025-Q1", dt.date(2025, 4, 10))
    # 2025-Q2, Q3, Q4 and 2026-Q1 unpaid: the fourth's due date is 15/04/2026
    assert selectors.standing(membership, on=dt.date(2026, 4, 15)).lapsed_on is None
    assert services.memberships_lapse(organisation=inps, on=dt.date(2026, 4, 15)) == 0

    assert services.memberships_lapse(organisation=inps, on=dt.date(2026, 4, 20)) == 1

    membership.refresh_from_db()
    assert (membership.status, membership.lapsed_on) == ("lapsed", dt.date(2026, 4, 16))
    with pytest.raises(ValidationError) as refused:
        _pay(membership, "2026-Q2", dt.date(2026, 4, 20), reference="MM-2026-0001")
    assert "reprise" in refused.value.message_dict["period"][0]

    services.membership_resume(membership=membership, bracket="T1", on=dt.date(2026, 5, 4))

    membership.refresh_from_db()
    assert (membership.status, membership.start_period, membership.bracket) == (
        "active",
        "2026-Q2",
        "T1",
    )
    state = selectors.standing(membership, on=dt.date(2026, 5, 4))
    assert [s.period for s in state.periods] == ["2026-Q2"]  # the unpaid quarters owe nothing
    # T1: 40,000 a month, 120,000 a quarter: 24.56 % of it = 29,472
    _pay(membership, "2026-Q2", dt.date(2026, 5, 4), amount=Decimal(29472), reference="MM-2026-2")
    months = declared_months(membership.person, until=dt.date(2026, 12, 31))
    assert sorted(months) == ["2025-01", "2025-02", "2025-03", "2026-04", "2026-05", "2026-06"]
    assert [e.kind for e in MembershipEvent.objects.filter(membership=membership)] == [
        "joined",
        "lapsed",
        "resumed",
    ]


def test_an_active_membership_cannot_resume(inps):
    membership = _join(inps)
    with pytest.raises(ValidationError):
        services.membership_resume(membership=membership, on=dt.date(2025, 2, 1))
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE


def test_a_diaspora_member_joins_from_abroad_with_a_foreign_address_and_phone(inps):
    membership = _join(
        inps,
        kind="diaspora",
        residence_country="fr",
        address="12 rue des Envierges, 75020 Paris",
        phone="06 12 34 56 78",
    )

    assert (membership.residence_country, membership.phone) == ("FR", "+33612345678")
    assert membership.address == "12 rue des Envierges, 75020 Paris"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        (
            {"residence_country": "ML", "address": "Bamako", "phone": "65 01 23 45"},
            "residence_country",
        ),
        ({"residence_country": "FR", "address": "", "phone": "06 12 34 56 78"}, "address"),
        ({"residence_country": "FR", "address": "Paris", "phone": "+223 65 01 23 45"}, "phone"),
        ({"residence_country": "FR", "address": "Paris", "phone": "06 12"}, "phone"),
        (
            {"residence_country": "XX", "address": "Paris", "phone": "06 12 34 56 78"},
            "residence_country",
        ),
    ],
)
def test_a_diaspora_member_without_a_valid_foreign_contact_is_refused(inps, extra, field):
    person = make_person(inps)
    with pytest.raises(ValidationError) as refused:
        _join(inps, person=person, kind="diaspora", **extra)
    assert field in refused.value.message_dict
    assert Membership.objects.count() == 0


def test_a_salaried_person_or_an_organisation_without_voluntary_insurance_is_refused(zone, inps):
    from kafo.registry.services import employment_add

    person = make_person(inps)
    employment_add(
        person=person,
        data={"employer": make_employer(inps), "start_date": dt.date(2020, 1, 1)},
    )
    with pytest.raises(ValidationError) as salaried:
        _join(inps, person=person)
    assert "emploi salarié" in salaried.value.message_dict["person"][0]
    with pytest.raises(ValidationError) as elsewhere:
        _join(zone["CNPS-CI"], person=make_person(zone["CNPS-CI"]))
    assert "n'offre pas" in elsewhere.value.message_dict["person"][0]
    assert Membership.objects.count() == 0


def test_a_member_joins_once(inps):
    membership = _join(inps)
    with pytest.raises(ValidationError) as again:
        _join(inps, person=membership.person)
    assert "déjà adhérente" in again.value.message_dict["person"][0]


def test_the_daily_run_lapses_an_unpaid_membership_once(inps):
    from kafo.jobs.daily import run_daily

    membership = _join(inps)  # 2025-Q1 .. 2025-Q4 unpaid: the fourth due 15/01/2026

    first = run_daily(dt.date(2026, 1, 16))
    again = run_daily(dt.date(2026, 1, 17))

    assert "Adhésions volontaires tombées en déchéance : 1." in first
    assert "Adhésions volontaires tombées en déchéance : 0." in again
    membership.refresh_from_db()
    assert (membership.status, membership.lapsed_on) == ("lapsed", dt.date(2026, 1, 16))
    assert MembershipEvent.objects.filter(membership=membership, kind="lapsed").count() == 1
