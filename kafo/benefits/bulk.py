"""Set-based old-age liquidation: many claims of one organisation at once (bench/benefits.py).

`liquidate(organisation=..., claims=...)` reads the careers of every claimant in a few SQL
statements, computes insured months, reference salary, rate and amount with Polars expressions
under the rule version in force on each claim's date, and returns one row per claim: `eligible`,
`benefit`, `monthly_amount`, `lump_sum_amount`, `insured_months`, `reference_salary`, `rate`
(and `age`, `normal_age`, `rules_version`, `path`, `error`). A claim dated before any rule
version is answered `path` = "no_rule", benefit "none"; a claim the domain refuses (a rule
error, e.g. no point price for a year of the career) carries the reason in `error`, alone.

Its answers are those of the per-claim domain function `compute_old_age` (which also writes the
trace an officer reads; kafo/benefits/tests/test_bulk.py compares both on generated careers):
the same steps in the same order, in exact integer arithmetic. Money is whole francs
(Int64); percentages are carried as integers in units of 1/10,000 of a percent (`SCALE`), so
`round0(reference_salary × rate / 100)` is `(2n + d) // 2d` on exact integers, half up as
`trace.round0`. Nothing is a float.

What the set-based path does not compute goes to `compute_old_age`, claim by claim, on the
career lines already read (column `path` = "per_claim"):
- points schemes (IPRES-SN: points bought per year at that year's price, their buy-back);
- a rule with a percentage finer than 1/10,000 or an amount bound in fractions of a franc.
The trace of any claim, set-based or not, is `compute_old_age` on the same career.

Career lines are read as `kafo.contributions.selectors.person_career` reads them: lines of the
organisation's declarations in force, carrying the person (a pending registration counts once
resolved); only the organisation's own lines count for its formula. A quarterly line
('2025-Q1') is spread over its three months: a third of the salary (to the nearest franc) and
of the days (rounded down) on each of the first two, the rest on the third, as
kafo/benefits/retirement.py does (an assumption: the domain works by calendar month and no
source says how a quarter splits; `career_lines_of` does the same for the per-claim path).
It reads the lines of the persons it is given only: the claim service (claims.py) also adds
the other records of the same zone person at the organisation and a claim's proven periods,
which this path does not.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import polars as pl
from django.db import connection

from kafo.contributions.domain import periods as declaration_periods
from kafo.organisations.tenancy import current_scope

from .domain.career import CareerLine, spread
from .domain.pension import Claimant, OldAgeResult, compute_old_age
from .domain.rules import PensionRules, RuleError
from .domain.trace import round0

SCALE = 10_000  # percentages as integers in 1/10,000 of a percent
HUNDRED = 100 * SCALE
PERSONS_PER_READ = 5_000  # claimants whose lines one statement reads (bounds the string read)

CLAIM_SCHEMA = {
    "person_id": pl.Int64,
    "on": pl.Date,
    "birth_date": pl.Date,
    "sex": pl.Utf8,
    "children_born": pl.Int64,
    "dependent_children": pl.Int64,
    "category": pl.Utf8,
}
CLAIM_OPTIONAL = ("sex", "children_born", "dependent_children", "category")  # may be left out
LINE_SCHEMA = {
    "person_id": pl.Int64,
    "period": pl.Utf8,
    "gross_salary": pl.Int64,
    "days_worked": pl.Int64,
}
RESULT_SCHEMA = {
    "claim": pl.Int64,
    "person_id": pl.Int64,
    "on": pl.Date,
    "rules_version": pl.Utf8,
    "eligible": pl.Boolean,
    "benefit": pl.Utf8,
    "monthly_amount": pl.Int64,
    "lump_sum_amount": pl.Int64,
    "insured_months": pl.Int64,
    "reference_salary": pl.Int64,
    "rate": pl.Decimal(18, 4),
    "age": pl.Int64,
    "normal_age": pl.Int64,
    "path": pl.Utf8,
    "error": pl.Utf8,
}


@dataclass(frozen=True)
class Claim:
    """One claim to liquidate: whose career, on which date, the claimant's particulars."""

    person_id: int
    on: dt.date
    claimant: Claimant


