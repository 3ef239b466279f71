"""Files made of indicator snapshots: the indicator table in Excel (any organisation or the
zone, one column a month) and the director's monthly report in PDF (also in the governance
board pack). Text goes through kafo/exports.py (formula injection neutralised, PDF markup
escaped)."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import SimpleDocTemplate, Spacer

from kafo.exports import paragraph, pdf_table, xlsx_append
from kafo.stats import selectors
from kafo.stats.format import cell_text, period_label


def _number(unit: str, cell):
    """The value as a number for a spreadsheet cell (ratios as percentages), None if no data."""
    if not cell.has_data:
        return None
    value = Decimal(cell.value)
    return float(value * 100) if unit == "ratio" else float(value)


def indicator_table_xlsx(organisation, periods: list[str]) -> bytes:
    """Return the workbook: one row per indicator, one column per period (values), then the
    latest month's numerator and denominator; "pas encore de données" where there is none."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Indicateurs")[:31]
    scope = organisation.name if organisation else _("Zone (total)")
    xlsx_append(ws, [_("Indicateurs — %(scope)s") % {"scope": scope}])
    ws["A1"].font = Font(bold=True, size=13)
    xlsx_append(
        ws,
        [
            _("Indicateur"),
            _("Unité"),
            *[period_label(p) for p in periods],
            _("Numérateur (%(p)s)") % {"p": period_label(periods[-1]) if periods else ""},
            _("Dénominateur"),
            _("Version de la formule"),
        ],
    )
    for cell in ws[2]:
        cell.font = Font(bold=True)
    no_data = _("pas encore de données")
    for row in selectors.indicator_table(organisation, periods):
        unit = row.indicator.unit
        values = [_number(unit, c) for c in row.cells]
        last = row.cells[-1] if row.cells else None
        xlsx_append(
            ws,
            [
                row.indicator.name(),
                "%" if unit == "ratio" else row.indicator.get_unit_display(),
                *[no_data if v is None else v for v in values],
                None if last is None or last.numerator is None else float(last.numerator),
                None if last is None or last.denominator is None else float(last.denominator),
                row.indicator.formula_version,
            ],
        )
    ws.column_dimensions["A"].width = 60
    ws.freeze_panes = "C3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def report_story(organisation, period: str | None, styles) -> list:
    """The flowables of the monthly report (title, one table of every indicator: this month,
    the month before, the same month a year before), reused by the board pack."""
    title = _("Rapport mensuel des indicateurs — %(org)s — %(p)s") % {
        "org": organisation.name,
        "p": period_label(period) if period else _("pas encore de données"),
    }
    story = [paragraph(title, styles["Title"])]
    if not period:
        story.append(paragraph(_("Aucun indicateur calculé pour l'instant."), styles["Normal"]))
        return story
    periods = selectors.last_periods(13, until=period)
    shown = [periods[0], periods[-2], periods[-1]]
    cell_style = styles["BodyText"].clone("cell", fontSize=8, leading=10)
    header = [_("Indicateur"), *[period_label(p) for p in shown], _("Numérateur / dénominateur")]
    rows = [[paragraph(h, cell_style, bold=True) for h in header]]
    for row in selectors.indicator_table(organisation, shown):
        unit = row.indicator.unit
        last = row.cells[-1]
        ratio = (
            f"{_whole(last.numerator)} / {_whole(last.denominator)}"
            if last.has_data and last.denominator is not None
            else ""
        )
        rows.append(
            [
                paragraph(row.indicator.name(), cell_style),
                *[paragraph(cell_text(unit, c), cell_style) for c in row.cells],
                paragraph(ratio, cell_style),
            ]
        )
    story += [
        paragraph(
            _(
                "Valeurs calculées par « kafo stats compute » ; les définitions figurent dans le "
                "référentiel des indicateurs."
            ),
            styles["Normal"],
        ),
        Spacer(1, 0.3 * cm),
        pdf_table(rows, [7 * cm, 2.3 * cm, 2.3 * cm, 2.3 * cm, 4 * cm]),
    ]
    return story


def _whole(value) -> str:
    return "—" if value is None else f"{int(Decimal(value)):,}".replace(",", " ")


def monthly_report_pdf(organisation, period: str | None) -> bytes:
    """Return the director's monthly report of `organisation` for `period` as PDF."""
    styles = getSampleStyleSheet()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=1.2 * cm,
        rightMargin=1.2 * cm,
        topMargin=1.2 * cm,
        bottomMargin=1.2 * cm,
        title=_("Rapport mensuel des indicateurs"),
        pageCompression=0,
    )
    doc.build(report_story(organisation, period, styles))
    return out.getvalue()
