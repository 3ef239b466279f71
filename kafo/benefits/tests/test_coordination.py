"""Totalisation and pro-rata under the CIPRES convention: worked examples computed by hand.

No database: the pension rules come from reference/benefits.yaml and the convention's
parameters from reference/cipres.yaml, parsed by the pure domain. Every example also checks
that its trace recomputes, the last step giving the amount due.
"""

import datetime as dt
from decimal import Decimal as D

import pytest

from kafo.benefits.coordination_rules import convention_in_force
from kafo.benefits.domain.coordination import (
    BELOW_MINIMUM,
    INDEPENDENT,
    PRORATA,
    ForeignPeriods,
    compute_coordinated,
    parse_convention,
)
from kafo.benefits.domain.pension import Claimant
from kafo.benefits.domain.rules import RuleError
from kafo.benefits.rules_file import reference_rules
from kafo.benefits.tests.test_worked_examples import assert_trace_recomputes, career

ON = dt.date(2026, 6, 15)
BORN = dt.date(1966, 3, 10)  # 60 on 10/03/2026: past INPS-ML's 58 and CNSS-BJ's 60
STATES = {"INPS-ML": "ML", "CNSS-BJ": "BJ"}


def months_of(lines):
    return tuple(line.period for line in lines)


def coordinated(org, lines, others, *, born=BORN, on=ON, states=STATES):
    """What `org` pays with its `lines`, the other organisations' lines given as `others`."""
    return compute_coordinated(
        reference_rules(org, on),
        lines,
        Claimant(born, "M"),
        on=on,
        state=states[org],
        foreign=[
            ForeignPeriods(o, states[o], months_of(ls), f"REP-{o}") for o, ls in others.items()
        ],
        convention=convention_in_force(on),
    )


# The issue's example: 8 years in Cotonou (2001-2010), then 8 years in Bamako (2011-2018).
BJ_120 = career("CNSS-BJ", "2001-01", "2010-12", 200000, 26)
ML_96 = career("INPS-ML", "2011-01", "2018-12", 150000, 26)


def test_issue_example_96_months_in_mali_and_120_in_benin():
    """INPS-ML 96 months (reference 150,000), CNSS-BJ 120 months (RMM 200,000): 216 in all.

    Neither part alone opens the right: 96 < 156 (INPS-ML), 120 < 180 (CNSS-BJ). Alone, INPS-ML
    would pay its old-age allowance (52 % of the SMIG 40,000 = 20,800 a month: at least 72
    months) and CNSS-BJ its lump sum (200,000 × 10 complete years = 2,000,000).
    Totalised, 216 ≥ 156 and 216 ≥ 180:
    - INPS-ML: rate 26 % + 2 % × ⌊(216 − 120) ÷ 12⌋ = 26 + 16 = 42 %; reference = its own last
      96 months = 150,000; theoretical 63,000 (above the minimum 44,397); share 96 ÷ 216 →
      63,000 × 96 ÷ 216 = 28,000 a month.
    - CNSS-BJ: rate 30 % + 2 % × ⌊(216 − 180) ÷ 12⌋ = 36 %; RMM = its own last 60 months =
      200,000; theoretical 72,000; share 120 ÷ 216 → 40,000 a month.
    """
    ml = coordinated("INPS-ML", ML_96, {"CNSS-BJ": BJ_120})
    assert (ml.independent.benefit, ml.independent.monthly_amount) == (
        "old_age_allowance",
        D(20800),
    )
    assert (ml.theoretical.insured_months, ml.theoretical.rate) == (216, D(42))
    assert (ml.theoretical.reference_salary, ml.theoretical.monthly_amount) == (D(150000), D(63000))
    assert (ml.own_months, ml.total_months, ml.basis) == (96, 216, PRORATA)
    assert (ml.benefit, ml.monthly_amount, ml.prorata_amount) == ("pension", D(28000), D(28000))
    assert ml.eligible and ml.reasons == []
    assert_trace_recomputes(ml.trace, D(28000))

    bj = coordinated("CNSS-BJ", BJ_120, {"INPS-ML": ML_96})
    assert (bj.independent.benefit, bj.independent.lump_sum_amount) == ("lump_sum", D(2000000))
    assert (bj.theoretical.rate, bj.theoretical.monthly_amount) == (D(36), D(72000))
    assert (bj.own_months, bj.total_months, bj.basis) == (120, 216, PRORATA)
    assert (bj.benefit, bj.monthly_amount, bj.lump_sum_amount) == ("pension", D(40000), None)
    assert_trace_recomputes(bj.trace, D(40000))


