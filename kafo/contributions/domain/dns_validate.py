"""Validate the lines of a salary declaration: types, periods, registration numbers (their
leading zeros completed), employers, lengths and totals; every error a row
(kafo/contributions/domain/dns.py)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from .compute import EXECUTIVE
from .dns_columns import (
    MAX_AMOUNT_DIGITS,
    MAX_DECLARATION_TOTAL,
    MAX_GROSS_SALARY,
    MAX_LENGTHS,
    NUMBER_LENGTHS,
    PERIOD_RE,
    _error,
)
from .periods import PERIOD_HELP


def _amount(col: str) -> pl.Expr:
    return pl.col(col).str.replace_all(r"[\s\u00a0\u202f]", "").str.replace(",", ".", literal=True)


def validate(
    frame: pl.DataFrame,
    *,
    employers: pl.DataFrame,
    today: dt.date,
    expected_employer: str | None = None,
    expected_period: str | None = None,
) -> tuple[pl.DataFrame, list[dict]]:
    """Check every line; return the typed frame and the error rows (all of them).

    `employers`: columns employer_number (str), employer_id (i64), risk_class (i64), and
    optionally closed_on (date: no period may start after it).
    The typed frame adds: employer_id, risk_class, gross (i64), days (i64), category, months,
    period_start (date).
    """
    if expected_employer is not None:
        expected_employer = expected_employer.strip()
    frame = frame.with_columns(pl.col("period").replace(*_canonical_periods(frame["period"])))
    frame, truncated = _complete_numbers(frame)
    if "closed_on" not in employers.columns:
        employers = employers.with_columns(pl.lit(None, dtype=pl.Date).alias("closed_on"))
    amount = _amount("gross_salary")
    quarterly = pl.col("period").str.contains("Q", literal=True)
    typed = (
        frame.lazy()
        .with_columns(  # lazy: one plan, shared sub-expressions computed once
            pl.col("national_id").str.replace_all(r"[\s\-.]", "").str.to_uppercase(),
            pl.when(pl.col("category") == "")
            .then(pl.lit("standard"))
            .otherwise(pl.col("category").str.to_lowercase())
            .alias("category"),
            amount.alias("_amount"),
            quarterly.alias("_quarterly"),
        )
        .join(employers.lazy(), on="employer_number", how="left", maintain_order="left")
    )

    period_ok = pl.col("period").str.contains(PERIOD_RE)
    year = pl.col("period").str.slice(0, 4).cast(pl.Int32, strict=False)
    month = (
        pl.when(pl.col("_quarterly"))
        .then(pl.col("period").str.slice(6, 1).cast(pl.Int32, strict=False) * 3 - 2)
        .otherwise(pl.col("period").str.slice(5, 2).cast(pl.Int32, strict=False))
    )
    amount_ok = pl.col("_amount").str.contains(r"^\d+(\.\d+)?$")
    whole = pl.col("_amount").str.replace(r"\.0*$", "")
    # The month is nulled where the period is refused: Polars builds the date on every line, and
    # 2025-13 or 2025-Q5 would raise instead of leaving the line to its period error.
    period_start = pl.date(year, pl.when(period_ok).then(month), 1)
    typed = typed.with_columns(
        period_start.alias("period_start"),
        pl.when(pl.col("_quarterly"))
        .then(period_start.dt.offset_by("2mo").dt.month_end())
        .otherwise(period_start.dt.month_end())
        .alias("_period_end"),
        pl.when(pl.col("_quarterly")).then(3).otherwise(1).cast(pl.Int64).alias("months"),
        pl.when(
            amount_ok & whole.str.contains(r"^\d+$") & (whole.str.len_chars() <= MAX_AMOUNT_DIGITS)
        )
        .then(whole.cast(pl.Int64, strict=False))
        .alias("gross"),
        pl.when(pl.col("days_worked").str.contains(r"^\d{1,3}$"))
        .then(pl.col("days_worked").cast(pl.Int64, strict=False))
        .alias("days"),
    ).collect()
    identity = (
        pl.when(pl.col("worker_number") != "")
        .then(pl.lit("n:") + pl.col("worker_number"))
        .otherwise(pl.lit("i:") + pl.col("national_id"))
    )
    checks: list[tuple[str, pl.Expr, str]] = [
        ("employer_number", pl.col("employer_number") == "", "numéro d'employeur manquant"),
        (
            "employer_number",
            (pl.col("employer_number") != "") & pl.col("employer_id").is_null(),
            "employeur inconnu dans cet organisme",
        ),
        ("period", ~period_ok, f"période invalide : {PERIOD_HELP}"),
        ("period", period_ok & (pl.col("period_start") > pl.lit(today)), "période future"),
        (
            "period",
            period_ok
            & (pl.col("period_start") <= pl.lit(today))
            & (pl.col("_period_end") >= pl.lit(today)),
            pl.lit("période non terminée : elle finit le ")
            + pl.col("_period_end").dt.strftime("%d/%m/%Y")
            + pl.lit(", déclarez-la ensuite"),
        ),
        (
            "period",
            period_ok & (pl.col("period_start") > pl.col("closed_on")),
            pl.lit("employeur fermé le ")
            + pl.col("closed_on").dt.strftime("%d/%m/%Y")
            + pl.lit(" : pas de déclaration pour une période ultérieure"),
        ),
        *[
            (
                column,
                pl.col(column).is_in(values),
                f"numéro incomplet ({NUMBER_LENGTHS[column]} chiffres attendus) dont la clé de "
                "contrôle ne correspond pas, même complété par des zéros en tête : la colonne "
                "a sans doute été enregistrée comme nombre ; mettez-la au format texte et "
                "saisissez le numéro entier",
            )
            for column, values in truncated.items()
        ],
        (
            "worker_number",
            (pl.col("worker_number") == "") & (pl.col("national_id") == ""),
            "worker_number ou national_id obligatoire",
        ),
        ("family_name", pl.col("family_name") == "", "nom obligatoire"),
        ("given_names", pl.col("given_names") == "", "prénoms obligatoires"),
        ("days_worked", pl.col("days").is_null(), "nombre de jours entier attendu"),
        (
            "days_worked",
            pl.col("days").is_not_null()
            & (pl.col("days") > pl.when(pl.col("_quarterly")).then(92).otherwise(31)),
            "jours travaillés : 0 à 31 pour un mois, 0 à 92 pour un trimestre",
        ),
        (
            "days_worked",
            pl.col("days").is_not_null()
            & (pl.col("days") <= pl.when(pl.col("_quarterly")).then(92).otherwise(31))
            & (pl.col("days") > _period_days()),
            pl.lit("jours travaillés : ")
            + _period_days().cast(pl.Utf8)
            + pl.lit(" au plus pour ")
            + pl.col("period"),
        ),
        ("gross_salary", pl.col("_amount") == "", "salaire brut obligatoire"),
        (
            "gross_salary",
            pl.col("_amount").str.starts_with("-") & pl.col("_amount").str.contains(r"^-\d"),
            "salaire négatif",
        ),
        (
            "gross_salary",
            (pl.col("_amount") != "") & ~pl.col("_amount").str.contains(r"^-?\d+(\.\d+)?$"),
            "montant non numérique",
        ),
        (
            "gross_salary",
            amount_ok & ~whole.str.contains(r"^\d+$"),
            "montant en unités entières (le franc CFA n'a pas de centimes)",
        ),
        (
            "gross_salary",
            amount_ok
            & whole.str.contains(r"^\d+$")
            & ((whole.str.len_chars() > MAX_AMOUNT_DIGITS) | (pl.col("gross") > MAX_GROSS_SALARY)),
            f"montant invraisemblable : {MAX_GROSS_SALARY:,} francs au plus par ligne".replace(
                ",", " "
            ),
        ),
        *[
            (
                column,
                pl.col(column).str.len_chars() > limit,
                f"trop long : {limit} caractères au plus",
            )
            for column, limit in MAX_LENGTHS.items()
        ],
        (
            "category",
            ~pl.col("category").is_in(["standard", EXECUTIVE]),
            "catégorie : standard ou executive",
        ),
    ]
    if expected_employer is not None:
        checks.append(
            (
                "employer_number",
                (pl.col("employer_number") != "")
                & (pl.col("employer_number") != pl.lit(expected_employer)),
                "autre employeur que celui de la déclaration",
            )
        )
    if expected_period is not None:
        checks.append(
            (
                "period",
                period_ok & (pl.col("period") != pl.lit(expected_period)),
                "autre période que celle de la déclaration",
            )
        )
    checks.append(
        (
            "worker_number",
            ((pl.col("worker_number") != "") | (pl.col("national_id") != ""))
            & ~pl.struct("employer_number", "period", identity.alias("_id")).is_first_distinct(),
            "salarié déclaré deux fois pour cet employeur et cette période",
        )
    )
    # A reason is a text, or an expression naming the line's own limit or date (computed on
    # the faulty lines only).
    worded = {i: r for i, (_c, _e, r) in enumerate(checks) if isinstance(r, pl.Expr)}
    bad = (
        typed.lazy()  # lazy: the regexes the checks share are computed once (CSE)
        .select(
            "line",
            *[cond.alias(f"_c{i}") for i, (_col, cond, _reason) in enumerate(checks)],
            *[pl.col(c) for c in {c for c, _e, _r in checks}],
            *[pl.col(c) for c in ("period_start", "_period_end", "closed_on", "_quarterly")],
        )
        .filter(pl.any_horizontal(pl.col(f"_c{i}").fill_null(False) for i in range(len(checks))))
        .with_columns(*[r.alias(f"_r{i}") for i, r in worded.items()])
        .collect()
    )
    frames = []
    for i, (col, _cond, reason) in enumerate(checks):
        hit = bad.filter(pl.col(f"_c{i}").fill_null(False))
        if hit.height:
            frames.append(
                hit.select(
                    "line",
                    pl.lit(col).alias("column"),
                    pl.col(col).alias("value"),
                    (pl.col(f"_r{i}") if i in worded else pl.lit(reason)).alias("reason"),
                )
            )
    errors = pl.concat(frames).sort(["line", "column"]).to_dicts() if frames else []
    errors.extend(_total_errors(typed))
    typed = typed.with_columns(identity.alias("identity")).drop("_amount", "_period_end")
    return typed, errors


def _period_days() -> pl.Expr:
    """The number of days of the line's period (28 to 31 for a month, 90 to 92 a quarter)."""
    return (pl.col("_period_end") - pl.col("period_start")).dt.total_days() + 1


