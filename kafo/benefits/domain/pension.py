"""Old-age benefits from a career and a rule version (pure: no Django).

`compute_old_age(rules, career, claimant, on=date)` answers, on the date `on`, whether a
pension, an early pension, an old-age allowance or a lump sum is due and how much, with every
step in its `Trace`. `next_eligible(...)` answers "at which date can I retire, and with how
much": the next dates where something more becomes payable, with the career as it is and if
the person keeps working at the last declared salary.

Order of the amount steps (the sources give no order; assumed, see docs/benefits.md):
reference salary × rate → maximum → minimum → early reduction → child supplement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .career import CareerLine, Month, insured_months_step, month_of, months_at, period_of
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


def normal_age_of(rules: PensionRules, claimant: Claimant) -> int:
    base = rules.age.by_category.get(claimant.category or "", rules.age.normal_age)
    if claimant.sex == "F" and rules.age.women_years_per_child:
        return base - min(
            claimant.children_born * rules.age.women_years_per_child, rules.age.women_max_years
        )
    return base


def _normal_age_step(trace: Trace, rules: PensionRules, claimant: Claimant) -> int:
    age_rule = rules.age
    category = claimant.category or ""
    base = age_rule.by_category.get(category, age_rule.normal_age)
    name = f"age.by_category.{category}" if category in age_rule.by_category else "age.normal_age"
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
    label = f" (catégorie {category})" if category in age_rule.by_category else ""
    return int(
        trace.add(
            "normal_age",
            f"Âge normal de la retraite{label}",
            f"Normal retirement age{label.replace('catégorie', 'category')}",
            inputs={"age_category": base},
            formula="age_category",
            params=tuple(params),
        )
    )


# --- reference salary ----------------------------------------------------------------------


def _name(period: str) -> str:
    return "s_" + period.replace("-", "_")


def _sum_step(
    trace: Trace,
    rules: PensionRules,
    code: str,
    fr: str,
    en: str,
    months: Sequence[Month],
    ceiling: Decimal | None,
) -> Decimal:
    inputs: dict = {_name(m.period): m.salary for m in months}
    params: tuple = ()
    if ceiling is not None:
        inputs["ceiling"] = ceiling
        terms = [f"min({_name(m.period)}, ceiling)" for m in months]
        params = (rules.cite("reference.salary_ceiling", ceiling),)
    else:
        terms = [_name(m.period) for m in months]
    return trace.add(code, fr, en, inputs=inputs, formula=" + ".join(terms) or "0", params=params)


def _window(months: Sequence[Month], size: int) -> list[Month]:
    """The months of the last `size` calendar months ending with the career's last month."""
    if not months:
        return []
    last = months[-1].index
    return [m for m in months if m.index > last - size]