def claims_frame(claims: Iterable[Claim]) -> pl.DataFrame:
    """The claims as the frame `liquidate` takes (columns CLAIM_SCHEMA)."""
    rows = [
        (
            c.person_id,
            c.on,
            c.claimant.birth_date,
            c.claimant.sex,
            c.claimant.children_born,
            c.claimant.dependent_children,
            c.claimant.category,
        )
        for c in claims
    ]
    return pl.DataFrame(rows, schema=CLAIM_SCHEMA, orient="row")


# --- reads --------------------------------------------------------------------------------


def liquidate(*, organisation, claims: pl.DataFrame | Sequence[Claim]) -> pl.DataFrame:
    """Liquidate the old-age claims of `organisation`'s persons; one result row per claim, in
    the claims' order (`claim` is the claim's position).

    Reads: the organisation's old-age rule versions (one query), then, PERSONS_PER_READ
    claimants at a time (which bounds memory), their career lines (two statements) before
    computing their claims. Refused outside a scope that allows the organisation, as every
    tenant read.
    """
    from .models import BenefitKind, BenefitRuleVersion

    if not current_scope().allows(organisation.pk):
        raise PermissionError("organisation hors du périmètre courant")
    frame = claims if isinstance(claims, pl.DataFrame) else claims_frame(claims)
    frame = frame.with_row_index("claim").with_columns(pl.col("claim").cast(pl.Int64))
    versions = [
        (v.effective_from, v.rules())
        for v in BenefitRuleVersion.objects.filter(
            organisation_id=organisation.pk, kind=BenefitKind.OLD_AGE
        ).order_by("effective_from")
    ]
    persons = frame["person_id"].unique().sort().to_list()
    parts = [pl.DataFrame(schema=RESULT_SCHEMA)]
    for start in range(0, len(persons), PERSONS_PER_READ):
        chunk = persons[start : start + PERSONS_PER_READ]
        lines = career_lines(organisation_id=organisation.pk, person_ids=chunk)
        group = frame.filter(pl.col("person_id").is_in(chunk))
        parts.append(liquidate_frame(lines=lines, claims=group, versions=versions))
    return pl.concat(parts).sort("claim")


def career_lines(*, organisation_id: int, person_ids: Sequence[int]) -> pl.DataFrame:
    """The declared lines (person_id, period, gross_salary, days_worked) of these persons at
    the organisation, from its declarations in force.

    Per PERSONS_PER_READ persons, two statements: their lines (by the person index), returned
    as one CSV text (a string aggregate) that Polars parses in C, no Python object per line (a
    fetchall of 8.4 million rows is one tuple each); then the declarations those lines belong
    to that are in force, with their period, joined by Polars. (Joined in SQL, SQLite looked
    each line's declaration up by its key: 3 times the time of the read alone.)
    """
    from kafo.contributions.models import Declaration, DeclarationLine, DeclarationStatus

    lines_t, decl_t = DeclarationLine._meta.db_table, Declaration._meta.db_table
    if connection.vendor == "postgresql":
        row = (
            "person_id::text || ',' || declaration_id::text || ',' || gross_salary::bigint::text"
            " || ',' || days_worked::text"
        )
        agg, decl_row, any_of = (
            f"string_agg({row}, E'\\n')",
            "string_agg(id::text || ',' || period, E'\\n')",
            "= ANY({})",
        )
    else:
        row = (
            "person_id || ',' || declaration_id || ',' || CAST(gross_salary AS INTEGER)"
            " || ',' || days_worked"
        )
        agg, decl_row = (
            f"group_concat({row}, char(10))",
            "group_concat(id || ',' || period, char(10))",
        )
        any_of = "IN (SELECT value FROM json_each({}))"
    lines_sql = f"SELECT {agg} FROM {lines_t} WHERE organisation_id = %s AND person_id {any_of}"  # noqa: S608 - constant names
    decl_sql = (
        f"SELECT {decl_row} FROM {decl_t} "  # noqa: S608 - constant names
        f"WHERE organisation_id = %s AND status = %s AND id {any_of}"
    )
    if connection.vendor == "postgresql":
        # The ids are written into the statement as an array constant (integers only, made
        # here): PostgreSQL then probes a hash of them in one scan of the lines (1.8 s for 5,000
        # persons of 20,000), or uses the person index for a few. Bound as a parameter, the
        # array was searched linearly for every line (over a minute for the same read).
        def sql(template, values):
            return template.format(
                "'{" + ",".join(str(int(v)) for v in values) + "}'::bigint[]"
            ), []
    else:

        def sql(template, values):
            return template.format("%s"), [json.dumps(values)]

    raw_schema = {
        "person_id": pl.Int64,
        "declaration_id": pl.Int64,
        "gross_salary": pl.Int64,
        "days_worked": pl.Int64,
    }

    ids = sorted({int(p) for p in person_ids})
    parts = []
    with connection.cursor() as cur:
        for start in range(0, len(ids), PERSONS_PER_READ):
            text, arg = sql(lines_sql, ids[start : start + PERSONS_PER_READ])
            cur.execute(text, [organisation_id, *arg])
            lines = _csv(cur.fetchone()[0], raw_schema)
            if lines is None:
                continue
            declarations = lines["declaration_id"].unique().sort().to_list()
            text, arg = sql(decl_sql, declarations)
            cur.execute(text, [organisation_id, DeclarationStatus.IN_FORCE, *arg])
            in_force = _csv(cur.fetchone()[0], {"declaration_id": pl.Int64, "period": pl.Utf8})
            if in_force is not None:
                parts.append(lines.join(in_force, on="declaration_id").select(list(LINE_SCHEMA)))
    if not parts:
        return pl.DataFrame(schema=LINE_SCHEMA)
    return pl.concat(parts)


