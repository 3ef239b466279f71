"""Old-age benefits from a career and a rule version (pure: no Django).

`compute_old_age(rules, career, claimant, on=date)` answers, on the date `on`, whether a
pension, an early pension, an old-age allowance or a lump sum is due and how much, with every
step in its `Trace`. The formula's parts (reference salary, rate, points) are in `formula.py`;
"at which date can I retire, and with how much" in `next_dates.py`.

Order of the amount steps (the sources give no order; assumed, see docs/benefits.md):
reference salary × rate → maximum → minimum → early reduction → child supplement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .career import (
    CareerLine,
    Month,
    Totalisation,
    insured_months_step,
    months_at,
    totalised_months_step,
)
from .conditions import further_conditions
from .formula import average_declared_salary, points_steps, rate_step, reference_salary
from .rules import PensionRules
from .trace import Trace

PENSION = "pension"
EARLY_PENSION = "early_pension"
OLD_AGE_ALLOWANCE = "old_age_allowance"
LUMP_SUM = "lump_sum"
NONE = "none"


@dataclass(frozen=True)
class Claimant:
    birth_date: dt.date
    sex: str | None = None  # "F" or "M"
    children_born: int = 0  # Mali: a woman's age is lowered per child born
    dependent_children: int = 0  # child supplement
    category: str | None = None
    # Insured voluntarily at the end of the career (kafo.voluntary): the rules' voluntary age.
    voluntary: bool = False


@dataclass
class OldAgeResult:
    eligible: bool
    benefit: str
    monthly_amount: Decimal | None
    lump_sum_amount: Decimal | None
    insured_months: int
    reference_salary: Decimal | None
    rate: Decimal | None
    points: Decimal | None
    age: int
    normal_age: int
    normal_age_date: dt.date
    early_age_date: dt.date | None
    rules_version: str
    reasons: list[str] = field(default_factory=list)
    trace: Trace = field(default_factory=Trace)

    @property
    def amount(self) -> Decimal:
        return self.monthly_amount or self.lump_sum_amount or Decimal(0)


def birthday(birth: dt.date, years: int) -> dt.date:
    """The date a person born on `birth` turns `years` (29 February → 28 February)."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return birth.replace(year=birth.year + years, day=28)


def _md(d: dt.date) -> int:
    return d.month * 100 + d.day


def age_step(trace: Trace, code: str, birth: dt.date, on: dt.date, fr: str, en: str) -> int:
    return int(
        trace.add(
            code,
            fr,
            en,
            inputs={
                "on_year": on.year,
                "on_md": _md(on),
                "birth_year": birth.year,
                "birth_md": _md(birth),
            },
            formula="on_year - birth_year - (1 if on_md < birth_md else 0)",
        )
    )


def _base_age(rules: PensionRules, claimant: Claimant) -> tuple[int, str, str]:
    """The age before any reduction for children, the parameter it comes from, and its label:
    the voluntary insured's age where the rules give one, else the category's, else the
    normal age."""
    age_rule = rules.age
    if claimant.voluntary and age_rule.voluntary_age is not None:
        return age_rule.voluntary_age, "age.voluntary_age", " (assuré volontaire)"
    category = claimant.category or ""
    if category in age_rule.by_category:
        return (
            age_rule.by_category[category],
            f"age.by_category.{category}",
            (f" (catégorie {category})"),
        )
    return age_rule.normal_age, "age.normal_age", ""


def normal_age_of(rules: PensionRules, claimant: Claimant) -> int:
    base = _base_age(rules, claimant)[0]
    if claimant.sex == "F" and rules.age.women_years_per_child:
        return base - min(
            claimant.children_born * rules.age.women_years_per_child, rules.age.women_max_years
        )
    return base


