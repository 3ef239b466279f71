import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from kafo.audit.models import AuditEvent
from kafo.benefits import selectors, services
from kafo.benefits.models import BenefitRuleVersion


@pytest.fixture
def seeded(zone):
    assert services.benefits_seed() == 7
    return zone


def test_seed_is_idempotent_and_covers_the_required_organisations(seeded):
    assert services.benefits_seed() == 0
    assert sorted(
        BenefitRuleVersion.objects.values_list("organisation__code", "effective_from")
    ) == [
        ("CNPS-CI", dt.date(2016, 1, 1)),
        ("CNPS-CI", dt.date(2025, 11, 1)),
        ("CNPS-CM", dt.date(2000, 1, 1)),
        ("CNSS-BF", dt.date(2006, 1, 1)),
        ("CNSS-BJ", dt.date(2000, 1, 1)),
        ("INPS-ML", dt.date(2019, 7, 5)),
        ("IPRES-SN", dt.date(2019, 1, 1)),
    ]
    assert AuditEvent.unscoped.filter(object_type="benefitruleversion").count() == 7


def test_rule_in_force_switches_on_the_reform_date(seeded):
    ci = seeded["CNPS-CI"]
    before = selectors.rule_in_force(organisation=ci, kind="old_age", on=dt.date(2025, 10, 31))
    after = selectors.rule_in_force(organisation=ci, kind="old_age", on=dt.date(2025, 11, 1))
    assert before.effective_from == dt.date(2016, 1, 1)
    assert after.effective_from == dt.date(2025, 11, 1)
    assert after.rules().rate.max_percent == D(100)
    assert before.rules().rate.max_percent == D(50)
    assert (
        selectors.rule_in_force(organisation=ci, kind="old_age", on=dt.date(2015, 12, 31)) is None
    )
    history = [
        (v["version"].effective_from, v["valid_until"])
        for v in selectors.rule_versions(organisation_id=ci.pk)
    ]
    assert history == [(dt.date(2016, 1, 1), dt.date(2025, 11, 1)), (dt.date(2025, 11, 1), None)]


def test_assumptions_are_kept_with_their_notes(seeded):
    bj = selectors.rule_in_force(
        organisation=seeded["CNSS-BJ"], kind="old_age", on=dt.date(2026, 1, 1)
    )
    assert bj.assumption
    names = [a["parameter"] for a in bj.assumptions()]
    assert "short_career" in names and "rate" not in names
    assert "Hypothèses à confirmer" in bj.note
    ref = {p.name: p for p in (bj.rules().cite("rate.base_percent", D(30)),)}
    assert ref["rate.base_percent"].source.startswith("cnss.bj")
    assert not ref["rate.base_percent"].assumption


def test_malformed_parameters_are_refused_naming_the_field(seeded):
    ml = seeded["INPS-ML"]
    count = BenefitRuleVersion.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.benefit_rule_version_add(
            organisation=ml,
            kind="old_age",
            effective_from=dt.date.today() + dt.timedelta(days=30),
            parameters={
                "min_months": 156,
                "age": {"normal_age": 58},
                "rate": {"method": "increments", "base_percent": 26.5},
            },
            source="test",
        )
    assert exc.value.message_dict == {
        "parameters.rate.base_percent": ["nombre décimal attendu (écrit entre guillemets)"],
        "parameters.reference.method": [
            "valeur parmi : last_months, best_years, best_of_last_years, none"
        ],
    }
    assert BenefitRuleVersion.objects.count() == count


def test_a_backdated_version_is_refused(seeded):
    count = BenefitRuleVersion.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.benefit_rule_version_add(
            organisation=seeded["CNSS-BJ"],
            kind="old_age",
            effective_from=dt.date(2020, 1, 1),
            parameters={},
            source="test",
        )
    assert list(exc.value.message_dict) == ["effective_from"]
    assert BenefitRuleVersion.objects.count() == count
