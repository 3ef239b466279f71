"""Limits on an uploaded CSV or .xlsx file, checked before it is parsed. Pure: no Django.

A file is measured without being parsed: its size; for a CSV, its line count and the header's
field count; for an .xlsx (a zip), the zip's own directory (entries, declared uncompressed
sizes, compression ratios) and each sheet's declared dimension, then its `<row>` tags counted by
streaming the sheet through the decompressor (never more than the declared sizes, which are
bounded first). A 1.7 KB workbook claiming A1:XFD1048576 or a 200 MB sheet compressed into a
few kilobytes is refused in milliseconds, before openpyxl opens it.

Errors are the readers' rows (line, column, value, reason), reasons in French like the readers'.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

MB = 1024 * 1024
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?\"")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")
_SHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_RATIO_MIN_BYTES = MB  # entries smaller than this are not judged on their compression ratio


@dataclass(frozen=True)
class FileLimits:
    """What one upload may hold. None: no limit of that kind (the command line's bulk path)."""

    max_bytes: int | None = None
    max_rows: int | None = None  # data lines, the header not counted
    max_columns: int = 50
    xlsx_max_uncompressed: int = 50 * MB
    xlsx_max_entries: int = 200
    xlsx_max_ratio: int = 200


def megabytes(n: int) -> str:
    """`n` bytes as a French reader writes a size: 5 Mo, 7,3 Mo, 24 Ko, 900 octets."""
    if n < 1024:
        return f"{n} octets"
    if n < MB:
        return f"{n // 1024} Ko"
    value = f"{n / MB:.1f}".replace(".", ",").removesuffix(",0")
    return f"{value} Mo"


def _error(reason: str, line: int | None = None, value: str | None = None) -> dict:
    return {"line": line, "column": None, "value": value, "reason": reason}


def is_xlsx(content: bytes, filename: str = "") -> bool:
    return filename.lower().endswith(".xlsx") or content[:2] == b"PK"


def check(content: bytes, filename: str, limits: FileLimits) -> list[dict]:
    """Return the limits `content` exceeds (empty when it may be parsed)."""
    if limits.max_bytes is not None and len(content) > limits.max_bytes:
        return [
            _error(
                f"fichier trop volumineux : {megabytes(len(content))}, "
                f"{megabytes(limits.max_bytes)} au plus"
            )
        ]
    if is_xlsx(content, filename):
        return check_xlsx(content, limits)
    return check_csv(content, limits)


def check_csv(content: bytes, limits: FileLimits) -> list[dict]:
    """Count the header's fields and the lines, without decoding or parsing the file."""
    header = content[: content.find(b"\n")] if b"\n" in content else content
    fields = max(header.count(b";"), header.count(b",")) + 1
    if fields > limits.max_columns:
        return [
            _error(
                f"trop de colonnes : {fields}, {limits.max_columns} au plus",
                line=1,
                value=header[:80].decode("utf-8", "replace"),
            )
        ]
    if limits.max_rows is not None:
        lines = content.count(b"\n") + (0 if content.endswith(b"\n") else 1)
        if lines - 1 > limits.max_rows:
            return [_error(f"trop de lignes : {lines - 1}, {limits.max_rows} au plus")]
    return []


def _column_number(letters: bytes) -> int:
    n = 0
    for c in letters:
        n = n * 26 + c - 64
    return n


def check_xlsx(content: bytes, limits: FileLimits) -> list[dict]:
    """Inspect the workbook's zip: entries, sizes, ratios, sheet dimensions, row count."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        return [_error(f"classeur Excel illisible ({exc})")]
    if len(entries) > limits.xlsx_max_entries:
        return [
            _error(
                f"classeur Excel anormal : {len(entries)} éléments dans le fichier, "
                f"{limits.xlsx_max_entries} au plus"
            )
        ]
    total = sum(e.file_size for e in entries)
    if total > limits.xlsx_max_uncompressed:
        return [
            _error(
                f"classeur Excel trop volumineux une fois décompressé : {megabytes(total)}, "
                f"{megabytes(limits.xlsx_max_uncompressed)} au plus"
            )
        ]
    for e in entries:
        if e.file_size >= _RATIO_MIN_BYTES and e.file_size > limits.xlsx_max_ratio * max(
            e.compress_size, 1
        ):
            return [
                _error(
                    f"classeur Excel anormal : {e.filename} est compressé "
                    f"{e.file_size // max(e.compress_size, 1)} fois, "
                    f"{limits.xlsx_max_ratio} fois au plus"
                )
            ]
    sheets = [e for e in entries if _SHEET.match(e.filename)]
    try:
        for sheet in sheets:
            errors = _check_sheet(archive, sheet, limits)
            if errors:
                return errors
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
        return [_error(f"classeur Excel illisible ({exc})")]
    return []


def _check_sheet(archive: zipfile.ZipFile, sheet: zipfile.ZipInfo, limits: FileLimits):
    with archive.open(sheet) as stream:
        head = stream.read(16 * 1024)
        found = _DIMENSION.search(head)
        if found:
            last_col, last_row = found.group(3) or found.group(1), found.group(4) or found.group(2)
            columns, rows = _column_number(last_col), int(last_row)
            ref = found.group(0).split(b'"')[1].decode()
            if columns > limits.max_columns:
                return [
                    _error(
                        f"trop de colonnes : la feuille annonce {columns} colonnes "
                        f"({ref}), {limits.max_columns} au plus"
                    )
                ]
            if limits.max_rows is not None and rows - 1 > limits.max_rows:
                return [_error(f"trop de lignes : {rows - 1}, {limits.max_rows} au plus")]
        if limits.max_rows is None:
            return []
        # Count the <row> tags: the declared dimension may be absent or false.
        rows, tail, chunk = 0, b"", head
        while chunk:
            window = tail + chunk
            rows += len(_ROW_TAG.findall(window)) - len(_ROW_TAG.findall(tail))
            if rows - 1 > limits.max_rows:
                return [
                    _error(f"trop de lignes : plus de {limits.max_rows}, {limits.max_rows} au plus")
                ]
            tail = window[-16:]
            chunk = stream.read(MB)
    return []
