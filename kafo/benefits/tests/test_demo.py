"""The benefits demo step: pensioners with careers declared over the years, and claims in
every state, made through the real services."""

import time

import pytest

from kafo.benefits.demo import DELEGATION_CEILING, benefits_demo_seed
from kafo.benefits.models import Claim, ClaimStatus, Liquidation
from kafo.benefits.services import benefits_seed
from kafo.contributions.models import Declaration
from kafo.rules.services import rules_seed


@pytest.fixture
def agents(zone, make_user):
    rules_seed()
    benefits_seed()
    org = zone["INPS-ML"]
    for role in ("benefits_officer", "approver", "director", "payment_officer"):
        make_user(org, role)
    return org


def test_demo_step_makes_claims_in_every_state_from_real_careers(agents):
    started = time.perf_counter()
    counts = benefits_demo_seed(organisation_codes=("INPS-ML",))
    elapsed = time.perf_counter() - started
    assert counts == {
        "INPS-ML": {
            "opened": 1,
            "computed": 1,
            "submitted": 2,
            "approved": 2,  # one pension, one old-age allowance (short career)
            "rejected": 1,
            "in_payment": 2,
        }
    }
    assert set(Claim.unscoped.values_list("status", flat=True)) == set(ClaimStatus.values)
    # the careers are declarations: 26 years, three employers
    declarations = Declaration.unscoped.filter(organisation=agents)
    assert declarations.values("employer").distinct().count() == 3
    assert declarations.order_by("period").first().period == "2000-01"
    paid = Liquidation.unscoped.filter(claim__status=ClaimStatus.IN_PAYMENT)
    assert paid.count() == 2 and all(liq.frozen and liq.insured_months > 250 for liq in paid)
    # the approver's queue has a claim; the one above their delegation waits for the director
    waiting = [
        c.liquidations.get().monthly_amount
        for c in Claim.unscoped.filter(status=ClaimStatus.SUBMITTED).order_by("pk")
    ]
    assert waiting[0] <= DELEGATION_CEILING < waiting[1]
    assert Claim.unscoped.filter(approved_under__isnull=False).count() >= 2
    assert elapsed < 20


def test_demo_step_runs_once_and_skips_an_organisation_without_its_agents(agents, zone):
    benefits_demo_seed(organisation_codes=("INPS-ML",))
    before = Claim.unscoped.count()
    assert benefits_demo_seed(organisation_codes=("INPS-ML", "CNPS-CI")) == {}
    assert Claim.unscoped.count() == before