def _normal_age_step(trace: Trace, rules: PensionRules, claimant: Claimant) -> int:
    age_rule = rules.age
    base, name, label = _base_age(rules, claimant)
    params = [rules.cite(name, base)]
    if claimant.sex == "F" and age_rule.women_years_per_child:
        params += [
            rules.cite("age.women_years_per_child", age_rule.women_years_per_child),
            rules.cite("age.women_max_years", age_rule.women_max_years),
        ]
        return int(
            trace.add(
                "normal_age",
                "Âge normal de la retraite, réduit d'un an par enfant né (femme), dans la limite",
                "Normal retirement age, reduced by one year per child born (woman), capped",
                inputs={
                    "age_category": base,
                    "children_born": claimant.children_born,
                    "years_per_child": age_rule.women_years_per_child,
                    "max_years": age_rule.women_max_years,
                },
                formula="age_category - min(children_born * years_per_child, max_years)",
                params=tuple(params),
            )
        )
    english = label.replace("catégorie", "category").replace("assuré volontaire", "voluntary")
    return int(
        trace.add(
            "normal_age",
            f"Âge normal de la retraite{label}",
            f"Normal retirement age{english}",
            inputs={"age_category": base},
            formula="age_category",
            params=tuple(params),
        )
    )


# --- the computation ----------------------------------------------------------------------


def compute_old_age(
    rules: PensionRules,
    career: Sequence[CareerLine],
    claimant: Claimant,
    *,
    on: dt.date,
    totalise: Totalisation | None = None,
) -> OldAgeResult:
    """Return the old-age benefit due on `on` (pension, early, allowance, lump sum or none).

    With `totalise` (the other organisations' insured months, convention CIPRES) this is the
    theoretical computation: the totalised months open the right and set the rate as if the
    whole career were this organisation's; the reference salary stays this organisation's own
    (see `coordination.py`, which takes the pro-rata share of it).
    """
    trace = Trace()
    age = age_step(
        trace,
        "age",
        claimant.birth_date,
        on,
        f"Âge au {on:%d/%m/%Y}",
        f"Age on {on.isoformat()}",
    )
    normal_age = _normal_age_step(trace, rules, claimant)
    months, other = months_at(career, rules, until=on)
    extra: set[int] = set()
    if totalise is not None:
        insured_months_step(trace, rules, months, other, code="own_insured_months")
        insured, extra = totalised_months_step(trace, rules, months, totalise, until=on)
    else:
        insured = int(insured_months_step(trace, rules, months, other))
    early_age = rules.age.early_age
    result = OldAgeResult(
        eligible=False,
        benefit=NONE,
        monthly_amount=None,
        lump_sum_amount=None,
        insured_months=insured,
        reference_salary=None,
        rate=None,
        points=None,
        age=age,
        normal_age=normal_age,
        normal_age_date=birthday(claimant.birth_date, normal_age),
        early_age_date=birthday(claimant.birth_date, early_age) if early_age else None,
        rules_version=rules.version,
        trace=trace,
    )
    points = value = None
    if rules.rate.method == "points":
        points, value = points_steps(trace, rules, months, on)
        result.points = points
        period_ok_inputs = {"points": points, "min_points": rules.points.min_points}
        period_ok = "points >= min_points"
        period_params = (rules.cite("points.min_points", rules.points.min_points),)
    else:
        period_ok_inputs = {"insured_months": insured, "min_months": rules.min_months}
        period_ok = "insured_months >= min_months"
        period_params = (rules.cite("min_months", rules.min_months),)
    period_met = trace.add(
        "minimum_period",
        "Durée minimale d'assurance atteinte",
        "Minimum insurance period met",
        inputs=period_ok_inputs,
        formula=period_ok,
        params=period_params,
    )
    if period_met and points is None:
        period_met = further_conditions(trace, rules, months, on, result.reasons, extra)
    at_normal = trace.add(
        "normal_age_reached",
        "Âge normal atteint",
        "Normal age reached",
        inputs={"age": age, "normal_age": normal_age},
        formula="age >= normal_age",
    )
    at_early = False
    if early_age is not None and not at_normal:
        at_early = trace.add(
            "early_age_reached",
            "Âge de la retraite anticipée atteint",
            "Early retirement age reached",
            inputs={"age": age, "early_age": early_age},
            formula="age >= early_age",
            params=(rules.cite("age.early_age", early_age),),
        )
    if period_met and (at_normal or at_early):
        result.eligible = True
        result.benefit = PENSION if at_normal else EARLY_PENSION
        if points is not None:
            amount = trace.add(
                "amount",
                f"Pension mensuelle : points × valeur annuelle du point ({value}) ÷ 12",
                "Monthly pension: points × annual value of a point ÷ 12",
                inputs={"points": points, "point_value": value},
                formula="round0(points * point_value / 12)",
                params=(
                    rules.cite(f"points.value_by_year.{rules.points.value(on.year)[0]}", value),
                ),
            )
        else:
            ref = reference_salary(trace, rules, months)
            rate = rate_step(trace, rules, insured, months)
            result.reference_salary, result.rate = ref, rate
            amount = trace.add(
                "amount",
                "Pension mensuelle : salaire de référence × taux",
                "Monthly pension: reference salary × rate",
                inputs={"reference_salary": ref, "rate": rate},
                formula="round0(reference_salary * rate / 100)",
            )
        current = _bounds(trace, rules, ("amount", amount))
        if result.benefit == EARLY_PENSION:
            current = _early_reduction(trace, rules, current, age, normal_age)
        current = _child_supplement(trace, rules, current, claimant)
        result.monthly_amount = current[1]
        return result
    _reasons(result, rules, period_met, at_normal, at_early)
    return _short_career(result, rules, months, claimant, value, on)


