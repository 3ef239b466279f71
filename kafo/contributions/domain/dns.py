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
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from kafo.registry.domain.registration_numbers import EMPLOYER_DIGITS, PERSON_DIGITS

from . import file_limits
from .compute import ALL_CLASSES, EXECUTIVE, Rate, rate_ppm
from .file_limits import FileLimits
from .periods import PERIOD_HELP

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
# French headers (the template's) and their usual variants, folded by `_header_key`, for the
# columns' names.
HEADER_ALIASES = {
    "numero_employeur": "employer_number",
    "n_employeur": "employer_number",
    "no_employeur": "employer_number",
    "numero_d_immatriculation_employeur": "employer_number",
    "periode": "period",
    "numero_salarie": "worker_number",
    "n_salarie": "worker_number",
    "no_salarie": "worker_number",
    "numero_assure": "worker_number",
    "numero_national": "national_id",
    "numero_d_identification_nationale": "national_id",
    "nina": "national_id",
    "nom": "family_name",
    "nom_de_famille": "family_name",
    "prenoms": "given_names",
    "prenom": "given_names",
    "jours_travailles": "days_worked",
    "jours": "days_worked",
    "salaire_brut": "gross_salary",
    "categorie": "category",
}
# The template's headers, in COLUMNS' order (views.declaration_template).
FRENCH_HEADERS = (
    "Numéro employeur",
    "Période",
    "Numéro salarié",
    "Numéro national",
    "Nom",
    "Prénoms",
    "Jours travaillés",
    "Salaire brut",
    "Catégorie",
)
# Registration numbers that a spreadsheet stored as numbers lose their leading zeros; their
# full length, for completing them (registry.domain.registration_numbers: digits + check digit).
NUMBER_LENGTHS = {"employer_number": EMPLOYER_DIGITS + 1, "worker_number": PERSON_DIGITS + 1}
ROW_COLUMN = "__row__"  # an Excel sheet's row numbers, carried to normalise_columns
ENCODING_HELP = (
    "fichier illisible : ni UTF-8 ni Windows-1252 ; dans Excel, choisissez "
    "Fichier > Enregistrer sous > « CSV UTF-8 (délimité par des virgules) »"
)
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
    except UnicodeDecodeError:
        # What French Excel saves as "CSV (séparateur : point-virgule)": Windows-1252.
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            return Parsed(None, [_error(None, None, None, ENCODING_HELP)])
        content = text.encode("utf-8")
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
        row_numbers: list[int] = []  # the sheet's, blank rows skipped but counted
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
            row_numbers.append(number)
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
    frame = pl.DataFrame(cols, schema={c: pl.Utf8 for c in cols})
    return Parsed(frame.with_columns(pl.Series(ROW_COLUMN, row_numbers, dtype=pl.Int64)), [])


def _cell(v) -> str | None:
    """A cell as text: a whole float without its '.0', a date cell as its day (a period typed
    as 01/03/2025 is then read as its month by `validate`)."""
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def frame_from_rows(rows: Sequence[dict]) -> pl.DataFrame:
    """Build the string frame from JSON lines (the API's and the web form's path)."""
    data = {c: [None if r.get(c) is None else str(r.get(c)) for r in rows] for c in COLUMNS}
    return pl.DataFrame(data, schema={c: pl.Utf8 for c in COLUMNS})


def _header_key(name: str) -> str:
    """Fold a header to a column name: lower case, accents and punctuation dropped
    ('Salaire brut' → 'salaire_brut' → gross_salary; 'N° salarié' → 'n_salarie')."""
    base, dup, rest = name.strip().lstrip("\ufeff").partition("_duplicated_")
    text = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode().lower()
    key = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    key = HEADER_ALIASES.get(key, key)
    return f"{key}{dup}{rest}"


def normalise_columns(frame: pl.DataFrame) -> tuple[pl.DataFrame | None, list[dict]]:
    """Read the header (English or French names, any case), check required columns, add the
    optional ones, strip values, number the lines and skip blank ones.

    A column given twice (`period;Période`, or twice the same name, which the CSV reader
    renames `period_duplicated_0`) is refused: which one holds the values is anybody's guess.
    """
    rows = frame.get_column(ROW_COLUMN) if ROW_COLUMN in frame.columns else None
    if rows is not None:
        frame = frame.drop(ROW_COLUMN)
    renamed = {c: _header_key(c) for c in frame.columns}
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
    )
    if rows is None:
        frame = frame.with_row_index("line", offset=2).with_columns(pl.col("line").cast(pl.Int64))
    else:
        frame = frame.with_columns(rows.alias("line")).select("line", *COLUMNS)
    # A blank line (`;;;;;;;;` from a spreadsheet) is no line: skipped, the others keep their
    # numbers.
    return frame.filter(pl.any_horizontal(pl.col(c) != "" for c in COLUMNS)), []


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
    period_start = pl.when(period_ok).then(pl.date(year, month, 1))
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
