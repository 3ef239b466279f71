"""The benefits side of a coordinated claim: periods received, the claim opened from a forward,
the liquidation that totalises them, and the `claim_decided` signal."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from kafo.audit.models import AuditEvent
from kafo.benefits import claim_decisions, claims
from kafo.benefits.coordination import coordinated_claim_open, foreign_periods_record
from kafo.benefits.models import Claim, ClaimForeignPeriods, ClaimStatus
from kafo.benefits.services import benefits_seed
from kafo.benefits.signals import claim_decided
from kafo.benefits.tests.test_claims import bj, computed, declare, months, state, submitted
from kafo.registry.services import employer_register, person_register
from kafo.rules.services import rules_seed

__all__ = ["bj"]  # the fixture, used by name below


@pytest.fixture
def ml(zone, make_user):
    """INPS-ML: a Malian born 10/03/1966, 96 months at 150,000 (2011-2018), 26 days each."""
    rules_seed()
    benefits_seed()
    org = zone["INPS-ML"]
    employer = employer_register(organisation=org, data={"legal_name": "SOMAGEP", "risk_class": 1})
    person = person_register(
        organisation=org,
        data={
            "family_name": "Traoré",
            "given_names": "Mamadou",
            "sex": "M",
            "birth_date": dt.date(1966, 3, 10),
        },
    )
    declare(org, employer, person, months("2011-01", "2018-12"), 150000)
    return {"org": org, "person": person, "officer": make_user(org, "benefits_officer")}


def test_issue_example_liquidated_at_inps_ml_with_the_periods_cnss_bj_communicated(ml, zone):
    """INPS-ML's claim holds CNSS-BJ's 120 months (2001-2010): 216 totalised; 42 % × 150,000 =
    63,000; share 96/216 → 28,000 a month (domain test: test_coordination.py)."""
    claim = claims.claim_open(
        person=ml["person"], kind="pension", claim_date=dt.date(2026, 6, 15), user=ml["officer"]
    )
    foreign_periods_record(
        claim=claim,
        organisation=zone["CNSS-BJ"],
        months=months("2001-01", "2010-12"),
        salaries={"2010": "2400000"},
        reference="EX-CNSS-BJ-000007",
        user=ml["officer"],
    )
    liq = claims.claim_compute(claim=claim, user=ml["officer"])
    assert (liq.eligible, liq.benefit, liq.monthly_amount) == (True, "pension", D(28000))
    assert (liq.insured_months, liq.reference_salary, liq.rate) == (216, D(150000), D(42))
    assert liq.inputs["coordination"] | {"periods": None} == {
        "convention_version": "CIPRES 2006-02-26",
        "basis": "prorata",
        "own_months": 96,
        "total_months": 216,
        "share": "96/216",
        "independent_amount": "20800",
        "independent_benefit": "old_age_allowance",
        "theoretical_amount": "63000",
        "prorata_amount": "28000",
        "counted": ["CNSS-BJ"],
        "not_counted": [],
        "periods": None,
    }
    sections = {s.get("section") for s in liq.trace}
    assert sections == {"independent", "theoretical", "share"}


def test_a_later_answer_replaces_the_periods_audited(ml, zone):
    claim = claims.claim_open(
        person=ml["person"], kind="pension", claim_date=dt.date(2026, 6, 15), user=ml["officer"]
    )
    args = {"claim": claim, "organisation": zone["CNSS-BJ"], "user": ml["officer"]}
    foreign_periods_record(months=["2001-01"], reference="A", **args)
    foreign_periods_record(months=["2001-02", "2001-03", "2001-02"], reference="B", **args)
    row = ClaimForeignPeriods.unscoped.get(claim=claim)
    assert (row.months, row.reference, row.salaries) == (["2001-02", "2001-03"], "B", None)
    assert row.organisation_id == ml["org"].pk
    actions = list(
        AuditEvent.unscoped.filter(object_type="claimforeignperiods").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["create", "update"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"months": ["2001-13"]}, "months"),
        ({"months": []}, "months"),
        ({"months": "2001-01"}, "months"),
        ({"salaries": {"2001": "12.5"}}, "salaries"),
        ({"salaries": {"01": "100"}}, "salaries"),
        ({"organisation": "own"}, "organisation"),
        ({"reference": "x" * 61}, "reference"),
    ],
)
def test_bad_periods_are_refused_naming_the_field_and_nothing_is_stored(ml, zone, change, field):
    claim = claims.claim_open(
        person=ml["person"], kind="pension", claim_date=dt.date(2026, 6, 15), user=ml["officer"]
    )
    args = {
        "claim": claim,
        "organisation": zone["CNSS-BJ"],
        "months": ["2001-01"],
        "user": ml["officer"],
    } | change
    if args["organisation"] == "own":
        args["organisation"] = ml["org"]
    before = (state(claim), ClaimForeignPeriods.unscoped.count())
    with pytest.raises(ValidationError) as err:
        foreign_periods_record(**args)
    assert list(err.value.message_dict) == [field]
    assert (state(claim), ClaimForeignPeriods.unscoped.count()) == before


def test_periods_arriving_after_submission_send_the_claim_back_to_computation(bj, zone):
    """Submitted, not yet decided: CNSS-TG's months arrive. The claim goes back to "computed"
    (audited), so the approver cannot decide on a computation that ignores them; computed again
    and submitted again, it counts them."""
    claim = submitted(bj)
    events = AuditEvent.objects.count()
    foreign_periods_record(
        claim=claim,
        organisation=zone["CNSS-TG"],
        months=months("2001-01", "2002-12"),
        reference="EX-CNSS-TG-000002",
        user=bj["officer"],
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.COMPUTED
    assert AuditEvent.objects.count() == events + 2  # the periods, the claim's status
    liq = claims.claim_compute(claim=claim, user=bj["officer"])
    assert (liq.insured_months, liq.monthly_amount) == (294, D(22041))


def test_approval_refuses_a_computation_older_than_the_periods_received(bj, zone, make_user):
    """Defence in depth: even if a submitted claim kept a computation older than periods
    received (data written outside the service), approval refuses and changes nothing."""
    claim = submitted(bj)
    ClaimForeignPeriods.unscoped.create(
        organisation_id=claim.organisation_id,
        claim=claim,
        source_organisation=zone["CNSS-TG"],
        months=["2001-01"],
        received_at=claims.timestamp() + dt.timedelta(seconds=1),
    )
    approver = make_user(bj["org"], "director")
    before = state(claim)
    with pytest.raises(ValidationError) as err:
        claim_decisions.claim_approve(claim=claim, user=approver)
    assert err.value.message_dict["status"] == [
        "Périodes reçues de CNSS-TG après le calcul : recalculer avant de soumettre."
    ]
    assert state(claim) == before


def test_periods_arriving_after_approval_flag_the_claim_for_review(bj, zone, make_user):
    claim = submitted(bj)
    claim_decisions.claim_approve(claim=claim, user=make_user(bj["org"], "director"))
    foreign_periods_record(
        claim=claim,
        organisation=zone["CNSS-TG"],
        months=["2001-01"],
        reference="EX-CNSS-TG-000002",
        user=bj["officer"],
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert claim.review_reason == (
        "Périodes reçues de CNSS-TG (EX-CNSS-TG-000002) après le calcul : à recalculer."
    )


def test_periods_arriving_after_the_computation_must_be_computed_before_submission(bj, zone):
    """A computed claim receives CNSS-TG's months: it cannot be submitted until computed again;
    the new computation counts them."""
    claim = computed(bj)
    for doc in claim.documents.filter(required=True):
        claims.claim_document_set(
            claim=claim, code=doc.code, received=True, user=bj["officer"], reference="P"
        )
    foreign_periods_record(
        claim=claim,
        organisation=zone["CNSS-TG"],
        months=months("2001-01", "2002-12"),
        reference="EX-CNSS-TG-000003",
        user=bj["officer"],
    )
    before = state(claim)
    with pytest.raises(ValidationError) as err:
        claims.claim_submit(claim=claim, user=bj["officer"])
    assert err.value.message_dict["status"] == [
        "Périodes reçues de CNSS-TG après le calcul : recalculer avant de soumettre."
    ]
    assert state(claim) == before
    liq = claims.claim_compute(claim=claim, user=bj["officer"])
    assert (liq.insured_months, liq.monthly_amount) == (294, D(22041))
    claims.claim_submit(claim=claim, user=bj["officer"])
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


def test_coordinated_claim_open_at_the_target_with_the_others_periods(ml, zone):
    """CNSS-BJ forwarded its claim DP-000042: INPS-ML opens its own claim for its record, with
    CNSS-BJ's periods attached (INPS-ML's own months in the list are skipped: its declarations
    hold them)."""
    claim = coordinated_claim_open(
        person=ml["person"],
        origin_organisation=zone["CNSS-BJ"],
        origin_reference="DP-000042",
        periods=[
            {"organisation": "CNSS-BJ", "months": months("2001-01", "2010-12"), "salaries": None},
            {"organisation": "INPS-ML", "months": months("2011-01", "2018-12")},
        ],
        user=ml["officer"],
    )
    assert (claim.organisation_id, claim.kind, claim.status) == (ml["org"].pk, "pension", "opened")
    assert (claim.origin_organisation, claim.origin_reference) == (zone["CNSS-BJ"], "DP-000042")
    rows = list(ClaimForeignPeriods.unscoped.filter(claim=claim))
    assert [(r.source_organisation.code, len(r.months), r.reference) for r in rows] == [
        ("CNSS-BJ", 120, "DP-000042")
    ]


def test_coordinated_claim_open_refuses_an_unknown_organisation_and_creates_nothing(ml, zone):
    before = (Claim.unscoped.count(), ClaimForeignPeriods.unscoped.count())
    with pytest.raises(ValidationError) as err:
        coordinated_claim_open(
            person=ml["person"],
            origin_organisation=zone["CNSS-BJ"],
            origin_reference="DP-000042",
            periods=[{"organisation": "CNSS-XX", "months": ["2001-01"]}],
            user=ml["officer"],
        )
    assert list(err.value.message_dict) == ["periods[0].organisation"]
    assert (Claim.unscoped.count(), ClaimForeignPeriods.unscoped.count()) == before


@pytest.fixture
def decided():
    received = []

    def receiver(sender, claim, **kwargs):
        received.append((sender, claim.pk, claim.status))

    claim_decided.connect(receiver)
    yield received
    claim_decided.disconnect(receiver)


def test_claim_decided_is_sent_for_a_coordinated_claim_only(bj, zone, decided):
    plain = submitted(bj)
    claim_decisions.claim_reject(claim=plain, user=bj["approver"], reason="Pièces fausses.")
    assert decided == []
    coordinated = computed(bj)
    foreign_periods_record(
        claim=coordinated,
        organisation=zone["CNSS-TG"],
        months=["2001-01"],
        user=bj["officer"],
    )
    claims.claim_compute(claim=coordinated, user=bj["officer"])
    for doc in coordinated.documents.filter(required=True):
        claims.claim_document_set(
            claim=coordinated, code=doc.code, received=True, user=bj["officer"], reference="P"
        )
    claims.claim_submit(claim=coordinated, user=bj["officer"])
    claim_decisions.claim_reject(claim=coordinated, user=bj["approver"], reason="Doublon.")
    assert decided == [(Claim, coordinated.pk, "rejected")]