def test_trace_shows_both_computations_the_totalised_months_and_the_share():
    """The trace's parts: the independent computation, the theoretical one (convention in
    force for both states, the months each organisation adds), then the share; the convention's
    rules are cited with their assumption mark."""
    ml = coordinated("INPS-ML", ML_96, {"CNSS-BJ": BJ_120})
    sections = [s.section for s in ml.trace.steps]
    assert sections == sorted(sections, key=["independent", "theoretical", "share"].index)
    by_code = {(s.section, s.code): s for s in ml.trace.steps}
    assert by_code[("independent", "insured_months")].result == 96
    assert by_code[("theoretical", "convention_in_force_BJ")].result is True
    assert by_code[("theoretical", "foreign_months_0")].inputs == {
        "months_communicated": 120,
        "months_already_counted": 0,
    }
    assert by_code[("theoretical", "insured_months")].formula == (
        "own_insured_months + foreign_months_0"
    )
    prorata = by_code[("share", "prorata")]
    assert prorata.inputs == {
        "theoretical_amount": D(63000),
        "own_insured_months": 96,
        "insured_months": 216,
    }
    cited = {p.name: p for p in prorata.params}
    assert cited["cipres.prorata"].assumption
    assert cited["cipres.prorata"].version == "CIPRES 2006-02-26"
    in_force = {p.name: p.value for p in by_code[("theoretical", "convention_in_force_BJ")].params}
    assert in_force == {"cipres.in_force.ML": "31/12/2012", "cipres.in_force.BJ": "31/12/2014"}
    assert ml.summary() | {"counted": ml.counted} == {
        "convention_version": "CIPRES 2006-02-26",
        "basis": "prorata",
        "own_months": 96,
        "total_months": 216,
        "share": "96/216",
        "independent_amount": "20800",
        "independent_benefit": "old_age_allowance",
        "theoretical_amount": "63000",
        "prorata_amount": "28000",
        "counted": ("CNSS-BJ",),
        "not_counted": [],
    }


def test_own_months_suffice_the_higher_of_independent_and_prorata():
    """INPS-ML 180 months (reference 150,000) and CNSS-BJ 60 months (RMM 200,000): 240.

    INPS-ML's own 180 ≥ 156 open the right alone: independent 26 + 2 × ⌊60 ÷ 12⌋ = 36 % →
    54,000. Theoretical on 240: 26 + 2 × 10 = 46 % → 69,000; share 69,000 × 180 ÷ 240 =
    51,750. The higher: 54,000 (the independent amount).
    CNSS-BJ's 60 < 180: theoretical 30 + 2 × ⌊60 ÷ 12⌋ = 40 % × 200,000 = 80,000; share
    80,000 × 60 ÷ 240 = 20,000.
    """
    ml_180 = career("INPS-ML", "2004-01", "2018-12", 150000, 26)
    bj_60 = career("CNSS-BJ", "1999-01", "2003-12", 200000, 26)
    ml = coordinated("INPS-ML", ml_180, {"CNSS-BJ": bj_60})
    assert (ml.independent.monthly_amount, ml.prorata_amount) == (D(54000), D(51750))
    assert (ml.basis, ml.benefit, ml.monthly_amount, ml.rate) == (
        INDEPENDENT,
        "pension",
        D(54000),
        D(36),
    )
    assert ml.trace.steps[-1].formula == "max(independent_amount, prorata)"
    assert_trace_recomputes(ml.trace, D(54000))
    bj = coordinated("CNSS-BJ", bj_60, {"INPS-ML": ml_180})
    assert (bj.basis, bj.monthly_amount) == (PRORATA, D(20000))
    assert_trace_recomputes(bj.trace, D(20000))


