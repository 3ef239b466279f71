"""The issue's worked example end to end through the real services only (no stand-in): each
step taken by the acting organisation's agents in their own scope.

A Malian has 96 months at INPS-ML (2014-01 to 2021-12 at 150,000) and 120 at CNSS-BJ (2004-01 to
2013-12 at 200,000), 216 in all, no month insured twice.

- INPS-ML (origin): 96 own months do not open the pension (180 needed); totalised 216 do.
  Theoretical: 42 % × 150,000 = 63,000; share 96/216 → 63,000 × 96 / 216 = 28,000 a month.
- CNSS-BJ (target): 120 own months do not open it either (180 needed); totalised 216:
  30 % + 2 % × floor((216 − 180) / 12) = 36 %; 36 % × 200,000 = 72,000; share 120/216 →
  72,000 × 120 / 216 = 40,000 a month.
"""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kafo.benefits import claim_decisions, claims
from kafo.benefits.models import ClaimForeignPeriods, ClaimStatus
from kafo.benefits.services import benefits_seed
from kafo.benefits.tests.test_claims import declare, months
from kafo.exchange import services
from kafo.exchange.models import Direction, LiaisonMessage, MessageKind, MessageStatus
from kafo.exchange.summary_data import claim_summary
from kafo.identity.services import zone_persons_merge
from kafo.organisations.tenancy import tenant_scope
from kafo.registry.services import employer_register, person_register
from kafo.rules.services import rules_seed

ML_MONTHS = months("2014-01", "2021-12")
BJ_MONTHS = months("2004-01", "2013-12")


def _record(org, family_name, employer, periods, salary):
    boss = employer_register(organisation=org, data={"legal_name": employer, "risk_class": 1})
    record = person_register(
        organisation=org,
        data={
            "family_name": family_name,
            "given_names": "Moussa",
            "sex": "M",
            "birth_date": dt.date(1962, 5, 12),
            "birth_place": "Kayes",
        },
    )
    declare(org, boss, record, periods, salary)
    return record


@pytest.fixture
def example(zone, make_user):
    rules_seed()
    benefits_seed()
    ml, bj = zone["INPS-ML"], zone["CNSS-BJ"]
    home = _record(ml, "Coulibaly", "Société malienne de transport", ML_MONTHS, 150000)
    abroad = _record(bj, "Koulibaly", "Port autonome de Cotonou", BJ_MONTHS, 200000)
    zone_persons_merge(person=home, other=abroad)
    users = {
        code: {role: make_user(zone[code], role) for role in ("liaison_officer", "director")}
        | {"officer": make_user(zone[code], "benefits_officer")}
        for code in ("INPS-ML", "CNSS-BJ")
    }
    return {"ml": ml, "bj": bj, "home": home, "abroad": abroad, "users": users}


def _decide(claim, users):
    """Documents received, computed, submitted, approved by the director; return the liquidation."""
    officer = users["officer"]
    for doc in claim.documents.filter(required=True):
        claims.claim_document_set(
            claim=claim, code=doc.code, received=True, user=officer, reference="P-1"
        )
    liquidation = claims.claim_compute(claim=claim, user=officer)
    claims.claim_submit(claim=claim, user=officer)
    claim_decisions.claim_approve(claim=claim, user=users["director"])
    return liquidation


def _rows(claim, kind):
    return sorted(
        LiaisonMessage.unscoped.filter(kind=kind, claim=claim).values_list(
            "organisation__code", "direction", "status"
        )
    )


