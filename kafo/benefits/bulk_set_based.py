"""The set-based steps of compute_old_age as Polars expressions, in exact integer arithmetic
(kafo/benefits/bulk.py says how), and which rule versions they cannot compute."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from .domain.rules import PensionRules
from .domain.trace import round0

SCALE = 10_000  # percentages as integers in 1/10,000 of a percent
HUNDRED = 100 * SCALE


def set_based_refusal(rules: PensionRules) -> str | None:
    """Why the set-based path does not compute under `rules` (None: it does)."""
    if rules.rate.method == "points" or rules.reference.method == "none":
        return "points"
    if rules.short_career.kind != "none" and rules.short_career.amount == "points_buyback":
        return "points"
    percents = [
        rules.rate.base_percent,
        rules.rate.increment_percent,
        rules.rate.max_percent,
        *(b.percent_per_year for b in rules.rate.brackets),
        rules.age.early_reduction_percent_per_year,
        rules.child_supplement.percent_per_child,
        rules.short_career.months_per_year,
    ]
    if any(p is not None and (p * SCALE) % 1 for p in percents):
        return "précision"
    am = rules.amount
    francs = [am.minimum_monthly, am.maximum_monthly, rules.reference.salary_ceiling]
    if any(x is not None and x % 1 for x in francs):
        return "centimes"
    return None


def _div_half_up(n: pl.Expr, d: pl.Expr | int) -> pl.Expr:
    """n ÷ d rounded to an integer, half away from zero (Decimal's ROUND_HALF_UP); d > 0."""
    return pl.when(n >= 0).then((2 * n + d) // (2 * d)).otherwise(-((-2 * n + d) // (2 * d)))


def _scaled(p: Decimal) -> int:
    return int(p * SCALE)


def _set_based(rules: PensionRules, claims: pl.DataFrame, months: pl.DataFrame) -> pl.DataFrame:
    """Liquidate claims under one supported rule version, the steps of compute_old_age."""
    im, ref, rate, am = rules.insured_month, rules.reference, rules.rate, rules.amount
    salary, days, month = pl.col("salary"), pl.col("days"), pl.col("month")
    # the claim's months: its person's lines up to the claim's month, summed per month
    per_month = (
        months.join(
            claims.select(
                "claim",
                "person_id",
                (pl.col("on").dt.year().cast(pl.Int64) * 12 + pl.col("on").dt.month() - 1).alias(
                    "_last"
                ),
            ),
            on="person_id",
        )
        .filter(month <= pl.col("_last"))
        .group_by("claim", "month")
        .agg(
            salary.sum(),
            pl.when(days.null_count() > 0).then(None).otherwise(days.sum()).alias("days"),
            pl.col("_last").first(),
        )
    )
    conditions = []
    if im.min_days is not None:
        conditions.append(days >= im.min_days)
    if im.min_salary is not None:
        conditions.append(salary >= int(-(-im.min_salary // 1)))  # whole francs ≥ the ceiling
    insured = (
        pl.when(days.is_null())
        .then(salary > 0)
        .otherwise(pl.any_horizontal(conditions) if conditions else salary > 0)
    )
    capped = (
        pl.min_horizontal(salary, pl.lit(int(ref.salary_ceiling)))
        if ref.salary_ceiling is not None
        else salary
    )
    per_month = per_month.with_columns(insured.alias("insured"), capped.alias("capped"))
    last = month.max()
    aggs = [
        pl.len().alias("declared"),
        pl.col("insured").sum().cast(pl.Int64).alias("insured_months"),
        pl.col("capped").sum().alias("career_total"),
    ]
    windows = {ref.months} if ref.method == "last_months" else set()
    if ref.method == "best_of_last_years":
        windows |= {12 * y for y in ref.options}
    for size in sorted(windows):
        aggs.append(pl.col("capped").filter(month > last - size).sum().alias(f"_last_{size}"))
    # conditions besides the minimum period (conditions.further_conditions)
    if rules.min_coverage_years:
        aggs.append(month.filter(pl.col("insured")).min().alias("_first_insured"))
    if rules.recent_period is not None:
        since = pl.col("_last") - 12 * rules.recent_period.within_years
        recent = pl.col("insured") & (month >= since) & (month < pl.col("_last"))
        aggs.append(recent.sum().cast(pl.Int64).alias("_recent"))
    bands = _calendar_bands(rules)
    for i, (low, high) in enumerate(bands):
        year = month // 12
        in_band = pl.col("insured")
        if low is not None:
            in_band = in_band & (year >= low)
        if high is not None:
            in_band = in_band & (year < high)
        aggs.append(in_band.sum().cast(pl.Int64).alias(f"_band_{i}"))
    per_claim = per_month.group_by("claim").agg(aggs)
    if ref.method == "best_years":
        best = (
            per_month.group_by("claim", (month // 12).alias("year"))
            .agg(pl.col("capped").sum())
            .group_by("claim")
            .agg(pl.col("capped").top_k(ref.years).sum().alias("_best"))
        )
        per_claim = per_claim.join(best, on="claim", how="left")
    c = claims.join(per_claim, on="claim", how="left").with_columns(
        pl.col(n).fill_null(0) for n in per_claim.columns if n not in ("claim", "_first_insured")
    )

    # age and normal age
    on, birth = pl.col("on"), pl.col("birth_date")
    age = (
        on.dt.year().cast(pl.Int64)
        - birth.dt.year().cast(pl.Int64)
        - (
            (on.dt.month().cast(pl.Int64) * 100 + on.dt.day())
            < (birth.dt.month().cast(pl.Int64) * 100 + birth.dt.day())
        ).cast(pl.Int64)
    )
    a = rules.age
    base = (
        pl.col("category")
        .replace_strict(dict(a.by_category), default=a.normal_age, return_dtype=pl.Int64)
        .fill_null(a.normal_age)
        if a.by_category
        else pl.lit(a.normal_age, dtype=pl.Int64)
    )
    if a.women_years_per_child:
        cut = pl.min_horizontal(
            pl.col("children_born") * a.women_years_per_child, a.women_max_years
        )
        base = pl.when(pl.col("sex") == "F").then(base - cut).otherwise(base)
    c = c.with_columns(age.alias("age"), base.alias("normal_age"))
    age, normal_age, insured_months = pl.col("age"), pl.col("normal_age"), pl.col("insured_months")
    at_normal = age >= normal_age
    at_early = (~at_normal & (age >= a.early_age)) if a.early_age is not None else pl.lit(False)
    period_met = insured_months >= rules.min_months
    claim_month = on.dt.year().cast(pl.Int64) * 12 + on.dt.month().cast(pl.Int64) - 1
    if rules.min_coverage_years:
        first = pl.col("_first_insured").fill_null(claim_month)
        period_met = period_met & (claim_month - first >= 12 * rules.min_coverage_years)
    if rules.recent_period is not None:
        period_met = period_met & (pl.col("_recent") >= rules.recent_period.months)
    pension = period_met & (at_normal | at_early)

    # reference salary, rate, amount (pension)
    if ref.method == "last_months":
        reference = _div_half_up(pl.col(f"_last_{ref.months}"), ref.months)
    elif ref.method == "best_years":
        reference = _div_half_up(pl.col("_best"), 12 * ref.years)
    else:  # best_of_last_years: round0 is monotone, so max of the rounded = rounded max
        reference = pl.max_horizontal(
            [_div_half_up(pl.col(f"_last_{12 * y}"), 12 * y) for y in ref.options]
        )
    cap = _scaled(rate.max_percent) if rate.max_percent is not None else HUNDRED
    if rate.method == "increments":
        steps = pl.max_horizontal(insured_months - rate.increment_from_months, 0) // (
            rate.increment_months
        )
        raw_rate = _scaled(rate.base_percent) + _scaled(rate.increment_percent) * steps
    else:
        raw_rate = _per_year_rate(rules, bands)
    c = c.with_columns(
        reference.alias("_ref"), pl.min_horizontal(raw_rate, pl.lit(cap)).alias("_rate")
    )
    amount = _div_half_up(pl.col("_ref") * pl.col("_rate"), HUNDRED)
    if am.maximum_monthly is not None:
        amount = pl.min_horizontal(amount, int(am.maximum_monthly))
    if am.minimum_smig_percent is not None:
        amount = pl.max_horizontal(amount, int(round0(am.smig * am.minimum_smig_percent / 100)))
    if am.minimum_monthly is not None:
        amount = pl.max_horizontal(amount, int(am.minimum_monthly))
    c = c.with_columns(amount.alias("_amount"))
    prev = pl.col("_amount")
    if a.early_age is not None:
        pct = _scaled(a.early_reduction_percent_per_year)
        reduced = _div_half_up(prev * HUNDRED - prev * pct * (normal_age - age), HUNDRED)
        c = c.with_columns(pl.when(at_early).then(reduced).otherwise(prev).alias("_amount"))
    cs = rules.child_supplement
    if cs.percent_per_child:
        children = pl.min_horizontal(pl.col("dependent_children"), cs.max_children)
        c = c.with_columns(
            prev + _div_half_up(prev * _scaled(cs.percent_per_child) * children, HUNDRED)
        )

    # short career: allowance or lump sum when the period is not met or the age not reached
    sc = rules.short_career
    short_ok = pl.lit(False)
    short_amount = pl.lit(None, dtype=pl.Int64)
    short_ref = pl.lit(None, dtype=pl.Int64)
    if sc.kind != "none":
        age_needed = pl.lit(sc.age) if sc.age is not None else normal_age
        short_ok = ~pension & (age >= age_needed) & (insured_months >= sc.min_months)
        if sc.amount == "smig_percent":
            short_amount = pl.lit(int(round0(sc.smig * sc.percent / 100)), dtype=pl.Int64)
        else:  # reference_months_per_year
            short_ref = _div_half_up(
                pl.col("career_total"), pl.max_horizontal(pl.col("declared"), 1)
            )
            short_amount = _div_half_up(
                short_ref * _scaled(sc.months_per_year) * (insured_months // 12), SCALE
            )
    benefit = (
        pl.when(pension & at_normal)
        .then(pl.lit("pension"))
        .when(pension)
        .then(pl.lit("early_pension"))
        .when(short_ok)
        .then(pl.lit(sc.kind))
        .otherwise(pl.lit("none"))
    )
    rate_text = (
        (pl.col("_rate") // SCALE).cast(pl.Utf8)
        + "."
        + (pl.col("_rate") % SCALE).cast(pl.Utf8).str.zfill(4)
    )
    return c.select(
        "claim",
        "person_id",
        "on",
        pl.lit(rules.version).alias("rules_version"),
        (pension | short_ok).alias("eligible"),
        benefit.alias("benefit"),
        pl.when(pension)
        .then(prev)
        .when(short_ok & pl.lit(sc.kind == "old_age_allowance"))
        .then(short_amount)
        .alias("monthly_amount"),
        pl.when(short_ok & pl.lit(sc.kind == "lump_sum"))
        .then(short_amount)
        .alias("lump_sum_amount"),
        "insured_months",
        pl.when(pension)
        .then(pl.col("_ref"))
        .when(short_ok)
        .then(short_ref)
        .alias("reference_salary"),
        pl.when(pension).then(rate_text).cast(pl.Decimal(18, 4)).alias("rate"),
        "age",
        "normal_age",
        pl.lit("set").alias("path"),
    )


def _calendar_bands(rules: PensionRules) -> list[tuple[int | None, int | None]]:
    """The calendar-year bands of a per-year rate (domain rate_step): [low, high) years."""
    rate = rules.rate
    if rate.method != "per_year":
        return []
    by_calendar = sorted(
        (b for b in rate.brackets if b.before_year is not None), key=lambda b: b.before_year
    )
    if not by_calendar:
        return []
    bands, previous = [], None
    for b in by_calendar:
        bands.append((previous, b.before_year))
        previous = b.before_year
    if any(b.before_year is None and b.up_to_years is None for b in rate.brackets):
        bands.append((previous, None))
    return bands


def _per_year_rate(rules: PensionRules, bands) -> pl.Expr:
    """The sum of the brackets' percent × complete insured years (domain rate_step)."""
    rate = rules.rate
    by_count = [b for b in rate.brackets if b.before_year is None]
    by_calendar = sorted(
        (b for b in rate.brackets if b.before_year is not None), key=lambda b: b.before_year
    )
    terms: list[pl.Expr] = []
    if by_calendar:
        for i, b in enumerate(by_calendar):
            terms.append(_scaled(b.percent_per_year) * (pl.col(f"_band_{i}") // 12))
        rest = [b for b in by_count if b.up_to_years is None]
        if rest:
            i = len(by_calendar)
            terms.append(_scaled(rest[0].percent_per_year) * (pl.col(f"_band_{i}") // 12))
    else:
        years = pl.col("insured_months") // 12
        lower = 0
        for b in by_count:
            top = years if b.up_to_years is None else pl.min_horizontal(years, b.up_to_years)
            terms.append(_scaled(b.percent_per_year) * pl.max_horizontal(top - lower, 0))
            if b.up_to_years is not None:
                lower = b.up_to_years
    return pl.sum_horizontal(terms) if terms else pl.lit(0, dtype=pl.Int64)
