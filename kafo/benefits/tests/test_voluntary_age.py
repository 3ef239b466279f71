"""The pension age of the voluntarily insured (benefits.md §2: INPS-ML, "voluntarily insured: 60
with 15 years"; §7: CNSS-BF, 56): a versioned, sourced rule parameter `age.voluntary_age`, used
for a claimant whose last month of insurance was paid as voluntary insurance (kafo.voluntary).
Before it, a voluntary member of INPS-ML retired at the salaried 58."""

import datetime as dt
from decimal import Decimal as D

import pytest

from kafo.benefits import claims
from kafo.benefits.domain.pension import Claimant, normal_age_of
from kafo.benefits.models import BenefitKind
from kafo.benefits.selectors import rule_in_force
from kafo.benefits.services import benefits_seed
from kafo.benefits.tests.test_claims import declare, months
from kafo.registry.tests.factories import employer as make_employer
from kafo.registry.tests.factories import person as make_person
from kafo.rules.services import rules_seed
from kafo.voluntary import brackets, services
from kafo.voluntary.tests.test_membership import QUARTER_T2

ON = dt.date(2026, 1, 15)


@pytest.fixture
def seeded(zone):
    rules_seed()
    benefits_seed()
    return zone


def _rules(org):
    return rule_in_force(organisation=org.pk, kind=BenefitKind.OLD_AGE, on=ON).rules()


def test_the_rules_give_the_voluntary_age_with_its_source(seeded):
    rules = _rules(seeded["INPS-ML"])
    born = dt.date(1966, 3, 10)
    assert normal_age_of(rules, Claimant(birth_date=born)) == 58
    assert normal_age_of(rules, Claimant(birth_date=born, voluntary=True)) == 60
    assert normal_age_of(rules, Claimant(birth_date=born, voluntary=True, category="B")) == 60
    cited = rules.cite("age.voluntary_age", 60)
    assert "votresalaire.org/mali" in cited.source and cited.assumption
    assert normal_age_of(_rules(seeded["CNSS-BF"]), Claimant(birth_date=born, voluntary=True)) == 56


def test_the_voluntary_age_agrees_with_the_voluntary_table(seeded):
    """kafo/voluntary/reference/voluntary.yaml names the same ages (one reading of §2 and §7)."""
    for code in brackets.offering_organisations():
        table = brackets.table_in_force(code, ON)
        rules = _rules(seeded[code])
        voluntary = Claimant(birth_date=dt.date(1966, 1, 1), voluntary=True)
        assert normal_age_of(rules, voluntary) == table.pension_age, code


def _normal_age_step(claim):
    liquidation = claims.current_liquidation(claim)
    [step] = [s for s in liquidation.trace if s["code"] == "normal_age"]
    return int(step["result"]), [p["name"] for p in step["params"]], liquidation


def test_a_career_ending_voluntary_retires_at_the_voluntary_age(seeded, make_user):
    """A Malian born 01/06/1967 (58 on 15/01/2026) declared salaried 2010-2024 at 100,000, then
    a voluntary member paying 2025-Q1 (60,000): his career ends voluntary, so INPS-ML's age is
    60 (not 58). Before the quarter is paid, his career ends salaried: 58."""
    org = seeded["INPS-ML"]
    officer = make_user(org, "benefits_officer")
    person = make_person(org, "Keita", "Bakary", birth_date=dt.date(1967, 6, 1))
    declare(org, make_employer(org), person, months("2010-01", "2024-12"), 100000)
    membership = services.membership_join(
        person=person,
        on=dt.date(2025, 1, 10),
        kind="self_employed",
        bracket="T2",
        frequency="quarterly",
    )
    salaried = claims.claim_open(person=person, kind="pension", claim_date=ON, user=officer)
    claims.claim_compute(claim=salaried, user=officer)
    age, params, liquidation = _normal_age_step(salaried)
    assert (age, params, liquidation.inputs["claimant"]["voluntary"]) == (
        58,
        ["age.normal_age"],
        False,
    )
    # 183 months, reference 98,750: 36 % = 35,550 under the minimum pension 44,397.
    assert (liquidation.benefit, liquidation.monthly_amount) == ("pension", D(44397))
    services.period_pay(
        membership=membership,
        period="2025-Q1",
        amount=QUARTER_T2,
        method="mobile_money",
        reference="MM-2025-0001",
        paid_on=dt.date(2025, 4, 10),
    )
    claims.claim_compute(claim=salaried, user=officer)
    age, params, liquidation = _normal_age_step(salaried)
    assert (age, params, liquidation.inputs["claimant"]["voluntary"]) == (
        60,
        ["age.voluntary_age"],
        True,
    )
    # 58 is two years under 60: an early pension, 5 % less a year (the minimum 44,397 × 0.90).
    assert (liquidation.benefit, liquidation.monthly_amount) == ("early_pension", D(39957))
