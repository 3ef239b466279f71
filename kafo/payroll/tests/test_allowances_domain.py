"""Family allowance rules (kafo/payroll/domain/allowances.py) on the sourced reference file,
with dates and amounts worked out by hand."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from kafo.payroll.domain import allowances as af
from kafo.payroll.domain.allowances import Child, Document

REFERENCE = Path(af.__file__).parents[1] / "reference" / "family_allowances.yaml"
D = dt.date


@pytest.fixture(scope="module")
def rules():
    versions = af.load_reference(REFERENCE.read_text(encoding="utf-8"))
    return {code: af.rules_in_force(v, D(2026, 6, 1)) for code, v in versions.items()}


def school(rules, year, kind="school"):
    start, end = af.school_year(rules, year)
    return Document(kind, start, end)


def test_reference_file_amounts_and_marks(rules):
    assert {code: r.monthly_amount for code, r in rules.items()} == {
        "INPS-ML": Decimal(3500),
        "CSS-SN": Decimal(2500),
        "CNPS-CI": Decimal(7500),
        "CNSS-BJ": Decimal(2500),
        "CNSS-TG": Decimal(2000),
        "CNSS-NE": Decimal(1500),
        "CNPS-CM": Decimal(4500),
    }
    assert rules["CSS-SN"].max_children == 6
    assert rules["CNSS-BJ"].max_children == 6
    assert rules["INPS-ML"].max_children is None
    bands = [(b.from_age, b.until_age) for b in rules["CNPS-CI"].bands]
    assert bands == [(1, 14), (14, 18), (18, 21)]
    assert rules["CNPS-CI"].bands[2].documents == {"school", "disability"}
    assert rules["INPS-ML"].provenance["monthly_amount"].assumption is True
    assert "CONFLICT" in rules["INPS-ML"].provenance["monthly_amount"].note
    assert rules["CNPS-CI"].provenance["monthly_amount"].assumption is False
    assert rules["CNPS-CI"].provenance["school_year_start"].assumption is True


def test_the_version_in_force_is_the_latest_started():
    text = REFERENCE.read_text(encoding="utf-8")
    ci = af.load_reference(text)["CNPS-CI"]
    assert af.rules_in_force(ci, D(2023, 12, 31)) is None  # 5,000 before 2024 is not seeded
    assert af.rules_in_force(ci, D(2024, 1, 1)).monthly_amount == Decimal(7500)


def test_birthdays_ages_and_school_years(rules):
    assert af.birthday(D(2008, 2, 29), 14) == D(2022, 3, 1)
    assert af.birthday(D(2008, 2, 29), 16) == D(2024, 2, 29)
    assert af.age_on(D(2012, 3, 15), D(2026, 3, 14)) == 13
    assert af.age_on(D(2012, 3, 15), D(2026, 3, 15)) == 14
    ci = rules["CNPS-CI"]
    assert af.school_year(ci, 2026) == (D(2026, 9, 1), D(2027, 8, 31))
    assert af.school_year_of(ci, D(2026, 8, 31)) == 2025
    assert af.school_year_of(ci, D(2026, 9, 1)) == 2026
    assert af.school_year(rules["INPS-ML"], 2026) == (D(2026, 10, 1), D(2027, 9, 30))


def test_a_child_turning_14_stops_at_the_end_of_the_month_at_inps_ml(rules):
    ml = rules["INPS-ML"]
    child = Child(1, D(2012, 3, 15))
    [right] = af.family_rights(ml, [child], {}, work_met=True, on=D(2026, 3, 1))
    assert right.paid and right.monthly_amount == Decimal(3500)
    assert right.end == af.RightEnd(D(2026, 4, 1), af.AGE_LIMIT, birthday=D(2026, 3, 15))
    assert right.end.last_day_paid == D(2026, 3, 31)
    [after] = af.family_rights(ml, [child], {}, work_met=True, on=D(2026, 4, 1))
    assert (after.paid, after.reason) == (False, af.DOCUMENT_MISSING)
    assert after.since == D(2026, 3, 15)


def test_a_child_born_on_the_first_stops_on_that_first_at_inps_ml(rules):
    # counted on the 1st of the month: 14 on 1 March is not counted for March
    end = af.right_end(rules["INPS-ML"], Child(1, D(2012, 3, 1)), [], D(2026, 2, 10))
    assert end == af.RightEnd(D(2026, 3, 1), af.AGE_LIMIT, birthday=D(2026, 3, 1))


def test_an_orphan_passing_the_age_limit_stops_on_the_birthday_at_cnps_ci(rules):
    ci = rules["CNPS-CI"]
    child = Child(7, D(2012, 11, 20))
    end = af.right_end(ci, child, [], D(2026, 10, 1))
    assert end == af.RightEnd(D(2026, 11, 20), af.AGE_LIMIT, birthday=D(2026, 11, 20))
    assert end.last_day_paid == D(2026, 11, 19)
    # the next band's document recorded: paid on through the school year
    docs = [school(ci, 2026)]
    assert af.right_end(ci, child, docs, D(2026, 10, 1)) == af.RightEnd(
        D(2027, 9, 1), af.DOCUMENT_MISSING
    )


def test_the_21_band_is_kept_with_a_school_document_and_stopped_without(rules):
    ci = rules["CNPS-CI"]
    child = Child(3, D(2008, 5, 10))
    apprentice = [school(ci, 2025, kind="apprenticeship")]
    # an apprentice at 17: the apprenticeship does not open the 18-21 band
    end = af.right_end(ci, child, apprentice, D(2026, 1, 15))
    assert end == af.RightEnd(D(2026, 5, 10), af.AGE_LIMIT, birthday=D(2026, 5, 10))
    [at_18] = af.family_rights(ci, [child], {3: apprentice}, work_met=True, on=D(2026, 5, 10))
    assert (at_18.paid, at_18.reason) == (False, af.DOCUMENT_MISSING)
    # a pupil: kept past 18 until the school year's end, then each renewal, until 21
    pupil = [school(ci, 2025)]
    assert af.right_end(ci, child, pupil, D(2026, 1, 15)) == af.RightEnd(
        D(2026, 9, 1), af.DOCUMENT_MISSING
    )
    renewed = [school(ci, y) for y in (2025, 2026, 2027, 2028)]
    assert af.right_end(ci, child, renewed, D(2026, 1, 15)) == af.RightEnd(
        D(2029, 5, 10), af.AGE_LIMIT, birthday=D(2029, 5, 10)
    )
    [at_20] = af.family_rights(ci, [child], {3: renewed}, work_met=True, on=D(2029, 5, 9))
    assert at_20.paid and at_20.document == renewed[3] and at_20.band.until_age == 21
    [at_21] = af.family_rights(ci, [child], {3: renewed}, work_met=True, on=D(2029, 5, 10))
    assert (at_21.paid, at_21.reason) == (False, af.AGE_LIMIT)


def test_a_disability_document_with_its_own_dates(rules):
    ci = rules["CNPS-CI"]
    child = Child(4, D(2010, 1, 1))
    docs = [Document("disability", D(2023, 6, 1), None)]
    end = af.right_end(ci, child, docs, D(2026, 1, 1))
    assert end == af.RightEnd(D(2031, 1, 1), af.AGE_LIMIT, birthday=D(2031, 1, 1))


def test_the_maximum_number_of_children_pays_the_eldest(rules):
    sn = rules["CSS-SN"]
    on = D(2026, 7, 1)
    # seven children of 3 to 9 years (CSS-SN pays from 2, at most 6)
    kids = [Child(k, D(2017 + k // 2, 1 + k, 1)) for k in range(7)]
    too_young = Child(99, D(2025, 1, 1))
    rights = af.family_rights(sn, [too_young, *kids], {}, work_met=True, on=on)
    assert [(r.key, r.paid, r.reason) for r in rights] == [
        (99, False, af.TOO_YOUNG),
        (0, True, None),
        (1, True, None),
        (2, True, None),
        (3, True, None),
        (4, True, None),
        (5, True, None),
        (6, False, af.MAX_CHILDREN),
    ]
    assert sum(r.monthly_amount for r in rights) == Decimal(15000)  # 6 × 2,500


def test_no_work_no_allowance(rules):
    rights = af.family_rights(
        rules["CNPS-CI"], [Child(1, D(2020, 1, 1))], {}, work_met=False, on=D(2026, 1, 1)
    )
    assert [(r.paid, r.reason, r.monthly_amount) for r in rights] == [
        (False, af.NO_WORK, Decimal(0))
    ]


@pytest.mark.parametrize(
    "days, met",
    [
        ({(2026, 2): 18}, True),
        ({(2025, 12): 25}, True),
        ({(2026, 2): 17}, False),
        ({(2026, 3): 26}, False),  # the month of the date itself is not in the window
        ({(2025, 11): 30}, False),  # four months before
        ({}, False),
    ],
)
def test_a_month_of_work_in_the_three_before(rules, days, met):
    assert af.work_condition_met(rules["INPS-ML"], days, D(2026, 3, 10)) is met


def test_a_malformed_version_names_each_field():
    with pytest.raises(af.RuleError) as error:
        af.parse_rules(
            {
                "monthly_amount": "2500.5",
                "min_age": 0,
                "bands": [
                    {"from_age": 0, "until_age": 14, "documents": []},
                    {"from_age": 15, "until_age": 18, "documents": ["diploma"]},
                ],
                "stop_at": "birthday",
                "school_year_start": {"month": 2, "day": 30},
            },
            organisation="X",
            valid_from=D(2020, 1, 1),
        )
    assert set(error.value.errors) == {
        "monthly_amount",
        "bands[1].from_age",
        "bands[1].documents",
        "school_year_start",
    }
    assert error.value.errors["bands[1].from_age"] == "15 : la tranche doit commencer à 14"


def test_coverage_starts_at_the_band_or_the_document(rules):
    ci, ml = rules["CNPS-CI"], rules["INPS-ML"]
    child = Child(1, D(2012, 11, 20))
    # CNPS-CI pays from 1 year: covered since the first birthday
    assert af.covered_since(ci, child, [], D(2026, 1, 5)) == D(2013, 11, 20)
    # INPS-ML counts on the 1st of the month: from 1 December
    assert af.covered_since(ml, child, [], D(2026, 1, 5)) == D(2013, 12, 1)
    # at 14 without the document: not covered; the document brought late covers from 1 September
    assert af.covered_since(ci, child, [], D(2026, 12, 1)) is None
    assert af.covered_since(ci, child, [school(ci, 2026)], D(2026, 12, 1)) == D(2013, 11, 20)
    # a school year missed: the coverage restarts with the next year's document
    docs = [school(ci, 2026), school(ci, 2028)]
    assert af.covered_since(ci, child, docs, D(2028, 10, 1)) == D(2028, 9, 1)
