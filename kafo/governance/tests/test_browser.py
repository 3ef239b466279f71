"""A director's board follow-up in a real browser: record a session with two decisions, mark
one done with its evidence, open the board pack of the next session."""

import pytest
from openpyxl import load_workbook

from conftest import login_in_browser
from kafo.governance import services
from kafo.governance.models import Decision, Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_director_records_session_marks_done_with_evidence_and_opens_board_pack(
    browser_page, zone, make_user
):
    page = browser_page
    org = zone["INPS-ML"]
    make_user(org, "director", username="dg.inps")
    body = services.body_create(organisation=org, name="Conseil d'administration", kind="board")
    services.body_member_add(body=body, name="Aminata Traoré", role="Présidente")
    login_in_browser(page, "dg.inps")

    page.goto(f"/governance/bodies/{body.pk}/")
    page.click("text=Nouvelle session")
    page.fill("#id_date", "2020-01-10")
    page.fill("#id_place", "Bamako")
    page.fill("#id_agenda", "1. Budget 2020\n2. Recouvrement")
    page.check("#id_attendees_0")
    page.set_input_files(
        "#id_minutes",
        files=[{"name": "pv.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 pv"}],
    )
    page.click("button[type=submit]")
    page.wait_for_selector("text=Décisions de la session")
    assert "Aminata Traoré (Présidente)" in page.inner_text("main")

    for title, owner, deadline in (
        ("Adopter le budget 2020", "Moussa Keita", "2020-03-31"),
        ("Recouvrer les arriérés des grandes entreprises", "Awa Diarra", "2020-02-28"),
    ):
        page.fill("#id_title", title)
        page.fill("#id_owner_name", owner)
        page.fill("#id_owner_unit", "Direction financière")
        page.fill("#id_deadline", deadline)
        page.click("text=Enregistrer la décision")
        page.wait_for_selector(f"text={title}")
    assert Decision.unscoped.filter(session__body=body).count() == 2

    page.click("text=Adopter le budget 2020")
    page.select_option("#id_status", "done")
    page.fill("#id_note", "Budget voté et notifié")
    page.fill("#id_follow_up_note", "Exécution suivie par la DFC")
    page.set_input_files(
        "#id_evidence",
        files=[{"name": "budget.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 b"}],
    )
    page.click("form[action$='/status/'] button[type=submit]")
    page.wait_for_selector("text=Statut enregistré.")
    history = page.inner_text("#history")
    assert "réalisé" in history and "Budget voté et notifié" in history
    assert page.inner_text("#decision-status") == "réalisé"

    # the next session and its board pack
    page.goto(f"/governance/bodies/{body.pk}/")
    page.click("text=Nouvelle session")
    page.fill("#id_date", "2099-01-10")
    page.click("button[type=submit]")
    page.wait_for_selector("text=2 décisions des sessions précédentes à examiner.")
    with page.expect_download() as download:
        page.click("#pack-xlsx")
    assert download.value.suggested_filename == f"dossier-session-{body.pk}-2.xlsx"
    with open(download.value.path(), "rb") as xlsx:
        ws = load_workbook(xlsx).active
    rows = [[c.value for c in row][:7] for row in ws.iter_rows(min_row=3)]
    assert rows == [
        ["S1-D2", "10/01/2020", "Recouvrer les arriérés des grandes entreprises", "Awa Diarra",
         "Direction financière", "28/02/2020", "en retard"],
        ["S1-D1", "10/01/2020", "Adopter le budget 2020", "Moussa Keita",
         "Direction financière", "31/03/2020", "réalisé"],
    ]  # fmt: skip
    pdf = page.request.get(page.get_attribute("#pack-pdf", "href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    assert Session.unscoped.filter(body=body).count() == 2