def _csv(text: str | None, schema: dict) -> pl.DataFrame | None:
    if not text:
        return None
    return pl.read_csv(
        io.BytesIO(text.encode()), has_header=False, new_columns=list(schema), schema=schema
    )


def career_lines_of(organisation: str, rows: Iterable[tuple[str, object, int | None]]):
    """CareerLines for the domain from (period, gross salary, days) rows of one person at one
    organisation, a quarter spread over its three months as the set-based path does."""
    out = []
    for period, salary, days in rows:
        for month, share, day_share in spread(declaration_periods.months_in(period), salary, days):
            out.append(CareerLine(organisation, month, share, day_share))
    return out


# --- the computation (no database) --------------------------------------------------------


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


def liquidate_frame(
    *,
    lines: pl.DataFrame,
    claims: pl.DataFrame,
    versions: Sequence[tuple[dt.date, PensionRules]],
) -> pl.DataFrame:
    """Liquidate `claims` (CLAIM_SCHEMA) from `lines` (LINE_SCHEMA, one organisation's) under
    the rule `versions` (start date, rules), the latest start on or before a claim's date
    applying. Pure: no database. One row per claim (RESULT_SCHEMA), in the claims' order."""
    optional = [c for c in CLAIM_OPTIONAL if c not in claims.columns]
    given = [c for c in ("claim",) if c in claims.columns]
    claims = (
        claims.with_columns(pl.lit(None, dtype=CLAIM_SCHEMA[c]).alias(c) for c in optional)
        .select(*given, *[pl.col(c).cast(t) for c, t in CLAIM_SCHEMA.items()])
        .with_columns(
            pl.col("children_born").fill_null(0), pl.col("dependent_children").fill_null(0)
        )
    )
    if "claim" not in claims.columns:
        claims = claims.with_row_index("claim")
    claims = claims.with_columns(pl.col("claim").cast(pl.Int64))
    versions = sorted(versions, key=lambda v: v[0])
    starts = pl.Series([v[0] for v in versions], dtype=pl.Date)
    claims = claims.with_columns(
        (starts.search_sorted(claims["on"], side="right").cast(pl.Int64) - 1).alias("_version")
    )
    months = _months(lines)
    parts = []
    for i, (_start, rules) in enumerate(versions):
        group = claims.filter(pl.col("_version") == i)
        if group.height == 0:
            continue
        if set_based_refusal(rules) is None:
            parts.append(_set_based(rules, group, months))
        else:
            parts.append(_per_claim(rules, group, lines))
    orphans = claims.filter(pl.col("_version") < 0)
    if orphans.height:
        parts.append(
            orphans.select(
                "claim",
                "person_id",
                "on",
                pl.lit(False).alias("eligible"),
                pl.lit("none").alias("benefit"),
                pl.lit("no_rule").alias("path"),
            )
        )
    empty = pl.DataFrame(schema=RESULT_SCHEMA)
    out = pl.concat([empty, *parts], how="diagonal_relaxed") if parts else empty
    return out.select([pl.col(c).cast(t) for c, t in RESULT_SCHEMA.items()]).sort("claim")


