"""The set-based liquidation on careers stored by the real declaration import: it reads what the
ORM reads (declarations in force only, two employers in a month summed, corrected months as
corrected), answers what compute_old_age answers, and refuses another organisation's scope."""

import datetime as dt
from decimal import Decimal as D

import polars as pl
import pytest

from kafo.benefits.bulk import Claim, career_lines_of, liquidate
from kafo.benefits.domain.career import period_of
from kafo.benefits.domain.pension import Claimant, compute_old_age
from kafo.benefits.selectors import rule_in_force
from kafo.benefits.services import benefits_seed
from kafo.contributions.models import DeclarationLine, DeclarationStatus
from kafo.contributions.services import import_frame
from kafo.organisations.tenancy import tenant_scope
from kafo.registry.tests import factories
from kafo.rules.services import rules_seed

ON = dt.date(2026, 1, 15)


def _frame(rows):
    return pl.DataFrame(
        [{k: str(v) for k, v in r.items()} for r in rows],
        schema={
            c: pl.Utf8
            for c in (
                "employer_number",
                "period",
                "worker_number",
                "family_name",
                "given_names",
                "days_worked",
                "gross_salary",
            )
        },
    )


def _line(employer, person, period, salary, days=None):
    if days is None:  # a full month: 30 days, February 28 (days beyond the month are refused)
        days = 28 if period.endswith("-02") else 30
    return {
        "employer_number": employer.number,
        "period": period,
        "worker_number": person.number,
        "family_name": person.family_name,
        "given_names": person.given_names,
        "days_worked": days,
        "gross_salary": salary,
    }


@pytest.fixture
def careers(zone):
    rules_seed()
    benefits_seed()
    org = zone["INPS-ML"]
    first, second = factories.employer(org), factories.employer(org, legal_name="Sotelma")
    a = factories.person(org, birth_date=dt.date(1961, 2, 3))
    b = factories.person(org, family_name="Traoré", birth_date=dt.date(1960, 5, 1))
    c = factories.person(
        org, family_name="Diarra", given_names="Awa", sex="F", birth_date=dt.date(1968, 3, 1)
    )
    d = factories.person(org, family_name="Keita", birth_date=dt.date(1950, 1, 1))
    rows = []
    for i in range(2005 * 12, 2026 * 12):  # 2005-01 to 2025-12: 252 months
        p = period_of(i)
        rows.append(_line(first, a, p, 300_000, 10 if i % 7 == 0 else None))
        rows.append(_line(first, b, p, 200_000))
        if i >= 2018 * 12:
            rows.append(_line(second, c, p, 150_000))
    rows.append(_line(second, a, "2025-06", 50_000, 5))  # a second employer that month
    import_frame(frame=_frame(rows), organisation=org, today=ON, migration=True)
    # December corrected: a was paid 600,000; the first declaration no longer counts
    fix = [_line(first, a, "2025-12", 600_000), _line(first, b, "2025-12", 200_000)]
    import_frame(frame=_frame(fix), organisation=org, kind="corrective", today=ON, migration=True)
    return org, a, b, c, d


def _orm(org, claim: Claim):
    rules = rule_in_force(organisation=org, kind="old_age", on=claim.on)
    if rules is None:
        return None
    rows = DeclarationLine.objects.filter(
        person_id=claim.person_id, declaration__status=DeclarationStatus.IN_FORCE
    ).values_list("declaration__period", "gross_salary", "days_worked")
    return compute_old_age(
        rules.rules(), career_lines_of(org.code, rows), claim.claimant, on=claim.on
    )


def test_set_based_reads_and_answers_as_the_orm_path(careers):
    org, a, b, c, d = careers
    claims = [
        Claim(a.pk, ON, Claimant(a.birth_date, "M")),
        Claim(b.pk, ON, Claimant(b.birth_date, "M")),
        Claim(b.pk, dt.date(2019, 1, 1), Claimant(b.birth_date, "M")),  # before the 2019 rules
        Claim(c.pk, ON, Claimant(c.birth_date, "F", children_born=3)),
        Claim(d.pk, ON, Claimant(d.birth_date, "M")),
    ]
    with tenant_scope(org):
        got = liquidate(organisation=org, claims=claims)
        want = [_orm(org, claim) for claim in claims]
    assert got.select("benefit", "monthly_amount", "insured_months", "reference_salary").rows() == [
        # 252 months, 36 of them under 18 days (every 7th), one of which (December 2025) the
        # corrective brings to 30: 217 insured, 26 + 2 × 8 = 42 %. The last 96 months:
        # (94 × 300,000 + 350,000 + 600,000) / 96 = 303,645.83 → 303,646; × 42 % → 127,531
        ("pension", 127_531, 217, 303_646),
        ("pension", 96_000, 252, 200_000),  # 200,000 × (26 + 2 × 11) % = 96,000
        ("none", None, None, None),
        ("old_age_allowance", 20_800, 96, None),  # age 55 (58 - 3 children): 52 % of 40,000
        ("none", None, 0, None),
    ]
    assert got["path"].to_list() == ["set", "set", "no_rule", "set", "set"]
    for row, w in zip(got.iter_rows(named=True), want, strict=True):
        if w is None:
            continue
        assert (
            row["eligible"],
            row["benefit"],
            row["monthly_amount"],
            row["lump_sum_amount"],
            row["insured_months"],
            row["reference_salary"],
            row["rate"],
        ) == (
            w.eligible,
            w.benefit,
            w.monthly_amount,
            w.lump_sum_amount,
            w.insured_months,
            w.reference_salary,
            w.rate,
        )
    assert got["rate"][1] == D(48)


def test_another_organisations_scope_is_refused(careers, zone):
    org, a, *_ = careers
    with tenant_scope(zone["CNSS-BJ"]), pytest.raises(PermissionError):
        liquidate(organisation=org, claims=[Claim(a.pk, ON, Claimant(a.birth_date, "M"))])