Current = tuple[str, Decimal]  # (the code of the step that gave the amount so far, the amount)


def _bounds(trace: Trace, rules: PensionRules, current: Current) -> Current:
    am = rules.amount
    if am.maximum_monthly is not None:
        current = _then(
            trace,
            current,
            "maximum",
            "Plafond de la pension mensuelle",
            "Maximum monthly pension",
            inputs={"maximum_monthly": am.maximum_monthly},
            formula="min({prev}, maximum_monthly)",
            params=(rules.cite("amount.maximum_monthly", am.maximum_monthly),),
        )
    if am.minimum_smig_percent is not None:
        current = _then(
            trace,
            current,
            "minimum",
            f"Minimum : {am.minimum_smig_percent} % du SMIG ({am.smig})",
            f"Minimum: {am.minimum_smig_percent} % of the minimum wage ({am.smig})",
            inputs={"smig": am.smig, "percent": am.minimum_smig_percent},
            formula="max({prev}, round0(smig * percent / 100))",
            params=(
                rules.cite("amount.minimum_smig_percent", am.minimum_smig_percent),
                rules.cite("amount.smig", am.smig),
            ),
        )
    if am.minimum_monthly is not None:
        current = _then(
            trace,
            current,
            "minimum",
            f"Pension minimale ({am.minimum_monthly} par mois)",
            f"Minimum pension ({am.minimum_monthly} a month)",
            inputs={"minimum_monthly": am.minimum_monthly},
            formula="max({prev}, minimum_monthly)",
            params=(rules.cite("amount.minimum_monthly", am.minimum_monthly),),
        )
    return current


def _then(trace: Trace, current: Current, code: str, fr: str, en: str, **step) -> Current:
    """Record a step that changes the amount so far: `{prev}` in its formula names it."""
    prev_code, prev = current
    step["inputs"] = {prev_code: prev, **step["inputs"]}
    step["formula"] = step["formula"].replace("{prev}", prev_code)
    return code, trace.add(code, fr, en, **step)


def _early_reduction(
    trace: Trace, rules: PensionRules, current: Current, age: int, normal_age: int
) -> Current:
    pct = rules.age.early_reduction_percent_per_year
    ends = rules.age.early_reduction_ends_at_normal_age
    return _then(
        trace,
        current,
        "early_reduction",
        f"Minoration de {pct} % par année d'anticipation"
        + (" (supprimée à l'âge normal)" if ends else " (définitive)"),
        f"Reduction of {pct} % per year before the normal age"
        + (" (removed at the normal age)" if ends else " (permanent)"),
        inputs={"reduction_percent": pct, "normal_age": normal_age, "age": age},
        formula="round0({prev} - {prev} * reduction_percent * (normal_age - age) / 100)",
        params=(
            rules.cite("age.early_reduction_percent_per_year", pct),
            rules.cite("age.early_reduction_ends_at_normal_age", ends),
        ),
    )


def _child_supplement(
    trace: Trace, rules: PensionRules, current: Current, claimant: Claimant
) -> Current:
    cs = rules.child_supplement
    if not cs.percent_per_child or not claimant.dependent_children:
        return current
    return _then(
        trace,
        current,
        "child_supplement",
        f"Majoration pour enfants à charge : {cs.percent_per_child} % par enfant, "
        f"au plus {cs.max_children} enfants",
        f"Child supplement: {cs.percent_per_child} % per dependent child, at most "
        f"{cs.max_children}",
        inputs={
            "percent_per_child": cs.percent_per_child,
            "children": claimant.dependent_children,
            "max_children": cs.max_children,
        },
        formula="{prev} + round0({prev} * percent_per_child * min(children, max_children) / 100)",
        params=(
            rules.cite("child_supplement.percent_per_child", cs.percent_per_child),
            rules.cite("child_supplement.max_children", cs.max_children),
            rules.cite("child_supplement.age_limit", cs.age_limit),
        ),
    )