def _months(lines: pl.DataFrame) -> pl.DataFrame:
    """One row per line and calendar month: person_id, month (year × 12 + month − 1), salary,
    days; a quarterly line becomes three (module docstring)."""
    lines = lines.select([pl.col(c).cast(t) for c, t in LINE_SCHEMA.items()])
    year = pl.col("period").str.slice(0, 4).cast(pl.Int64)
    quarterly = pl.col("period").str.contains("Q")
    monthly = lines.filter(~quarterly).select(
        "person_id",
        (year * 12 + pl.col("period").str.slice(5, 2).cast(pl.Int64) - 1).alias("month"),
        pl.col("gross_salary").alias("salary"),
        pl.col("days_worked").alias("days"),
    )
    quarters = lines.filter(quarterly)
    if quarters.height:
        k = pl.col("k")
        s, d = pl.col("gross_salary"), pl.col("days_worked")
        spread = (
            quarters.with_columns(pl.int_ranges(0, 3).alias("k"))
            .explode("k")
            .select(
                "person_id",
                (year * 12 + (pl.col("period").str.slice(-1).cast(pl.Int64) - 1) * 3 + k).alias(
                    "month"
                ),
                pl.when(k < 2).then((s + 1) // 3).otherwise(s - 2 * ((s + 1) // 3)).alias("salary"),
                pl.when(k < 2).then(d // 3).otherwise(d - 2 * (d // 3)).alias("days"),
            )
        )
        monthly = pl.concat([monthly, spread])
    return monthly


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
    # conditions besides the minimum period (pension._further_conditions)
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


def _per_claim(rules: PensionRules, claims: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """compute_old_age claim by claim, on the career lines already read."""
    persons = claims["person_id"].unique()
    careers: dict[int, list[tuple]] = {}
    for person, period, salary, days in (
        lines.filter(pl.col("person_id").is_in(persons.implode()))
        .select(list(LINE_SCHEMA))
        .iter_rows()
    ):
        careers.setdefault(person, []).append((period, salary, days))
    rows = []
    for claim in claims.iter_rows(named=True):
        career = career_lines_of(rules.organisation, careers.get(claim["person_id"], []))
        claimant = Claimant(
            claim["birth_date"],
            claim["sex"],
            children_born=claim["children_born"],
            dependent_children=claim["dependent_children"],
            category=claim["category"],
        )
        try:
            r = compute_old_age(rules, career, claimant, on=claim["on"])
        except RuleError as exc:  # e.g. no point price for a year of the career: this claim
            rows.append(_error_row(claim, rules, str(exc)))
            continue
        rows.append(_result_row(claim, r))
    return pl.DataFrame(rows, schema=RESULT_SCHEMA, orient="row")


def _int(x: Decimal | None) -> int | None:
    return None if x is None else int(x)


def _result_row(claim: dict, r: OldAgeResult) -> tuple:
    return (
        claim["claim"],
        claim["person_id"],
        claim["on"],
        r.rules_version,
        r.eligible,
        r.benefit,
        _int(r.monthly_amount),
        _int(r.lump_sum_amount),
        r.insured_months,
        _int(r.reference_salary),
        None if r.rate is None else r.rate,
        r.age,
        r.normal_age,
        "per_claim",
        None,
    )


def _error_row(claim: dict, rules: PensionRules, error: str) -> tuple:
    return (
        claim["claim"],
        claim["person_id"],
        claim["on"],
        rules.version,
        False,
        "none",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        "per_claim",
        error,
    )