def _canonical_periods(column: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Return (as sent, as stored) for the distinct periods of a file that are written
    otherwise than stored: lower case, a quarter 'YYYY-Tn' ('YYYY-Qn'), a date of the month
    ('2025-03-01' from a date cell, '01/03/2025', '03/2025': '2025-03'). Done on the distinct
    values (a file has few periods), then replaced in the column."""
    day = r"(?:0?[1-9]|[12]\d|3[01])"
    sent = column.unique().drop_nulls()
    stored = (
        sent.str.strip_chars()
        .str.to_uppercase()
        .str.replace(r"^(\d{4})-T([1-4])$", "${1}-Q${2}")
        .str.replace(r"^(\d{4})-(0[1-9]|1[0-2])-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$", "${1}-${2}")
        .str.replace(rf"^(?:{day}/)?(0[1-9]|1[0-2])/(\d{{4}})$", "${2}-${1}")
        .str.replace(rf"^(?:{day}/)?([1-9])/(\d{{4}})$", "${2}-0${1}")
    )
    changed = sent != stored
    return sent.filter(changed), stored.filter(changed)


def _luhn_ok(number: pl.Expr, length: int) -> pl.Expr:
    """Whether a `length`-digit text passes the Luhn check (registration_numbers.is_valid)."""
    total = pl.lit(0, dtype=pl.Int32)
    for i in range(length):
        digit = number.str.slice(i, 1).cast(pl.Int32)
        if (length - 1 - i) % 2:  # every second digit from the right, check digit excluded
            digit = pl.when(digit * 2 > 9).then(digit * 2 - 9).otherwise(digit * 2)
        total = total + digit
    return total % 10 == 0


def _complete_numbers(frame: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, list[str]]]:
    """Give back their leading zeros to registration numbers a spreadsheet stored as numbers
    (0000000018 → 18): a number of digits shorter than its kind's is completed with zeros when
    the check digit then holds. Return the frame and, per column, the short numbers whose check
    digit fails even so (refused by `validate`: never a pending registration of a wrong number).
    Done on the distinct short values only (usually none)."""
    truncated: dict[str, list[str]] = {}
    for column, length in NUMBER_LENGTHS.items():
        short = (
            frame.lazy()
            .select(pl.col(column).str.strip_chars())
            .filter(pl.col(column).str.contains(rf"^\d{{1,{length - 1}}}$"))
            .unique()
            .with_columns(pl.col(column).str.zfill(length).alias("_full"))
            .with_columns(_luhn_ok(pl.col("_full"), length).alias("_ok"))
            .collect()
        )
        if not short.height:
            continue
        good = short.filter(pl.col("_ok"))
        frame = frame.with_columns(
            pl.col(column).str.strip_chars().replace(good[column], good["_full"])
        )
        truncated[column] = short.filter(~pl.col("_ok"))[column].sort().to_list()
    return frame, truncated


def _total_errors(typed: pl.DataFrame) -> list[dict]:
    """One error per employer and period whose salaries add up to more than a declaration
    stores (MAX_DECLARATION_TOTAL)."""
    over = (
        typed.group_by("employer_number", "period")
        # lines over MAX_GROSS_SALARY are errors already; without them no int64 sum overflows
        .agg(pl.col("gross").filter(pl.col("gross") <= MAX_GROSS_SALARY).sum().alias("total"))
        .filter(pl.col("total") > MAX_DECLARATION_TOTAL)
        .sort("employer_number", "period")
    )
    limit = f"{MAX_DECLARATION_TOTAL:,}".replace(",", " ")
    return [
        _error(
            None,
            "gross_salary",
            str(total),
            f"total trop grand : la masse salariale de l'employeur {employer} pour la période "
            f"{period} dépasse {limit} francs, ce qu'une déclaration peut enregistrer",
        )
        for employer, period, total in over.iter_rows()
    ]
