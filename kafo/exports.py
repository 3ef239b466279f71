"""Text that leaves Kafo in a file, made inert: escaped for reportlab's paragraph markup in
PDFs, neutralised against formulas in Excel and CSV exports.

Every PDF, Excel and CSV export goes through these functions, whatever the text's origin (a
payment reference, a bank-statement line, an employer name, a decision title typed through the
API): stored text is shown as it was typed, never interpreted. Pure: no Django.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from xml.sax.saxutils import escape

import polars as pl
from reportlab.lib import colors
from reportlab.platypus import Paragraph, Table, TableStyle

# OWASP "CSV injection": a cell starting with one of these is read as a formula by Excel,
# LibreOffice or Google Sheets (=HYPERLINK, =WEBSERVICE, +cmd|..., @SUM, a tab or CR first).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_RE = r"^[ ]*[=+\-@\t\r]"
_PLAIN_NUMBER_RE = r"^[+-]?\d+(?:[.,]\d+)?$"
_formula = re.compile(_FORMULA_RE)
_plain_number = re.compile(_PLAIN_NUMBER_RE)


def pdf_text(value) -> str:
    """Return `value` as text that reportlab's Paragraph shows literally: `<`, `>` and `&`
    escaped, so no tag (`<a href>`, `<font>`, a stray `</b>`) is ever interpreted."""
    return escape("" if value is None else str(value))


def paragraph(value, style, *, bold: bool = False) -> Paragraph:
    """A Paragraph showing `value` literally (optionally in bold)."""
    text = pdf_text(value)
    return Paragraph(f"<b>{text}</b>" if bold else text, style)


def pdf_table(rows, widths, *, header: bool = True) -> Table:
    """The house table of Kafo's PDFs: small type, thin grid, a tinted header row repeated on
    each page. Cells are Paragraphs or texts already escaped (`paragraph`, `pdf_text`)."""
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")))
    table.setStyle(TableStyle(style))
    return table


def spreadsheet_text(value: str) -> str:
    """Return a text a spreadsheet will not evaluate: prefixed with a single quote when it
    starts (after spaces) with a formula trigger. A plain number written as text ("-5") is left
    as it is: it is a number, not a formula."""
    if _formula.match(value) and not _plain_number.match(value):
        return "'" + value
    return value


def spreadsheet_cell(value):
    """Neutralise a cell value: strings through `spreadsheet_text`, numbers, dates and empty
    cells unchanged (a negative amount stays a number)."""
    return spreadsheet_text(value) if isinstance(value, str) else value


def csv_row(values: Iterable) -> list:
    """One row for `csv.writer`, every cell neutralised."""
    return [spreadsheet_cell(v) for v in values]


def xlsx_append(ws, values: Iterable) -> None:
    """Append one row to an openpyxl worksheet, every text cell neutralised and typed as a
    string, so that openpyxl never stores it as a formula."""
    ws.append([spreadsheet_cell(v) for v in values])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """The same neutralisation for every text column of a Polars frame (before `write_csv`)."""
    texts = [c for c, t in frame.schema.items() if t == pl.Utf8]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(_FORMULA_RE) & ~pl.col(c).str.contains(_PLAIN_NUMBER_RE))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in texts
    )