def test_worked_example_from_request_to_both_decisions_and_the_summary(example, client):
    ml_users, bj_users = example["users"]["INPS-ML"], example["users"]["CNSS-BJ"]
    claim_date = timezone.localdate() - dt.timedelta(days=45)

    # 1. INPS-ML opens the claim and asks CNSS-BJ for the periods (for this claim).
    with tenant_scope(example["ml"]):
        origin = claims.claim_open(
            person=example["home"], kind="pension", claim_date=claim_date, user=ml_users["officer"]
        )
        request = services.periods_request(
            person=example["home"],
            target="CNSS-BJ",
            purpose="old_age",
            claim=origin,
            user=ml_users["liaison_officer"],
        )
    assert ClaimForeignPeriods.unscoped.filter(claim=origin).count() == 0

    # 2. CNSS-BJ approves: its 120 months land on INPS-ML's claim.
    with tenant_scope(example["bj"]):
        services.periods_answer(
            message=request.twin, approve=True, user=bj_users["liaison_officer"]
        )
    received = ClaimForeignPeriods.unscoped.get(claim=origin)
    assert (received.source_organisation.code, received.months, received.reference) == (
        "CNSS-BJ",
        BJ_MONTHS,
        request.reference,
    )

    # 3. INPS-ML computes its share: 28,000 a month.
    with tenant_scope(example["ml"]):
        liquidation = claims.claim_compute(claim=origin, user=ml_users["officer"])
    assert (liquidation.eligible, liquidation.monthly_amount) == (True, D(28000))
    assert (liquidation.insured_months, liquidation.reference_salary) == (216, D(150000))
    assert liquidation.inputs["coordination"]["share"] == "96/216"

    # 4. INPS-ML forwards the claim: CNSS-BJ's own claim is opened, with INPS-ML's 96 months.
    with tenant_scope(example["ml"]):
        forward = services.claim_forward(
            claim=origin, target="CNSS-BJ", user=ml_users["liaison_officer"]
        )
        with pytest.raises(ValidationError):
            services.claim_forward(claim=origin, target="CNSS-BJ", user=ml_users["liaison_officer"])
    target = forward.twin.claim
    assert (target.organisation.code, target.person, target.status) == (
        "CNSS-BJ",
        example["abroad"],
        ClaimStatus.OPENED,
    )
    # The claim lodged in Mali is the claim at CNSS-BJ too: same date, origin's reference.
    assert (target.claim_date, target.origin_reference) == (claim_date, origin.reference)
    attached = ClaimForeignPeriods.unscoped.get(claim=target)
    assert (attached.source_organisation.code, attached.months) == ("INPS-ML", ML_MONTHS)

    # 5. CNSS-BJ computes and decides its own share: 40,000 a month; the decision goes back.
    with tenant_scope(example["bj"]):
        bj_liquidation = _decide(target, bj_users)
    assert (bj_liquidation.eligible, bj_liquidation.monthly_amount) == (True, D(40000))
    assert (bj_liquidation.insured_months, bj_liquidation.reference_salary) == (216, D(200000))
    assert bj_liquidation.inputs["coordination"]["share"] == "120/216"
    forward.refresh_from_db()
    assert forward.status == MessageStatus.DONE
    received_decision = LiaisonMessage.unscoped.get(
        organisation=example["ml"], direction=Direction.INCOMING, kind=MessageKind.DECISION
    )
    assert received_decision.claim == origin
    assert {
        k: received_decision.payload[k]
        for k in ("reference", "status", "monthly_amount", "own_months", "total_months")
    } == {
        "reference": target.reference,
        "status": "approved",
        "monthly_amount": "40000",
        "own_months": 120,
        "total_months": 216,
    }
    assert received_decision.payload["start_date"] == bj_liquidation.start_date.isoformat()
    with tenant_scope(example["bj"]):
        assert services.decision_send(claim=target, user=bj_users["liaison_officer"]) == []

    # 6. INPS-ML decides its own share; its decision goes to CNSS-BJ.
    with tenant_scope(example["ml"]):
        origin.refresh_from_db()
        for doc in origin.documents.filter(required=True):
            claims.claim_document_set(
                claim=origin, code=doc.code, received=True, user=ml_users["officer"], reference="P"
            )
        claims.claim_submit(claim=origin, user=ml_users["officer"])
        claim_decisions.claim_approve(claim=origin, user=ml_users["director"])
    assert _rows(origin, MessageKind.DECISION) == [
        ("INPS-ML", "incoming", "pending"),
        ("INPS-ML", "outgoing", "pending"),
    ]
    assert _rows(target, MessageKind.DECISION) == [
        ("CNSS-BJ", "incoming", "pending"),
        ("CNSS-BJ", "outgoing", "pending"),
    ]
    to_bj = LiaisonMessage.unscoped.get(
        organisation=example["bj"], direction=Direction.INCOMING, kind=MessageKind.DECISION
    )
    assert (to_bj.claim, to_bj.payload["monthly_amount"]) == (target, "28000")

    # 7. The summary the claimant receives from INPS-ML lists both decisions.
    with tenant_scope(example["ml"]):
        summary = claim_summary(origin)
    assert summary.total_months == 216
    assert [
        (line.organisation_code, line.state, line.monthly_amount, line.own_months)
        for line in summary.lines
    ] == [("INPS-ML", "decided", D(28000), 96), ("CNSS-BJ", "decided", D(40000), 120)]
    assert summary.monthly_total == D(68000)
    assert summary.complete

    # 8. The messages' pages show the days as dd/mm/yyyy, in French and in English.
    pages = (
        (bj_users["liaison_officer"], forward.twin_id, claim_date),
        (ml_users["liaison_officer"], received_decision.pk, bj_liquidation.start_date),
    )
    for language in ("fr", "en"):
        client.cookies["django_language"] = language
        for user, pk, day in pages:
            client.force_login(user)
            url = reverse("exchange-message-detail", kwargs={"pk": pk})
            page = client.get(url).content.decode()
            assert f"{day:%d/%m/%Y}" in page and day.isoformat() not in page, (language, pk)
    assert "40 000 FCFA" in page
