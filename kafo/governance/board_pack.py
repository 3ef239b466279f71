"""The board pack of a session, as Excel (openpyxl) and PDF (reportlab).

Both files carry the same rows, in the order of `selectors.board_pack`: late decisions first.
Every text goes through `kafo.exports` (a decision title typed as a formula or as PDF markup is
shown as typed).
"""

from __future__ import annotations

import datetime as dt
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from kafo.exports import paragraph, xlsx_append

from .models import Session, Status


def headers() -> list[str]:
    return [
        _("Réf."),
        _("Session"),
        _("Décision"),
        _("Responsable"),
        _("Structure"),
        _("Échéance"),
        _("Statut"),
        _("Note de suivi"),
    ]


def _date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def rows_of(decisions) -> list[list[str]]:
    return [
        [
            d.reference,
            _date(d.session.date),
            d.title,
            d.owner_name,
            d.owner_unit,
            _date(d.deadline),
            str(Status(d.shown_status).label),
            d.follow_up_note,
        ]
        for d in decisions
    ]


def title_of(session: Session) -> str:
    return _("Dossier de la session n° %(n)s du %(d)s — %(body)s") % {
        "n": session.number,
        "d": _date(session.date),
        "body": session.body.name,
    }


def to_xlsx(session: Session, decisions) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Suivi des décisions")[:31]
    xlsx_append(ws, [title_of(session)])
    ws["A1"].font = Font(bold=True, size=13)
    xlsx_append(ws, headers())
    for cell in ws[2]:
        cell.font = Font(bold=True)
    late_fill = PatternFill("solid", fgColor="FDE2E1")
    for decision, row in zip(decisions, rows_of(decisions), strict=True):
        xlsx_append(ws, row)
        if decision.shown_status == Status.LATE:
            for cell in ws[ws.max_row]:
                cell.fill = late_fill
    for column, width in zip("ABCDEFGH", (9, 11, 50, 24, 20, 11, 12, 50), strict=True):
        ws.column_dimensions[column].width = width
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def to_pdf(session: Session, decisions) -> bytes:
    styles = getSampleStyleSheet()
    cell = styles["BodyText"].clone("cell", fontSize=8, leading=10)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=1.2 * cm,
        rightMargin=1.2 * cm,
        topMargin=1.2 * cm,
        bottomMargin=1.2 * cm,
        title=title_of(session),
        pageCompression=0,
    )
    data = [[paragraph(h, cell, bold=True) for h in headers()]]
    data += [[paragraph(v, cell) for v in row] for row in rows_of(decisions)]
    widths = [1.6, 2.0, 7.0, 3.6, 3.0, 2.0, 2.0, 6.0]
    table = Table(data, colWidths=[w * cm for w in widths], repeatRows=1)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEF1F4")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    for i, decision in enumerate(decisions, start=1):
        if decision.shown_status == Status.LATE:
            style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#FDE2E1")))
    table.setStyle(TableStyle(style))
    story = [
        paragraph(title_of(session), styles["Title"]),
        paragraph(
            _("%(n)s décision(s) à examiner, les décisions en retard en premier.")
            % {"n": len(decisions)},
            styles["Normal"],
        ),
        Spacer(1, 0.4 * cm),
        table,
        *_indicators_story(session, styles),
    ]
    doc.build(story)
    return out.getvalue()


def _indicators_story(session: Session, styles) -> list:
    """The director's monthly indicator report of the session's organisation (kafo/stats), on a
    page of its own after the decisions."""
    from reportlab.platypus import PageBreak

    from kafo.stats import reports, selectors

    organisation = session.organisation
    period = selectors.latest_period(organisation)
    return [PageBreak(), *reports.report_story(organisation, period, styles)]
