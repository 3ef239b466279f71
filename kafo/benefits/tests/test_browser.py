"""In a real browser, on a phone-sized screen: an officer opens a pension claim, ticks the
documents, computes, reads the trace and submits; an approver whose delegation covers the
amount approves; the award notification PDF opens and states the amount."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.utils import timezone
from pypdf import PdfReader

from conftest import login_in_browser
from kafo.benefits.demo import Job, declare_careers
from kafo.benefits.models import Claim, ClaimStatus
from kafo.benefits.services import benefits_seed
from kafo.governance import services as governance
from kafo.governance.tests import factories as gov
from kafo.registry.services import employer_register, person_register
from kafo.rules.services import rules_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_screen(page) -> bool:
    """Nothing wider than the 390 px screen: wide tables scroll inside their card."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_officer_computes_and_submits_approver_approves_notification_opens(
    browser_page, zone, make_user
):
    """CNSS-BJ: 270 months at 50,000 → 44 % of 50,000 = 22,000 FCFA a month."""
    rules_seed()
    benefits_seed()
    org = zone["CNSS-BJ"]
    employer = employer_register(organisation=org, data={"legal_name": "SOBEBRA", "risk_class": 1})
    person = person_register(
        organisation=org,
        data={
            "family_name": "Hounkpatin",
            "given_names": "Comlan",
            "sex": "M",
            "birth_date": dt.date(1958, 1, 15),
        },
    )
    declare_careers(
        organisation=org,
        jobs=[Job(employer, person, "2003-07", "2025-12", 50000, raise_percent=0)],
    )
    make_user(org, "benefits_officer", username="bj.liquidateur")
    approver = make_user(org, "approver", username="bj.approbateur")
    decision = gov.decision(gov.session(gov.board(org)), title="Délégations de signature")
    governance.delegation_grant(
        decision=decision,
        delegate=approver,
        kind="benefit_approval",
        amount_ceiling=D(50000),
        start_date=max(timezone.localdate() - dt.timedelta(days=30), decision.session.date),
    )
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})

    # the officer: from the person's Retraite tab, open a claim
    login_in_browser(page, "bj.liquidateur")
    page.goto(f"/persons/{person.pk}/")
    page.click("nav.tabs >> text=Retraite")
    page.wait_for_selector("#simulation-result")
    assert page.inner_text("#monthly-amount") == "22 000 FCFA"  # the simulator agrees
    assert fits_the_screen(page)
    page.click("#open-claim")
    page.select_option("#id_kind", "pension")
    page.click("#claim-open-form button[type=submit]")
    page.wait_for_selector("#checklist")
    claim = Claim.objects.get()
    assert page.inner_text("#claim-status") == "ouverte"
    # tick every document, with a reference
    for box in page.query_selector_all("#checklist input[type=checkbox]"):
        box.check()
    page.fill("input[name=reference_birth_certificate]", "AN-1958-0042")
    page.click("#save-documents")
    page.wait_for_selector("text=Pièces enregistrées")
    # compute and read the trace
    page.click("#compute")
    page.wait_for_selector("#trace")
    assert page.inner_text("#amount") == "22 000 FCFA"
    trace = page.inner_text("#trace")
    assert "arrondi(50 000 FCFA × 44 % ÷ 100)" in trace
    assert "CNSS-BJ old_age 2000-01-01" in trace
    assert fits_the_screen(page)
    page.click("#submit-claim")
    page.wait_for_selector("text=Demande soumise à approbation.")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    page.click("text=Se déconnecter")

    # the approver: the claim is in their queue; approve
    login_in_browser(page, "bj.approbateur")
    page.goto("/benefits/approvals/")
    assert fits_the_screen(page)
    page.click(f"text={claim.reference}")
    page.click("#approve")
    page.wait_for_selector("#notification-pdf")
    claim.refresh_from_db()
    assert (claim.status, claim.decided_by_id) == (ClaimStatus.APPROVED, approver.pk)

    # the notification opens: a PDF that states the amount
    href = page.get_attribute("#notification-pdf", "href")
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert "22 000 FCFA" in text
    assert claim.reference in text
