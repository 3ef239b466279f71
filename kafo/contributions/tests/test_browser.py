"""In a real browser: an employer downloads the template, uploads it filled, sees the computed
contributions and, once an agent has recorded the payment, downloads the certificate."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from conftest import login_in_browser
from kafo.contributions import ledger
from kafo.contributions.models import Certificate, Declaration
from kafo.registry.services import employer_register, person_register
from kafo.rules.services import rules_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_employer_declares_pays_and_downloads_the_certificate(
    browser_page, zone, make_user, tmp_path
):
    rules_seed()
    org = zone["IPRES-SN"]
    employer = employer_register(organisation=org, data={"legal_name": "SONATEL", "risk_class": 1})
    person = person_register(
        organisation=org,
        data={
            "family_name": "Ndiaye",
            "given_names": "Fatou",
            "sex": "F",
            "birth_date": dt.date(1988, 5, 4),
        },
    )
    make_user(org, "employer", username="sonatel", employer=employer)
    last_month = dt.date.today().replace(day=1) - dt.timedelta(days=1)
    period = f"{last_month:%Y-%m}"
    page = browser_page
    login_in_browser(page, "sonatel")

    # 1. the Excel template
    page.goto("/contributions/declarations/")
    with page.expect_download() as info:
        page.click("text=Modèle Excel")
    assert info.value.suggested_filename == "modele-dns.xlsx"
    wb = load_workbook(io.BytesIO(info.value.path().read_bytes()))
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert header[:2] == ["Numéro employeur", "Période"]  # French headers, no example line
    assert ws.max_row == 1
    values = {
        "Numéro employeur": employer.number,
        "Période": period,
        "Numéro salarié": person.number,
        "Numéro national": "",
        "Nom": "Ndiaye",
        "Prénoms": "Fatou",
        "Jours travaillés": 28,  # within any month
        "Salaire brut": 300000,
        "Catégorie": "standard",
    }
    for col, name in enumerate(header, start=1):
        ws.cell(row=2, column=col, value=values[name])
    filled = tmp_path / "dns.xlsx"
    wb.save(filled)

    # 2. the upload, and the computed contributions: 8.4 % + 5.6 % of 300,000
    page.goto("/contributions/declarations/new/")
    page.fill("#id_period", period)
    page.set_input_files("#id_file", str(filled))
    page.click("form.card button")
    page.wait_for_url("**/contributions/declarations/*/")
    assert page.inner_text("#employer-total") == "25 200 FCFA"
    assert page.inner_text("#employee-total") == "16 800 FCFA"
    assert page.inner_text("#total") == "42 000 FCFA"
    assert Declaration.objects.get().total == 42000

    # 3. an agent records the payment (on or before the due date: no penalty)
    due = ledger.period_due_date(organisation_id=org.pk, period=period)
    ledger.payment_record(
        employer=employer,
        amount=42000,
        paid_on=min(due, dt.date.today()),
        method="bank",
        reference="VIR-BROWSER-1",
    )

    # 4. the account is settled: ask for the certificate and download it
    page.goto("/contributions/accounts/")
    assert page.inner_text("#balance") == "0 FCFA"
    page.click("#request-certificate")
    page.wait_for_selector("a.certificate-pdf")
    with page.expect_download() as info:
        page.click("a.certificate-pdf")
    assert info.value.path().read_bytes().startswith(b"%PDF")
    cert = Certificate.objects.get()
    assert info.value.suggested_filename == f"attestation-{employer.number}-{cert.code}.pdf"

    # 5. anyone checks it, without logging in
    page.context.clear_cookies()
    page.goto(f"/verify/{cert.code}/")
    assert "Attestation authentique et valide" in page.inner_text("#verdict")
