"""The liquidation of a frame of claims from a frame of career lines (no database): each rule
version's claims go the set-based way (bulk_set_based) or claim by claim through
compute_old_age; the frames' schemas (kafo/benefits/bulk.py says how)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from kafo.contributions.domain import periods as declaration_periods

from .bulk_set_based import _set_based, set_based_refusal
from .domain.career import CareerLine, spread
from .domain.pension import Claimant, OldAgeResult, compute_old_age
from .domain.rules import PensionRules, RuleError

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


def career_lines_of(organisation: str, rows: Iterable[tuple[str, object, int | None]]):
    """CareerLines for the domain from (period, gross salary, days) rows of one person at one
    organisation, a quarter spread over its three months as the set-based path does."""
    out = []
    for period, salary, days in rows:
        for month, share, day_share in spread(declaration_periods.months_in(period), salary, days):
            out.append(CareerLine(organisation, month, share, day_share))
    return out


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
