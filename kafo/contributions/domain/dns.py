"""Read, validate and compute a salary declaration file (DNS, ../shared/formats/dns-csv.md).

Pure and set-based: Polars frames in and out, no Django, no Python loop over lines. The caller
passes what the database knows (employers, persons, rates) as plain frames and values.

Every check produces rows (line, column, value, reason); a file with any such row is rejected
whole. Line numbers are the file's: the header is line 1, the first data line is line 2; an
Excel file's are its rows, blank rows included (blank lines and rows are skipped, not errors).

What employers' files really look like (issue 16, §5): French column headers (`Période`,
`Salaire brut`; the English names are still read), a CSV saved by French Excel in Windows-1252,
a quarter written `2025-T1`, a period typed as a date (`01/03/2025`, a date cell), registration
numbers stored as numbers that lost their leading zeros (completed with zeros when the check
digit then holds, refused otherwise).

By job: dns_columns (the columns, headers, limits), dns_read (`read_bytes`, `normalise_columns`),
dns_validate (`validate`), and here `compute` and `content_hashes`; this module re-exports them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import polars as pl

from .compute import ALL_CLASSES, EXECUTIVE, Rate, rate_ppm
from .dns_columns import (
    AMOUNT_COLUMNS,
    BRANCHES,
    COLUMNS,
    DEFAULT_LIMITS,
    ENCODING_HELP,
    ERROR_SCHEMA,
    FRENCH_HEADERS,
    HEADER_ALIASES,
    IDENTITY,
    MAX_AMOUNT_DIGITS,
    MAX_DECLARATION_TOTAL,
    MAX_GROSS_SALARY,
    MAX_LENGTHS,
    NUMBER_LENGTHS,
    OPTIONAL,
    PERIOD_RE,
    REQUIRED,
    ROW_COLUMN,
    _error,
)
from .dns_read import Parsed, frame_from_rows, normalise_columns, read_bytes
from .dns_validate import validate

__all__ = [
    "AMOUNT_COLUMNS",
    "BRANCHES",
    "COLUMNS",
    "DEFAULT_LIMITS",
    "ENCODING_HELP",
    "ERROR_SCHEMA",
    "FRENCH_HEADERS",
    "HEADER_ALIASES",
    "IDENTITY",
    "MAX_AMOUNT_DIGITS",
    "MAX_DECLARATION_TOTAL",
    "MAX_GROSS_SALARY",
    "MAX_LENGTHS",
    "NUMBER_LENGTHS",
    "OPTIONAL",
    "PERIOD_RE",
    "Parsed",
    "REQUIRED",
    "ROW_COLUMN",
    "_error",
    "compute",
    "content_hashes",
    "frame_from_rows",
    "normalise_columns",
    "read_bytes",
    "validate",
]


def compute(typed: pl.DataFrame, rates_by_period: dict[str, list[Rate]]) -> pl.DataFrame:
    """Add the per-branch employer (`_er`) and employee (`_ee`) amounts of every line.

    Same rule as compute.line_shares, written as column expressions: bands × months, rounding
    half up per line and component as (base × ppm + 500 000) // 10⁶ in int64.
    """
    if typed.height == 0:
        return typed.with_columns([pl.lit(0, dtype=pl.Int64).alias(c) for c in AMOUNT_COLUMNS])
    # One pass per set of rates, not per period (a career taken over since 2000: 300 periods,
    # a few rate versions); the lines come out grouped by period in order of first appearance.
    by_rates: dict[tuple, list[str]] = {}
    for period in typed["period"].unique(maintain_order=True).to_list():
        by_rates.setdefault(tuple(rates_by_period.get(period, [])), []).append(period)
    typed = typed.with_row_index("_row")
    first = typed.group_by("period").agg(pl.col("_row").min().alias("_first"))
    parts = [
        typed.filter(pl.col("period").is_in(periods_)).with_columns(_amount_exprs(list(rates)))
        for rates, periods_ in by_rates.items()
    ]
    out = (
        pl.concat(parts, how="vertical_relaxed")
        .join(first, on="period")
        .sort("_first", "_row")
        .drop("_row", "_first")
    )
    return out.with_columns(
        pl.sum_horizontal([f"{b}_er" for b in BRANCHES]).alias("employer_total"),
        pl.sum_horizontal([f"{b}_ee" for b in BRANCHES]).alias("employee_total"),
    )


def _amount_exprs(rates: Sequence[Rate]) -> list[pl.Expr]:
    gross = pl.col("gross")
    m = pl.col("months")
    per_branch: dict[str, list[pl.Expr]] = {c: [] for c in AMOUNT_COLUMNS}
    classed = {}
    for r in rates:
        if r.risk_class != ALL_CLASSES:
            classed.setdefault((r.branch, r.component), set()).add(r.risk_class)
    for r in rates:
        s = gross
        if r.floor is not None:
            s = pl.max_horizontal(s, pl.lit(int(r.floor)) * m)
        if r.ceiling is not None:
            s = pl.min_horizontal(s, pl.lit(int(r.ceiling)) * m)
        base = pl.max_horizontal(pl.lit(0, dtype=pl.Int64), s - pl.lit(int(r.base_from)) * m)
        applies = gross > 0
        if r.applies_to == EXECUTIVE:
            applies = applies & (pl.col("category") == EXECUTIVE)
        if r.risk_class != ALL_CLASSES:
            applies = applies & (pl.col("risk_class") == r.risk_class)
        elif (r.branch, r.component) in classed:
            applies = applies & ~pl.col("risk_class").is_in(list(classed[(r.branch, r.component)]))
        for share, rate, flat in (
            ("er", r.employer_rate, r.employer_flat),
            ("ee", r.employee_rate, r.employee_flat),
        ):
            ppm = rate_ppm(rate)
            if not ppm and not flat:
                continue
            amount = (base * ppm + 500_000) // 1_000_000 + pl.lit(int(flat)) * m
            per_branch[f"{r.branch}_{share}"].append(
                pl.when(applies).then(amount).otherwise(0).cast(pl.Int64)
            )
    return [
        (pl.sum_horizontal(exprs) if exprs else pl.lit(0)).cast(pl.Int64).alias(col)
        for col, exprs in per_branch.items()
    ]


def content_hashes(typed: pl.DataFrame) -> pl.DataFrame:
    """Return one SHA-256 per (employer_number, period) of its normalised, sorted lines.

    The same content sent again — as CSV, Excel or JSON, lines in any order — has the same hash.
    """
    canon = pl.concat_str(
        [
            pl.col(c).cast(pl.Utf8)
            for c in (
                "worker_number",
                "national_id",
                "family_name",
                "given_names",
                "days",
                "gross",
                "category",
            )
        ],
        separator="\x1f",
    )
    grouped = (
        typed.select("employer_number", "period", canon.alias("canon"))
        .group_by("employer_number", "period")
        .agg(pl.col("canon").sort().str.join("\n"))
    )
    hashes = [hashlib.sha256(t.encode()).hexdigest() for t in grouped["canon"].to_list()]
    return grouped.drop("canon").with_columns(pl.Series("file_hash", hashes, dtype=pl.Utf8))