def reference_salary(trace: Trace, rules: PensionRules, months: Sequence[Month]) -> Decimal:
    ref = rules.reference
    ceiling = ref.salary_ceiling
    if ref.method == "last_months":
        window = _window(months, ref.months)
        start = period_of(months[-1].index - ref.months + 1) if months else "-"
        end = months[-1].period if months else "-"
        _sum_step(
            trace,
            rules,
            "reference_total",
            f"Total des salaires des {ref.months} derniers mois ({start} à {end})",
            f"Total salary of the last {ref.months} months ({start} to {end})",
            window,
            ceiling,
        )
        return trace.add(
            "reference_salary",
            f"Salaire de référence : total ÷ {ref.months} mois",
            f"Reference salary: total ÷ {ref.months} months",
            inputs={"reference_total": trace.result_of("reference_total"), "months": ref.months},
            formula="round0(reference_total / months)",
            params=(rules.cite("reference.months", ref.months),),
        )
    if ref.method == "best_years":
        by_year: dict[int, list[Month]] = {}
        for m in months:
            by_year.setdefault(m.index // 12, []).append(m)
        totals = {}
        for year, ms in sorted(by_year.items()):
            totals[year] = _sum_step(
                trace,
                rules,
                f"salaries_{year}",
                f"Salaires de l'année {year}",
                f"Salaries of {year}",
                ms,
                ceiling,
            )
        best = sorted(totals, key=lambda y: (-totals[y], -y))[: ref.years]
        inputs = {f"salaries_{y}": totals[y] for y in sorted(totals)}
        inputs["years"] = ref.years
        chosen = " + ".join(f"salaries_{y}" for y in sorted(best)) or "0"
        return trace.add(
            "reference_salary",
            f"Salaire de référence : les {ref.years} meilleures années "
            f"({', '.join(str(y) for y in sorted(best))}) ÷ (12 × {ref.years})",
            f"Reference salary: the best {ref.years} years ÷ (12 × {ref.years})",
            inputs=inputs,
            formula=f"round0(({chosen}) / (12 * years))",
            params=(rules.cite("reference.years", ref.years),),
        )
    if ref.method == "best_of_last_years":
        codes = []
        for years in ref.options:
            window = _window(months, 12 * years)
            _sum_step(
                trace,
                rules,
                f"total_last_{years}_years",
                f"Total des salaires des {years} dernières années",
                f"Total salary of the last {years} years",
                window,
                ceiling,
            )
            codes.append((years, f"total_last_{years}_years"))
        inputs = {code: trace.result_of(code) for _, code in codes}
        formula = "max(" + ", ".join(f"{code} / {12 * y}" for y, code in codes) + ")"
        return trace.add(
            "reference_salary",
            "Salaire de référence : la plus élevée des moyennes mensuelles "
            + " ou ".join(f"des {y} dernières années" for y, _ in codes),
            "Reference salary: the higher of the monthly averages of the last "
            + " or ".join(f"{y}" for y, _ in codes)
            + " years",
            inputs=inputs,
            formula=f"round0({formula})",
            params=(rules.cite("reference.options", list(ref.options)),),
        )
    raise ValueError(ref.method)


def average_declared_salary(trace: Trace, rules: PensionRules, months: Sequence[Month]) -> Decimal:
    """The average monthly salary over every declared month (short careers)."""
    _sum_step(
        trace,
        rules,
        "career_total",
        "Total des salaires de la carrière",
        "Total salary of the career",
        months,
        rules.reference.salary_ceiling,
    )
    return trace.add(
        "reference_salary",
        "Salaire moyen mensuel : total ÷ nombre de mois déclarés",
        "Average monthly salary: total ÷ number of months declared",
        inputs={"career_total": trace.result_of("career_total"), "months": max(len(months), 1)},
        formula="round0(career_total / months)",
    )


# --- rate -------------------------------------------------------------------------------------


def rate_step(trace: Trace, rules: PensionRules, insured: int, months: Sequence[Month]) -> Decimal:
    rate = rules.rate
    cap = rate.max_percent if rate.max_percent is not None else Decimal(100)
    cap_param = (rules.cite("rate.max_percent", rate.max_percent),) if rate.max_percent else ()
    if rate.method == "increments":
        return trace.add(
            "rate",
            f"Taux : {rate.base_percent} % + {rate.increment_percent} % par période complète de "
            f"{rate.increment_months} mois au-delà de {rate.increment_from_months} mois"
            + (f", au plus {rate.max_percent} %" if rate.max_percent else ""),
            f"Rate: {rate.base_percent} % + {rate.increment_percent} % per complete "
            f"{rate.increment_months} months beyond {rate.increment_from_months} months",
            inputs={
                "base_percent": rate.base_percent,
                "increment_percent": rate.increment_percent,
                "insured_months": insured,
                "increment_from_months": rate.increment_from_months,
                "increment_months": rate.increment_months,
                "max_percent": cap,
            },
            formula="min(base_percent + increment_percent * floor(max(insured_months - "
            "increment_from_months, 0) / increment_months), max_percent)",
            params=(
                rules.cite("rate.base_percent", rate.base_percent),
                rules.cite("rate.increment_percent", rate.increment_percent),
                rules.cite("rate.increment_from_months", rate.increment_from_months),
                *cap_param,
            ),
        )
    # per_year: complete insured years in each bracket
    inputs: dict = {"max_percent": cap}
    terms = []
    by_count = [b for b in rate.brackets if b.before_year is None]
    by_calendar = [b for b in rate.brackets if b.before_year is not None]
    if by_calendar:
        previous = None
        for i, b in enumerate(sorted(by_calendar, key=lambda b: b.before_year)):
            in_band = sum(
                1
                for m in months
                if m.insured
                and m.index // 12 < b.before_year
                and (previous is None or m.index // 12 >= previous)
            )
            inputs[f"months_band_{i}"] = in_band
            inputs[f"percent_band_{i}"] = b.percent_per_year
            terms.append(f"percent_band_{i} * floor(months_band_{i} / 12)")
            previous = b.before_year
        rest = [b for b in by_count if b.up_to_years is None]
        if rest:
            in_band = sum(1 for m in months if m.insured and m.index // 12 >= previous)
            i = len(terms)
            inputs[f"months_band_{i}"] = in_band
            inputs[f"percent_band_{i}"] = rest[0].percent_per_year
            terms.append(f"percent_band_{i} * floor(months_band_{i} / 12)")
    else:
        inputs["insured_months"] = insured
        lower = 0
        for i, b in enumerate(by_count):
            inputs[f"percent_band_{i}"] = b.percent_per_year
            if b.up_to_years is None:
                terms.append(f"percent_band_{i} * max(floor(insured_months / 12) - {lower}, 0)")
            else:
                terms.append(
                    f"percent_band_{i} * max(min(floor(insured_months / 12), {b.up_to_years})"
                    f" - {lower}, 0)"
                )
                lower = b.up_to_years
    described = "; ".join(
        f"{b.percent_per_year} % par année"
        + (
            f" avant {b.before_year}"
            if b.before_year
            else (f" jusqu'à {b.up_to_years} ans" if b.up_to_years else " au-delà")
        )
        for b in rate.brackets
    )
    return trace.add(
        "rate",
        f"Taux par année complète d'assurance ({described})"
        + (f", au plus {rate.max_percent} %" if rate.max_percent else ""),
        "Rate per complete insured year, by bracket",
        inputs=inputs,
        formula=f"min({' + '.join(terms) or '0'}, max_percent)",
        params=(
            rules.cite("rate.brackets", [b.percent_per_year for b in rate.brackets]),
            *cap_param,
        ),
    )


def points_steps(
    trace: Trace, rules: PensionRules, months: Sequence[Month], on: dt.date
) -> tuple[Decimal, Decimal]:
    """Record the points bought each year and their total; return (points, value of a point)."""
    pts = rules.points
    assert pts is not None
    by_year: dict[int, list[Month]] = {}
    for m in months:
        by_year.setdefault(m.index // 12, []).append(m)
    per_year = {}
    for year, ms in sorted(by_year.items()):
        price_year, price = pts.price(year)
        inputs: dict = {_name(m.period): m.salary for m in ms}
        if pts.salary_ceiling is not None:
            inputs["ceiling"] = pts.salary_ceiling
            base = " + ".join(f"min({_name(m.period)}, ceiling)" for m in ms)
        else:
            base = " + ".join(_name(m.period) for m in ms)
        inputs["contribution_percent"] = pts.contribution_percent
        inputs["point_price"] = price
        per_year[year] = trace.add(
            f"points_{year}",
            f"Points acquis en {year} : cotisations ({pts.contribution_percent} % du salaire "
            f"plafonné) ÷ prix du point ({price}, barème {price_year})",
            f"Points bought in {year}: contributions ÷ price of a point ({price})",
            inputs=inputs,
            formula=f"round2(({base}) * contribution_percent / 100 / point_price)",
            params=(
                rules.cite("points.contribution_percent", pts.contribution_percent),
                rules.cite("points.salary_ceiling", pts.salary_ceiling),
                rules.cite(f"points.price_by_year.{price_year}", price),
            ),
        )
    total = trace.add(
        "points",
        "Total des points",
        "Total points",
        inputs={f"points_{y}": v for y, v in per_year.items()},
        formula=" + ".join(f"points_{y}" for y in per_year) or "0",
    )
    value_year, value = pts.value(on.year)
    return total, value


# --- the computation ----------------------------------------------------------------------


def compute_old_age(
    rules: PensionRules, career: Sequence[CareerLine], claimant: Claimant, *, on: dt.date
) -> OldAgeResult:
    """Return the old-age benefit due on `on` (pension, early, allowance, lump sum or none)."""
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
        period_met = _further_conditions(trace, rules, months, on, result)
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


def _month_text(index: int) -> str:
    period = period_of(index)
    return f"{period[5:]}/{period[:4]}"


def _further_conditions(
    trace: Trace, rules: PensionRules, months: Sequence[Month], on: dt.date, result: OldAgeResult
) -> bool:
    """The conditions some organisations add to the minimum period (CNPS-CM: 20 years of
    coverage, counted from the first insured month, and 60 insured months in the last 10
    years). Record each as a step; add a reason for each one not met."""
    met = True
    insured = [m.index for m in months if m.insured]
    claim_month = month_of(on)
    if rules.min_coverage_years:
        first = min(insured) if insured else claim_month
        ok = trace.add(
            "coverage_years",
            f"Durée de couverture depuis le premier mois d'assurance ({_month_text(first)})",
            f"Coverage since the first insured month ({period_of(first)})",
            inputs={
                "coverage_months": claim_month - first,
                "min_coverage_years": rules.min_coverage_years,
            },
            formula="coverage_months >= min_coverage_years * 12",
            params=(rules.cite("min_coverage_years", rules.min_coverage_years),),
        )
        if not ok:
            met = False
            result.reasons.append(
                f"Durée de couverture insuffisante : {(claim_month - first) // 12} ans pour "
                f"{rules.min_coverage_years} requis."
            )
    rp = rules.recent_period
    if rp is not None:
        since = claim_month - 12 * rp.within_years
        recent = sum(1 for i in insured if since <= i < claim_month)
        ok = trace.add(
            "recent_period",
            f"Mois d'assurance dans les {rp.within_years} dernières années "
            f"(depuis {_month_text(since)})",
            f"Insured months in the last {rp.within_years} years (since {period_of(since)})",
            inputs={"recent_months": recent, "min_recent_months": rp.months},
            formula="recent_months >= min_recent_months",
            params=(rules.cite("recent_period", f"{rp.months} / {rp.within_years}"),),
        )
        if not ok:
            met = False
            result.reasons.append(
                f"Trop peu de mois d'assurance récents : {recent} dans les {rp.within_years} "
                f"dernières années pour {rp.months} requis."
            )
    return met


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


# --- next eligible dates ------------------------------------------------------------------


@dataclass(frozen=True)
class NextDate:
    date: dt.date
    as_is: OldAgeResult  # with the career as recorded
    if_still_working: OldAgeResult  # the last salary declared each month until the date


def continued(
    rules: PensionRules, career: Sequence[CareerLine], *, until: dt.date
) -> list[CareerLine]:
    """The career extended to `until`'s month at its last monthly salary at this organisation."""
    own = [x for x in career if x.organisation == rules.organisation]
    if not own:
        return list(career)
    last_index = max(x.index for x in own)
    last = [x for x in own if x.index == last_index]
    salary = sum((x.gross_salary for x in last), Decimal(0))
    days = None if any(x.days_worked is None for x in last) else max(x.days_worked for x in last)
    extra = [
        CareerLine(rules.organisation, period_of(i), salary, days)
        for i in range(last_index + 1, month_of(until) + 1)
    ]
    return [*career, *extra]


def next_eligible(
    rules: PensionRules,
    career: Sequence[CareerLine],
    claimant: Claimant,
    *,
    on: dt.date,
    now: OldAgeResult | None = None,
    horizon_years: int = 15,
) -> list[NextDate]:
    """The next dates after `on` where a benefit becomes payable or a better one starts."""
    now = now or compute_old_age(rules, career, claimant, on=on)
    birth = claimant.birth_date
    candidates = {birthday(birth, normal_age_of(rules, claimant))}
    if rules.age.early_age is not None:
        candidates.add(birthday(birth, rules.age.early_age))
    if rules.short_career.age is not None:
        candidates.add(birthday(birth, rules.short_career.age))
    if rules.rate.method != "points" and now.insured_months < rules.min_months:
        missing = rules.min_months - now.insured_months
        index = month_of(on) + missing
        candidates.add(dt.date(index // 12, index % 12 + 1, 1))
    limit = birthday(on, horizon_years)
    answers = []
    best = now.amount if now.benefit in (PENSION, EARLY_PENSION) else Decimal(0)
    for date in sorted(d for d in candidates if on < d <= limit):
        as_is = compute_old_age(rules, career, claimant, on=date)
        working = compute_old_age(rules, continued(rules, career, until=date), claimant, on=date)
        if as_is.benefit == NONE and working.benefit == NONE:
            continue
        if (
            max((r.monthly_amount or Decimal(0) for r in (as_is, working)), default=Decimal(0))
            <= best
            and now.benefit == PENSION
        ):
            continue
        answers.append(NextDate(date, as_is, working))
    return answers
