"""Read a salary declaration file (CSV or .xlsx) into a frame of strings with the canonical
column names; what cannot be read becomes error rows (kafo/contributions/domain/dns.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from . import file_limits
from .dns_columns import (
    COLUMNS,
    DEFAULT_LIMITS,
    ENCODING_HELP,
    HEADER_ALIASES,
    IDENTITY,
    OPTIONAL,
    REQUIRED,
    ROW_COLUMN,
    _error,
)
from .file_limits import FileLimits


@dataclass
class Parsed:
    frame: pl.DataFrame | None
    errors: list[dict]


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
