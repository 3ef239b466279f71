"""Read, validate and compute a salary declaration file (DNS, ../shared/formats/dns-csv.md).

Pure and set-based: Polars frames in and out, no Django, no Python loop over lines. The caller
passes what the database knows (employers, persons, rates) as plain frames and values.

Every check produces rows (line, column, value, reason); a file with any such row is rejected
whole. Line numbers are the file's: the header is line 1, the first data line is line 2.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from . import file_limits
from .compute import ALL_CLASSES, EXECUTIVE, Rate, rate_ppm
from .file_limits import FileLimits

REQUIRED = (
    "employer_number",
    "period",
    "family_name",
    "given_names",
    "days_worked",
    "gross_salary",
)
IDENTITY = ("worker_number", "national_id")
OPTIONAL = ("category",)
COLUMNS = (*REQUIRED[:2], *IDENTITY, *REQUIRED[2:], *OPTIONAL)
BRANCHES = ("old_age", "family", "work_injury", "health")
AMOUNT_COLUMNS = tuple(f"{b}_{s}" for b in BRANCHES for s in ("er", "ee"))
MAX_AMOUNT_DIGITS = 12
# A gross salary per line above this is refused as implausible: ten billion francs for a month
# or a quarter, thousands of times the highest salaries of the zone. It catches an amount typed
# with extra zeros or a column shifted into the salary, and bounds what one line adds to the
# declaration's totals.
MAX_GROSS_SALARY = 10_000_000_000
# The declaration's totals are stored as DECIMAL(16, 0) (models._money): a declaration whose
# salaries add up to more is refused ("total trop grand"). Its contributions, a fraction of the
# salaries (rates well under 100 %), then fit as well.
MAX_DECLARATION_TOTAL = 10**16 - 1
# What a line's text columns may hold (DeclarationLine's max_length).
MAX_LENGTHS = {"worker_number": 20, "national_id": 30, "family_name": 80, "given_names": 120}
ERROR_SCHEMA = {"line": pl.Int64, "column": pl.Utf8, "value": pl.Utf8, "reason": pl.Utf8}
PERIOD_RE = r"^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$"
# A file read without a caller's limits (the service's default): columns and an .xlsx's zip
# bounded, no size or row limit (the web form and the API check theirs first, from settings).
DEFAULT_LIMITS = FileLimits()


@dataclass
class Parsed:
    frame: pl.DataFrame | None
    errors: list[dict]


def _error(line, column, value, reason) -> dict:
    return {"line": line, "column": column, "value": value, "reason": reason}


def read_bytes(content: bytes, filename: str = "", limits: FileLimits = DEFAULT_LIMITS) -> Parsed:
    """Read a CSV (`,` or `;`, optional BOM) or .xlsx file into a frame of strings.

    The file is first measured against `limits` (file_limits.check: size, rows, columns, an
    .xlsx's zip) and refused whole, unparsed, if it exceeds one of them.
    """
    errors = file_limits.check(content, filename, limits)
    if errors:
        return Parsed(None, errors)
    if file_limits.is_xlsx(content, filename):
        return _read_xlsx(content, limits)
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Parsed(None, [_error(None, None, None, f"fichier non UTF-8 ({exc.reason})")])
    header = text.split("\n", 1)[0].rstrip("\r")
    if not header.strip():
        return Parsed(None, [_error(1, None, "", "fichier vide : ligne d'en-tête attendue")])
    sep = ";" if header.count(";") > header.count(",") else ","
    if sep not in header:
        return Parsed(
            None,
            [_error(1, None, header[:80], "séparateur non reconnu : « , » ou « ; » attendu")],
        )
    try:
        frame = pl.read_csv(
            io.BytesIO(content),
            separator=sep,
            infer_schema=False,
            has_header=True,
            quote_char='"',
            raise_if_empty=False,
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError):
        return Parsed(None, _ragged_lines(text, sep))
    return Parsed(frame, [])


def _ragged_lines(text: str, sep: str) -> list[dict]:
    """Find the lines whose field count differs from the header (only on the error path)."""
    rows = csv.reader(io.StringIO(text), delimiter=sep)
    header = next(rows, [])
    errors = [
        _error(i, None, sep.join(r)[:80], f"{len(r)} champs au lieu de {len(header)}")
        for i, r in enumerate(rows, start=2)
        if r and len(r) != len(header)
    ]
    return errors or [_error(None, None, None, "fichier CSV illisible")]


def _read_xlsx(content: bytes, limits: FileLimits = DEFAULT_LIMITS) -> Parsed:
    """Read the first sheet in read-only mode, ignoring its declared dimension (a sheet may
    claim A1:XFD1048576); stop at the first row past the row or column limit."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is one file-level error
        return Parsed(None, [_error(None, None, None, f"classeur Excel illisible ({exc})")])
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # rows as wide as their cells, not as the declared dimension
        rows = ws.iter_rows(values_only=True)
        header_row = next(rows, ())
        header = [str(h).strip() if h is not None else "" for h in header_row]
        data: list[list[str | None]] = []
        for number, r in enumerate(itertools.chain([header_row], rows), start=1):
            if len(r) > limits.max_columns:
                reason = f"trop de colonnes : {len(r)}, {limits.max_columns} au plus"
                return Parsed(None, [_error(number, None, None, reason)])
            if limits.max_rows is not None and number - 1 > limits.max_rows:
                reason = f"trop de lignes : plus de {limits.max_rows}, {limits.max_rows} au plus"
                return Parsed(None, [_error(number, None, None, reason)])
            if number == 1 or all(v is None or str(v).strip() == "" for v in r):
                continue
            data.append(
                [_cell(v) for v in list(r)[: len(header)]] + [None] * (len(header) - len(r))
            )
    finally:
        wb.close()
    # A header written twice keeps both columns, named as the CSV reader names them
    # (`period_duplicated_0`), so that normalise_columns refuses it instead of one of them
    # silently winning.
    names: list[str] = []
    for i, h in enumerate(header):
        name = h or f"column_{i}"
        seen = sum(1 for n in names if n.split("_duplicated_")[0] == name)
        names.append(f"{name}_duplicated_{seen - 1}" if seen else name)
    cols = {n: [row[i] for row in data] for i, n in enumerate(names)}
    return Parsed(pl.DataFrame(cols, schema={c: pl.Utf8 for c in cols}), [])


def _cell(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def frame_from_rows(rows: Sequence[dict]) -> pl.DataFrame:
    """Build the string frame from JSON lines (the API's and the web form's path)."""
    data = {c: [None if r.get(c) is None else str(r.get(c)) for r in rows] for c in COLUMNS}
    return pl.DataFrame(data, schema={c: pl.Utf8 for c in COLUMNS})


def normalise_columns(frame: pl.DataFrame) -> tuple[pl.DataFrame | None, list[dict]]:
    """Lower-case the header, check required columns, add the optional ones, strip values.

    A column given twice (`period;Period`, or twice the same name, which the CSV reader renames
    `period_duplicated_0`) is refused: which one holds the values is anybody's guess.
    """
    renamed = {c: c.strip().lower().lstrip("\ufeff") for c in frame.columns}
    names = [n.split("_duplicated_")[0] for n in renamed.values()]
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        return None, [_error(1, c, None, "colonne présente plusieurs fois") for c in repeated]
    frame = frame.rename(renamed)
    errors = [
        _error(1, c, None, "colonne obligatoire absente")
        for c in REQUIRED
        if c not in frame.columns
    ]
    if not any(c in frame.columns for c in IDENTITY):
        errors.append(
            _error(1, "worker_number", None, "colonne worker_number ou national_id obligatoire")
        )
    if errors:
        return None, errors
    for c in (*IDENTITY, *OPTIONAL):
        if c not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.Utf8).alias(c))
    frame = frame.select(
        [pl.col(c).cast(pl.Utf8).str.strip_chars().fill_null("").alias(c) for c in COLUMNS]
    ).with_row_index("line", offset=2)
    return frame.with_columns(pl.col("line").cast(pl.Int64)), []


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

    `employers`: columns employer_number (str), employer_id (i64), risk_class (i64).
    The typed frame adds: employer_id, risk_class, gross (i64), days (i64), category, months,
    period_start (date).
    """
    amount = _amount("gross_salary")
    period = pl.col("period").str.to_uppercase()
    quarterly = period.str.contains("Q", literal=True)
    typed = (
        frame.lazy()
        .with_columns(  # lazy: one plan, shared sub-expressions computed once
            period.alias("period"),
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
    typed = typed.with_columns(
        pl.when(period_ok).then(pl.date(year, month, 1)).alias("period_start"),
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
        ("period", ~period_ok, "période invalide : AAAA-MM ou AAAA-Tn (ex. 2025-03, 2025-Q1)"),
        ("period", period_ok & (pl.col("period_start") > pl.lit(today)), "période future"),
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
    bad = (
        typed.lazy()  # lazy: the regexes the checks share are computed once (CSE)
        .select(
            "line",
            *[cond.alias(f"_c{i}") for i, (_col, cond, _reason) in enumerate(checks)],
            *[pl.col(c) for c in {c for c, _e, _r in checks}],
        )
        .filter(pl.any_horizontal(pl.col(f"_c{i}").fill_null(False) for i in range(len(checks))))
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
                    pl.lit(reason).alias("reason"),
                )
            )
    errors = pl.concat(frames).sort(["line", "column"]).to_dicts() if frames else []
    errors.extend(_total_errors(typed))
    typed = typed.with_columns(identity.alias("identity")).drop("_amount")
    return typed, errors


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


def compute(typed: pl.DataFrame, rates_by_period: dict[str, list[Rate]]) -> pl.DataFrame:
    """Add the per-branch employer (`_er`) and employee (`_ee`) amounts of every line.

    Same rule as compute.line_shares, written as column expressions: bands × months, rounding
    half up per line and component as (base × ppm + 500 000) // 10⁶ in int64.
    """
    parts = []
    for period, part in typed.partition_by("period", as_dict=True).items():
        key = period[0] if isinstance(period, tuple) else period
        parts.append(part.with_columns(_amount_exprs(rates_by_period.get(key, []))))
    if not parts:
        return typed.with_columns([pl.lit(0, dtype=pl.Int64).alias(c) for c in AMOUNT_COLUMNS])
    out = pl.concat(parts, how="vertical_relaxed")
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
