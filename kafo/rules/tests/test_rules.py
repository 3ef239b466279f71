import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kafo.audit.models import AuditEvent
from kafo.rules import selectors, services
from kafo.rules.models import ContributionRate, DeclarationRule, PenaltyRule

D = Decimal


@pytest.fixture
def seeded(zone):
    services.rules_seed()
    return zone


def test_seed_covers_every_organisation_and_is_idempotent(seeded):
    for code, org in seeded.items():
        assert ContributionRate.objects.filter(organisation=org).exists(), code
        assert PenaltyRule.objects.filter(organisation=org).exists(), code
        assert DeclarationRule.objects.filter(organisation=org).exists(), code
    count = ContributionRate.objects.count()
    assert services.rules_seed() == 0
    assert ContributionRate.objects.count() == count


def test_every_seeded_row_has_a_source_and_assumptions_have_notes(seeded):
    for model in (ContributionRate, PenaltyRule, DeclarationRule):
        for r in model.objects.all():
            assert r.source
            if r.assumption:
                assert r.note


def test_assumption_marks_kept(seeded):
    ci = seeded["CNPS-CI"]
    fam = ContributionRate.objects.get(organisation=ci, branch="family", component="allowances")
    assert fam.assumption is True and "SMIG" in fam.note
    pension = ContributionRate.objects.get(organisation=ci, branch="old_age")
    assert pension.assumption is False
    assert pension.ceiling == D(3375000)
    late = PenaltyRule.objects.get(organisation=seeded["INPS-ML"], kind="late_payment")
    assert late.assumption is True and late.percent_per_day == D("0.05")


def test_in_force_picks_the_version_of_the_date(seeded):
    cmss = seeded["CMSS-ML"]
    rates = {
        on: ContributionRate.objects.filter(organisation=cmss, branch="old_age")
        .in_force(on=on)
        .get()
        .employer_rate
        for on in (dt.date(2018, 12, 31), dt.date(2019, 1, 1), dt.date(2026, 5, 1))
    }
    assert rates == {
        dt.date(2018, 12, 31): D(8),
        dt.date(2019, 1, 1): D(13),
        dt.date(2026, 5, 1): D(13),
    }
    assert not ContributionRate.objects.filter(organisation=cmss).in_force(on=dt.date(1999, 1, 1))


def test_in_force_keeps_one_row_per_risk_class(seeded):
    ml = seeded["INPS-ML"]
    rows = ContributionRate.objects.filter(organisation=ml).in_force(on=dt.date(2026, 1, 1))
    assert sorted(rows.filter(branch="work_injury").values_list("risk_class", "employer_rate")) == [
        (1, D(1)),
        (2, D(2)),
        (3, D(3)),
        (4, D(4)),
    ]
    assert rows.count() == 7


def test_bf_ceiling_changes_on_its_start_date(seeded):
    bf = seeded["CNSS-BF"].pk
    before = selectors.rates_in_force(organisation_id=bf, on=dt.date(2023, 12, 1))
    after = selectors.rates_in_force(organisation_id=bf, on=dt.date(2024, 1, 1))
    assert {r.ceiling for r in before} == {D(600000)}
    assert {r.ceiling for r in after} == {D(800000)}


def test_new_version_is_a_new_row_and_history_is_untouched(seeded):
    ne = seeded["CNSS-NE"]
    old = ContributionRate.objects.get(organisation=ne, branch="old_age")
    start = dt.date.today() + dt.timedelta(days=30)
    new = services.rule_version_add(
        organisation=ne,
        kind="rate",
        data={
            "branch": "old_age",
            "component": "pension",
            "employer_rate": "6.5",
            "employee_rate": "5.25",
            "ceiling": 500000,
            "effective_from": start,
            "source": "décret test",
        },
    )
    old.refresh_from_db()
    assert old.employer_rate == D("6.25")
    assert new.pk != old.pk
    in_force_today = ContributionRate.objects.filter(organisation=ne, branch="old_age").in_force(
        on=dt.date.today()
    )
    assert in_force_today.get().pk == old.pk
    assert (
        ContributionRate.objects.filter(organisation=ne, branch="old_age")
        .in_force(on=start)
        .get()
        .pk
        == new.pk
    )
    assert AuditEvent.unscoped.filter(
        object_type="contributionrate", object_id=str(new.pk)
    ).exists()


def test_backdated_version_refused_and_nothing_saved(seeded):
    ne = seeded["CNSS-NE"]
    count = ContributionRate.objects.count()
    with pytest.raises(ValidationError) as err:
        services.rule_version_add(
            organisation=ne,
            kind="rate",
            data={
                "branch": "old_age",
                "component": "pension",
                "employer_rate": "7",
                "effective_from": dt.date(2020, 1, 1),
                "source": "x",
            },
        )
    assert "effective_from" in err.value.message_dict
    assert ContributionRate.objects.count() == count


def test_update_refused_for_a_version_in_force(seeded):
    rule = ContributionRate.objects.get(organisation=seeded["CNSS-NE"], branch="family")
    with pytest.raises(ValidationError):
        services.rule_version_update(rule=rule, data={"employer_rate": "9"})
    rule.refresh_from_db()
    assert rule.employer_rate == D("8.40")


def test_update_allowed_for_a_future_version(seeded):
    ne = seeded["CNSS-NE"]
    future = services.rule_version_add(
        organisation=ne,
        kind="penalty",
        data={
            "kind": "late_payment",
            "percent_per_day": "0.1",
            "effective_from": dt.date.today() + dt.timedelta(days=10),
            "source": "x",
        },
    )
    services.rule_version_update(rule=future, data={"percent_per_day": "0.08"})
    future.refresh_from_db()
    assert future.percent_per_day == D("0.08")


def test_branch_not_managed_refused(seeded):
    with pytest.raises(ValidationError) as err:
        services.rule_version_add(
            organisation=seeded["IPRES-SN"],
            kind="rate",
            data={
                "branch": "family",
                "component": "x",
                "employer_rate": "1",
                "effective_from": dt.date.today(),
                "source": "x",
            },
        )
    assert "branch" in err.value.message_dict
