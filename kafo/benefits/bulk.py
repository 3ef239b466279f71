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

This module reads (`liquidate`, `career_lines`); the computation without a database is in
bulk_frame (the frames, each rule version's claims, the per-claim path) and bulk_set_based (the
Polars steps); their public names are re-exported here.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence

import polars as pl
from django.db import connection

from kafo.organisations.tenancy import current_scope

from .bulk_frame import (
    CLAIM_OPTIONAL,
    CLAIM_SCHEMA,
    LINE_SCHEMA,
    RESULT_SCHEMA,
    Claim,
    career_lines_of,
    claims_frame,
    liquidate_frame,
)
from .bulk_set_based import HUNDRED, SCALE, set_based_refusal

__all__ = [
    "CLAIM_OPTIONAL",
    "CLAIM_SCHEMA",
    "Claim",
    "HUNDRED",
    "LINE_SCHEMA",
    "PERSONS_PER_READ",
    "RESULT_SCHEMA",
    "SCALE",
    "career_lines",
    "career_lines_of",
    "claims_frame",
    "liquidate",
    "liquidate_frame",
    "set_based_refusal",
]


PERSONS_PER_READ = 5_000  # claimants whose lines one statement reads (bounds the string read)


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