def test_own_months_suffice_and_the_share_is_higher():
    """CNSS-BJ 200 months (RMM 100,000), INPS-ML 100 months: 300 in all.

    Independent: 30 + 2 × ⌊20 ÷ 12⌋ = 32 % → 32,000. Theoretical: 30 + 2 × ⌊120 ÷ 12⌋ = 50 %
    → 50,000; share 50,000 × 200 ÷ 300 = 33,333.33 → 33,333 (half up). The higher: 33,333.
    """
    bj = coordinated(
        "CNSS-BJ",
        career("CNSS-BJ", "2002-01", "2018-08", 100000, 26),
        {"INPS-ML": career("INPS-ML", "1993-09", "2001-12", 150000, 26)},
    )
    assert (bj.independent.monthly_amount, bj.prorata_amount) == (D(32000), D(33333))
    assert (bj.basis, bj.monthly_amount) == (PRORATA, D(33333))
    assert_trace_recomputes(bj.trace, D(33333))


def test_a_period_under_12_months_is_not_paid_but_counts_for_the_other():
    """INPS-ML 10 months, CNSS-BJ 170 months (RMM 200,000): 180 in all.

    INPS-ML: 10 < 12 and 10 months open nothing alone (not even its allowance: 72 months):
    it pays nothing. CNSS-BJ: 170 < 180 alone, 180 totalised: 30 % × 200,000 = 60,000; share
    60,000 × 170 ÷ 180 = 56,666.67 → 56,667.
    """
    ml_10 = career("INPS-ML", "2018-03", "2018-12", 150000, 26)
    bj_170 = career("CNSS-BJ", "2004-01", "2018-02", 200000, 26)
    ml = coordinated("INPS-ML", ml_10, {"CNSS-BJ": bj_170})
    assert (ml.eligible, ml.benefit, ml.basis, ml.monthly_amount) == (
        False,
        "none",
        BELOW_MINIMUM,
        None,
    )
    assert ml.reasons == [
        "Moins de 12 mois d'assurance à INPS-ML (10) : pas de prestation de cet organisme ; "
        "ses mois comptent pour les autres organismes (convention CIPRES)."
    ]
    assert_trace_recomputes(ml.trace, D(0))
    bj = coordinated("CNSS-BJ", bj_170, {"INPS-ML": ml_10})
    assert (bj.own_months, bj.total_months) == (170, 180)
    assert (bj.basis, bj.monthly_amount) == (PRORATA, D(56667))
    assert_trace_recomputes(bj.trace, D(56667))


def test_overlapping_months_count_once():
    """CNSS-BJ 2001-01…2010-12 (120 months), INPS-ML 2010-01…2018-12 (108 months): the 12
    months of 2010 are insured in both places and count once: 120 + 108 − 12 = 216.

    INPS-ML: 42 % × 150,000 (its last 96 months, 2011-2018, at 150,000; 2010 at 100,000 is
    outside the window) = 63,000; share 63,000 × 108 ÷ 216 = 31,500.
    CNSS-BJ: 36 % × 200,000 = 72,000; share 72,000 × 120 ÷ 216 = 40,000.
    Each organisation's share counts its own months (2010 in both): the overlap is removed
    from the total only (assumption, benefits.md §12 rule 1).
    """
    ml_108 = career("INPS-ML", "2010-01", "2010-12", 100000, 26) + ML_96
    ml = coordinated("INPS-ML", ml_108, {"CNSS-BJ": BJ_120})
    step = next(s for s in ml.trace.steps if s.code == "foreign_months_0")
    assert step.inputs == {"months_communicated": 120, "months_already_counted": 12}
    assert (ml.own_months, ml.total_months, ml.monthly_amount) == (108, 216, D(31500))
    assert_trace_recomputes(ml.trace, D(31500))
    bj = coordinated("CNSS-BJ", BJ_120, {"INPS-ML": ml_108})
    assert (bj.own_months, bj.total_months, bj.monthly_amount) == (120, 216, D(40000))


