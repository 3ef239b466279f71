"""kafo.exports: stored text leaves Kafo inert (PDF markup escaped, formulas neutralised)."""

import csv
import datetime as dt
import io
from decimal import Decimal

import polars as pl
import pytest
from openpyxl import Workbook, load_workbook

from kafo.exports import csv_row, neutralise_frame, pdf_text, spreadsheet_cell, xlsx_append


@pytest.mark.parametrize(
    ("typed", "exported"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1", "'  =1"),
        ("-5", "-5"),
        ("-1 500,50", "'-1 500,50"),
        ("+12.5", "+12.5"),
        ("Traoré = chef", "Traoré = chef"),
        ("", ""),
    ],
)
def test_spreadsheet_text(typed, exported):
    assert spreadsheet_cell(typed) == exported
    assert neutralise_frame(pl.DataFrame({"c": [typed]}))["c"][0] == exported


def test_numbers_dates_and_empty_cells_stay_as_they_are():
    assert csv_row([-42000, Decimal("-1.5"), dt.date(2025, 1, 2), None, "=1"]) == [
        -42000,
        Decimal("-1.5"),
        dt.date(2025, 1, 2),
        None,
        "'=1",
    ]
    frame = neutralise_frame(pl.DataFrame({"n": [-3], "t": ["=A1"]}))
    assert frame.rows() == [(-3, "'=A1")]


def test_xlsx_append_stores_text_not_formulas():
    wb = Workbook()
    xlsx_append(wb.active, ["=1+1", -5, "ok"])
    out = io.BytesIO()
    wb.save(out)
    row = load_workbook(io.BytesIO(out.getvalue())).active[1]
    assert [(c.value, c.data_type) for c in row] == [("'=1+1", "s"), (-5, "n"), ("ok", "s")]


def test_csv_row_round_trip():
    out = io.StringIO()
    csv.writer(out).writerow(csv_row(['=WEBSERVICE("http://x")', 7]))
    assert out.getvalue() == '"\'=WEBSERVICE(""http://x"")",7\r\n'


def test_pdf_text_escapes_reportlab_markup():
    assert pdf_text('</b><a href="x">&</a>') == '&lt;/b&gt;&lt;a href="x"&gt;&amp;&lt;/a&gt;'
    assert pdf_text(None) == ""