def _reasons(result: OldAgeResult, rules: PensionRules, period_met, at_normal, at_early) -> None:
    if not period_met:
        if rules.rate.method == "points":
            result.reasons.append(
                f"Points insuffisants : {result.points} pour {rules.points.min_points} requis."
            )
        elif result.insured_months < rules.min_months:  # else a further condition said why
            result.reasons.append(
                f"Durée d'assurance insuffisante : {result.insured_months} mois pour "
                f"{rules.min_months} requis."
            )
    if not (at_normal or at_early):
        result.reasons.append(
            f"Âge non atteint : {result.age} ans, âge normal {result.normal_age} ans"
            + (f", anticipé {rules.age.early_age} ans." if rules.age.early_age else ".")
        )


def _short_career(
    result: OldAgeResult,
    rules: PensionRules,
    months: Sequence[Month],
    claimant: Claimant,
    point_value: Decimal | None,
    on: dt.date,
) -> OldAgeResult:
    sc = rules.short_career
    trace = result.trace
    if sc.kind == NONE:
        return result
    age_needed = sc.age if sc.age is not None else result.normal_age
    insured = result.insured_months
    if rules.rate.method == "points":
        ok_inputs = {"age": result.age, "age_needed": age_needed, "points": result.points}
        formula = "age >= age_needed and points > 0"
    else:
        ok_inputs = {
            "age": result.age,
            "age_needed": age_needed,
            "insured_months": insured,
            "min_months": sc.min_months,
        }
        formula = "age >= age_needed and insured_months >= min_months"
    ok = trace.add(
        "short_career_eligible",
        "Droit à l'allocation de vieillesse ou au versement unique (durée minimale non atteinte)",
        "Entitled to the old-age allowance or lump sum (minimum period not met)",
        inputs=ok_inputs,
        formula=formula,
        params=(
            rules.cite("short_career.min_months", sc.min_months),
            rules.cite("short_career.age", age_needed),
        ),
    )
    if not ok:
        return result
    result.eligible = True
    result.benefit = sc.kind
    if sc.amount == "smig_percent":
        amount = trace.add(
            "amount",
            f"Allocation : {sc.percent} % du SMIG ({sc.smig})",
            f"Allowance: {sc.percent} % of the minimum wage ({sc.smig})",
            inputs={"smig": sc.smig, "percent": sc.percent},
            formula="round0(smig * percent / 100)",
            params=(
                rules.cite("short_career.percent", sc.percent),
                rules.cite("short_career.smig", sc.smig),
            ),
        )
    elif sc.amount == "reference_months_per_year":
        ref = average_declared_salary(trace, rules, months)
        result.reference_salary = ref
        amount = trace.add(
            "amount",
            f"Montant : salaire moyen × {sc.months_per_year} mois par période complète de 12 mois",
            f"Amount: average salary × {sc.months_per_year} months per complete 12 months",
            inputs={
                "reference_salary": ref,
                "months_per_year": sc.months_per_year,
                "insured_months": insured,
            },
            formula="round0(reference_salary * months_per_year * floor(insured_months / 12))",
            params=(rules.cite("short_career.months_per_year", sc.months_per_year),),
        )
    else:  # points_buyback
        amount = trace.add(
            "amount",
            f"Rachat des points : points × valeur annuelle du point × {sc.years_of_pension}",
            f"Buy-back of the points: points × annual point value × {sc.years_of_pension}",
            inputs={
                "points": result.points,
                "point_value": point_value,
                "years_of_pension": sc.years_of_pension,
            },
            formula="round0(points * point_value * years_of_pension)",
            params=(rules.cite("short_career.years_of_pension", sc.years_of_pension),),
        )
    if sc.kind == OLD_AGE_ALLOWANCE:
        result.monthly_amount = amount
    else:
        result.lump_sum_amount = amount
    return result