def test_each_organisation_pays_at_its_own_pension_age():
    """Aged 59 on 15/06/2026: INPS-ML's normal age (58) is reached, CNSS-BJ's (60) not; CNSS-BJ
    pays its early pension: 72,000 − 1 year × 5 % = 68,400, share × 120 ÷ 216 = 38,000.
    At 52, neither normal nor early age (53, 55) is reached: no share, the age is the reason."""
    born_59 = dt.date(1967, 3, 10)
    ml = coordinated("INPS-ML", ML_96, {"CNSS-BJ": BJ_120}, born=born_59)
    assert (ml.benefit, ml.monthly_amount) == ("pension", D(28000))
    bj = coordinated("CNSS-BJ", BJ_120, {"INPS-ML": ML_96}, born=born_59)
    assert (bj.benefit, bj.theoretical.monthly_amount, bj.monthly_amount) == (
        "early_pension",
        D(68400),
        D(38000),
    )
    assert_trace_recomputes(bj.trace, D(38000))
    young = coordinated("CNSS-BJ", BJ_120, {"INPS-ML": ML_96}, born=dt.date(1974, 3, 10))
    assert (young.eligible, young.monthly_amount, young.prorata_amount) == (False, None, None)
    assert "Âge non atteint : 52 ans, âge normal 60 ans, anticipé 55 ans." in young.reasons


def test_months_of_a_state_without_the_convention_are_not_totalised():
    """A state with no known ratification (GA): its months are not added; INPS-ML pays what its
    own 96 months give (the allowance, 20,800), and says why."""
    ml = coordinated(
        "INPS-ML", ML_96, {"CNSS-GA": BJ_120}, states={"INPS-ML": "ML", "CNSS-GA": "GA"}
    )
    assert (ml.basis, ml.benefit, ml.monthly_amount, ml.total_months) == (
        INDEPENDENT,
        "old_age_allowance",
        D(20800),
        96,
    )
    assert ml.not_counted == ("CNSS-GA",)
    assert ml.theoretical is None
    assert "Périodes de CNSS-GA non totalisées" in ml.reasons[-1]
    assert_trace_recomputes(ml.trace, D(20800))


def test_further_conditions_read_the_totalised_months():
    """CNPS-CM: 72 months at 300,000 (2020-2025) and CNSS-BJ's 108 (2000-2008): 180 in all.

    Its own months alone fail the 180 months (the coverage is not even looked at) and give the
    lump sum 300,000 × 6 = 1,800,000; counted from its own first month (01/2020) the coverage
    would be 77 months < 240. Totalised, coverage runs from
    01/2000 (317 months ≥ 240) and 72 of the months are in the last 10 years (≥ 60): 30 % ×
    300,000 (best of the last 3 or 5 years, its own) = 90,000; share 90,000 × 72 ÷ 180 = 36,000.
    """
    states = {"CNPS-CM": "CM", "CNSS-BJ": "BJ"}
    cm = coordinated(
        "CNPS-CM",
        career("CNPS-CM", "2020-01", "2025-12", 300000, 26),
        {"CNSS-BJ": career("CNSS-BJ", "2000-01", "2008-12", 200000, 26)},
        states=states,
    )
    assert (cm.independent.benefit, cm.independent.lump_sum_amount) == ("lump_sum", D(1800000))
    coverage = [s for s in cm.trace.steps if s.code == "coverage_years"]
    assert [(s.section, s.inputs["coverage_months"], s.result) for s in coverage] == [
        ("theoretical", 317, True)
    ]
    assert (cm.basis, cm.benefit, cm.monthly_amount, cm.lump_sum_amount) == (
        PRORATA,
        "pension",
        D(36000),
        None,
    )
    assert_trace_recomputes(cm.trace, D(36000))


