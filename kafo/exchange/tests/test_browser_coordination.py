"""In a real browser: a two-country pension claim under the CIPRES convention, from the request
for periods to both decisions and the summary of decisions (PDF).

Moussa Coulibaly has 96 months at INPS-ML (150,000 a month) and 120 months at CNSS-BJ
(200,000): neither opens the right alone (156 and 180 months needed), 216 months together do.
INPS-ML pays 42 % × 150,000 × 96/216 = 28,000 a month, CNSS-BJ 36 % × 200,000 × 120/216 =
40,000 (benefits.md §12).
"""

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from conftest import login_in_browser
from kafo.benefits import claims
from kafo.benefits.models import Claim, ClaimStatus
from kafo.benefits.services import benefits_seed
from kafo.exchange import demo
from kafo.exchange.models import Direction, LiaisonMessage, MessageKind
from kafo.rules.services import rules_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _logout(page):
    page.click("text=Se déconnecter")
    page.wait_for_load_state()


def _pdf_text(body: bytes) -> str:
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    return " ".join(text.split())


def test_two_country_claim_from_request_to_both_decisions_and_the_summary(
    browser_page, zone, make_user
):
    rules_seed()
    benefits_seed()
    today = timezone.localdate()
    case = next(c for c in demo.CASES if c.key == "coulibaly")
    records = demo.case_records(case, today=today)
    ml, bj = zone["INPS-ML"], zone["CNSS-BJ"]
    make_user(ml, "liaison_officer", username="ml.liaison")
    ml_officer = make_user(ml, "benefits_officer", username="ml.liquidateur")
    make_user(ml, "director", username="ml.directeur")
    make_user(bj, "liaison_officer", username="bj.liaison")
    make_user(bj, "benefits_officer", username="bj.liquidateur")
    make_user(bj, "director", username="bj.directeur")
    claim = claims.claim_open(
        person=records["INPS-ML"], kind="pension", claim_date=today, user=ml_officer
    )
    for doc in claim.documents.all():
        claims.claim_document_set(
            claim=claim, code=doc.code, received=True, user=ml_officer, reference="P-1"
        )
    page = browser_page
    claim_url = f"/benefits/claims/{claim.pk}/"

    # INPS-ML's liaison officer asks CNSS-BJ for the periods, from the claim page
    login_in_browser(page, "ml.liaison")
    page.goto(claim_url)
    row = "#coordination-CNSS-BJ"
    assert "(CNSS-BJ)" in page.inner_text(row)
    page.click("#request-CNSS-BJ")
    page.wait_for_selector("text=Demande de périodes envoyée.")
    assert "en attente" in page.inner_text(f"{row} .request")
    request = LiaisonMessage.objects.get(
        organisation=ml, kind=MessageKind.PERIODS_REQUEST, claim=claim
    )
    assert page.inner_text(f"{row} td:nth-child(3)") == f"{request.deadline:%d/%m/%Y}"
    assert page.query_selector("#forward-CNSS-BJ") is None  # nothing received yet
    _logout(page)

    # CNSS-BJ's liaison officer answers from the incoming message
    login_in_browser(page, "bj.liaison")
    page.goto("/exchange/")
    page.click(f"tr:has-text('{request.reference}') >> text=traiter")
    page.click("button[name=decision][value=approve]")
    page.wait_for_selector("text=Réponse enregistrée.")
    _logout(page)

    # back at INPS-ML: 120 months received; the claim is computed, then forwarded
    login_in_browser(page, "ml.liquidateur")
    page.goto(claim_url)
    assert "120 mois" in page.inner_text(f"{row} .periods")
    assert page.query_selector("#forward-CNSS-BJ") is None  # a liaison officer forwards
    page.click("#compute")
    page.wait_for_selector("#trace")
    assert page.inner_text("#amount") == "28 000 FCFA"
    page.click("#submit-claim")
    page.wait_for_selector("text=Demande soumise à approbation.")
    _logout(page)
    login_in_browser(page, "ml.liaison")
    page.goto(claim_url)
    page.click("#forward-CNSS-BJ")
    page.wait_for_selector("text=Demande transmise.")
    assert "décision attendue" in page.inner_text(f"{row} .decision")
    _logout(page)

    # CNSS-BJ computes and decides its own share of the claim forwarded to it
    forwarded = LiaisonMessage.objects.get(
        organisation=bj, direction=Direction.INCOMING, kind=MessageKind.CLAIM_FORWARD
    )
    bj_claim = forwarded.claim
    login_in_browser(page, "bj.liquidateur")
    page.goto(f"/benefits/claims/{bj_claim.pk}/")
    assert claim.reference in page.inner_text("#forwarded-from")
    for box in page.query_selector_all("#checklist input[type=checkbox]"):
        box.check()
    page.click("#save-documents")
    page.wait_for_selector("text=Pièces enregistrées")
    page.click("#compute")
    page.wait_for_selector("#trace")
    assert page.inner_text("#amount") == "40 000 FCFA"
    page.click("#submit-claim")
    page.wait_for_selector("text=Demande soumise à approbation.")
    _logout(page)
    login_in_browser(page, "bj.directeur")
    page.goto(f"/benefits/claims/{bj_claim.pk}/")
    page.click("#approve")
    page.wait_for_selector("#notification-pdf")
    _logout(page)

    # INPS-ML decides too; the page shows CNSS-BJ's decision and the summary opens
    login_in_browser(page, "ml.directeur")
    page.goto(claim_url)
    page.click("#approve")
    page.wait_for_selector("#notification-pdf")
    claim.refresh_from_db()
    bj_claim = Claim.objects.get(pk=bj_claim.pk)
    assert (claim.status, bj_claim.status) == (ClaimStatus.APPROVED, ClaimStatus.APPROVED)
    decision = page.inner_text(f"{row} .decision")
    assert "40 000 FCFA par mois" in decision
    href = page.get_attribute("#summary-pdf", "href")
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    text = _pdf_text(response.body())
    assert "Récapitulatif des décisions" in text
    assert "Mois d'assurance totalisés 216" in text
    assert "28 000 FCFA par mois" in text and "40 000 FCFA par mois" in text
    assert "96/216 (44,44 %)" in text and "120/216 (55,56 %)" in text
    assert "Total des montants décidés : 68 000 FCFA par mois" in text
    assert claim.reference in text
