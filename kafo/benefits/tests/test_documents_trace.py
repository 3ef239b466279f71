"""The trace made readable (kafo/benefits/trace_view.py): pure, no database."""

import datetime as dt
from decimal import Decimal as D

from kafo.benefits.domain.career import CareerLine, period_index, period_of
from kafo.benefits.domain.pension import Claimant, compute_old_age
from kafo.benefits.rules_file import reference_rules
from kafo.benefits.trace_view import formula_with_numbers, money, readable_trace, show_value


def bj_trace():
    """CNSS-BJ official example: 270 months at 50,000 → 44 % → 22,000 a month."""
    rules = reference_rules("CNSS-BJ", dt.date(2026, 1, 15))
    lines = [
        CareerLine("CNSS-BJ", period_of(i), D(50000), 26)
        for i in range(period_index("2003-07"), period_index("2025-12") + 1)
    ]
    result = compute_old_age(rules, lines, Claimant(dt.date(1965, 11, 3)), on=dt.date(2026, 1, 15))
    return result.trace.as_list()


def test_amounts_units_and_booleans():
    assert money("1.5E+5") == "150 000 FCFA"  # traces stored before fixed-point text
    assert money(D("22000")) == "22 000 FCFA"
    assert show_value("44", "percent") == "44 %"
    assert show_value(270, "months") == "270 mois"
    assert show_value(270, "months", "en") == "270 months"
    assert show_value(1, "years") == "1 an"
    assert show_value(True, "flag") == "oui"
    assert show_value(2026, "count") == "2026"  # a year is not grouped


def test_formula_gets_its_numbers_and_french_words():
    shown = {"reference_salary": "50 000 FCFA", "rate": "44 %"}
    assert (
        formula_with_numbers("round0(reference_salary * rate / 100)", shown)
        == "arrondi(50 000 FCFA × 44 % ÷ 100)"
    )
    assert formula_with_numbers("a if x >= y else b", {}, "fr") == "a si x ≥ y sinon b"


def test_the_official_example_reads_step_by_step():
    trace = readable_trace(bj_trace(), lang="fr")
    by_code = {s.code: s for s in trace.steps}
    assert by_code["age"].formula == "âge révolu du 03/11/1965 au 15/01/2026"
    assert by_code["age"].result == "60 ans"
    assert by_code["insured_months"].result == "270 mois"
    assert len(by_code["reference_total"].salaries) == 60  # the last 60 months, listed apart
    assert by_code["reference_total"].salaries[0] == ("01/2021", "50 000 FCFA")
    assert by_code["reference_total"].result == "3 000 000 FCFA"
    assert by_code["amount"].formula == "arrondi(50 000 FCFA × 44 % ÷ 100)"
    assert by_code["amount"].result == "22 000 FCFA"
    rate_inputs = {i.label: i for i in by_code["rate"].inputs}
    # an input that an earlier step gave points to that step
    assert rate_inputs["mois d'assurance"].from_step == by_code["insured_months"].number
    params = [p for s in trace.steps for p in s.params]
    assert params and all(p.version == "CNSS-BJ old_age 2000-01-01" for p in params)
    assert all(p.source for p in params)
    assert trace.result.value == "22 000 FCFA"


def test_assumptions_are_marked_and_listed_once():
    trace = readable_trace(bj_trace(), lang="en")
    marked = [p for s in trace.steps for p in s.params if p.assumption]
    assert marked  # the reference file marks some CNSS-BJ parameters as assumptions
    assert all(p.note for p in marked)
    assert len(trace.assumptions) == len({(p.name, p.version) for p in marked})
    assert trace.steps[0].label.startswith("Age on")
