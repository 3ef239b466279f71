"""The parts of the old-age formula (pure: no Django): the reference salary, the rate, the
points of a points scheme — each recorded as steps of the claim's `Trace`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from .career import Month, period_of
from .rules import PensionRules
from .trace import Trace


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