def test_a_points_scheme_pays_its_own_points_without_pro_rata():
    """IPRES-SN (points): 2 years at 300,000 give 316.78 points, bought back once for 70,553
    (test_worked_examples); Mali's 96 months do not change the points nor share them."""
    states = {"IPRES-SN": "SN", "INPS-ML": "ML"}
    sn = coordinated(
        "IPRES-SN",
        career("IPRES-SN", "2024-01", "2025-12", 300000),
        {"INPS-ML": ML_96},
        born=dt.date(1964, 1, 1),
        states=states,
    )
    assert (sn.basis, sn.benefit, sn.lump_sum_amount, sn.theoretical) == (
        INDEPENDENT,
        "lump_sum",
        D(70553),
        None,
    )
    assert sn.counted == ("INPS-ML",)
    assert_trace_recomputes(sn.trace, D(70553))


def test_the_convention_before_a_state_ratified_it():
    """On 01/06/2013 Mali (end of 2012) has ratified, Benin (assumed end of 2014) not yet: at
    CNSS-BJ the Malian months are not added."""
    bj = coordinated("CNSS-BJ", BJ_120, {"INPS-ML": ML_96}, on=dt.date(2013, 6, 1))
    assert (bj.not_counted, bj.counted, bj.total_months) == (("INPS-ML",), (), 120)
    step = next(s for s in bj.trace.steps if s.code == "convention_in_force_ML")
    assert step.inputs == {"own_state_in_force": False, "other_state_in_force": True}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"parameters": {"min_months_to_pay": -1}}, "parameters.min_months_to_pay"),
        (
            {"parameters": {"higher_of_independent_and_prorata": "yes"}},
            "parameters.higher_of_independent_and_prorata",
        ),
        ({"parameters": {"overlap_counts_once": False}}, "parameters.overlap_counts_once"),
        ({"valid_from": "2006"}, "valid_from"),
    ],
)  # fmt: skip
def test_a_malformed_convention_version_is_refused_naming_the_field(change, field):
    good = {
        "valid_from": dt.date(2006, 2, 26),
        "source": "x",
        "parameters": {
            "overlap_counts_once": True,
            "min_months_to_pay": 12,
            "higher_of_independent_and_prorata": True,
        },
    }
    bad = good | {k: (good.get(k, {}) | v if isinstance(v, dict) else v) for k, v in change.items()}
    parse_convention(good, ratifications={})
    with pytest.raises(RuleError) as err:
        parse_convention(bad, ratifications={})
    assert list(err.value.errors) == [field]


def test_the_readable_trace_heads_each_part_and_names_the_convention_rules():
    """The page and the PDF show the three parts under headings, in French and in English; the
    convention's parameters are named, with their dates in force (dd/mm/yyyy)."""
    from kafo.benefits.trace_view import readable_trace

    ml = coordinated("INPS-ML", ML_96, {"CNSS-BJ": BJ_120})
    fr = readable_trace(ml.trace, lang="fr")
    headings = [(s.number, s.section_heading) for s in fr.steps if s.section_heading]
    assert headings == [
        (1, "Calcul indépendant : les seuls mois de l'organisme"),
        (9, "Calcul théorique : les mois totalisés de tous les organismes (convention CIPRES)"),
        (22, "Part de l'organisme"),
    ]
    assert fr.result.value == "28 000 FCFA"
    prorata = next(s for s in fr.steps if s.code == "prorata")
    assert prorata.formula == "arrondi(63 000 FCFA × 96 mois ÷ 216 mois)"
    assert [(p.label, p.value, p.assumption) for p in prorata.params] == [
        ("montant théorique selon les règles de l'organisme", "oui", True),
        ("part au prorata des mois propres", "oui", True),
    ]
    in_force = next(s for s in fr.steps if s.code == "convention_in_force_BJ")
    assert [(p.label, p.value) for p in in_force.params] == [
        ("convention en vigueur depuis (ML)", "31/12/2012"),
        ("convention en vigueur depuis (BJ)", "31/12/2014"),
    ]
    en = readable_trace(ml.trace, lang="en")
    assert [s.section_heading for s in en.steps if s.section_heading][2] == (
        "The organisation's share"
    )
