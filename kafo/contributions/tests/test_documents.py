"""Account statement and certificate PDFs show stored text literally, whatever it holds."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from kafo.contributions import ledger
from kafo.contributions.services import declaration_submit
from kafo.registry.models import Employer
from kafo.registry.services import employer_register, person_register
from kafo.rules.services import rules_seed

LINK = '</b><a href="http://evil">x</a>'
RED = "<font color=red>NON A JOUR</font>"


def pdf_of(content: bytes) -> tuple[str, list]:
    """The text of every page (spaces and line breaks collapsed) and every link annotation."""
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    links = [
        a.get_object()
        for page in reader.pages
        for a in page.get("/Annots") or []
        if a.get_object().get("/Subtype") == "/Link"
    ]
    return text, links


@pytest.fixture
def sn(zone, make_user):
    """IPRES-SN: an employer that declared January 2025 (42,000) and paid it with a payment
    reference that is PDF markup."""
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
    declaration_submit(
        employer=employer,
        period="2025-01",
        rows=[
            {
                "worker_number": person.number,
                "family_name": "Ndiaye",
                "given_names": "Fatou",
                "days_worked": 31,
                "gross_salary": 300000,
            }
        ],
    )
    ledger.payment_record(
        employer=employer, amount=42000, paid_on=dt.date(2025, 2, 5), method="bank", reference=LINK
    )
    return {
        "employer": employer,
        "agent": make_user(org, "contributions_manager"),
        "portal": make_user(org, "employer", username="sonatel", employer=employer),
    }


def test_statement_shows_a_markup_reference_as_text_without_link(sn, client):
    client.force_login(sn["portal"])
    response = client.get(
        reverse("contributions-account-statement-pdf", kwargs={"pk": sn["employer"].pk})
    )
    assert response.status_code == 200
    text, links = pdf_of(response.content)
    assert f"Paiement virement / dépôt bancaire {LINK} 42 000 FCFA" in text
    assert links == []
    assert b"/URI" not in response.content


def test_statement_shows_a_markup_employer_name_and_bank_statement_reference(sn, client):
    Employer.unscoped.filter(pk=sn["employer"].pk).update(legal_name=RED)
    content = (
        "date,amount,employer_number,reference\n"
        f'06/02/2025,1000,{sn["employer"].number},<a href="http://evil">ici</a>\n'
    ).encode()
    ledger.statement_import(organisation=sn["employer"].organisation, content=content)
    client.force_login(sn["agent"])
    response = client.get(
        reverse("contributions-account-statement-pdf", kwargs={"pk": sn["employer"].pk})
    )
    assert response.status_code == 200
    text, links = pdf_of(response.content)
    assert f"{RED} · n° {sn['employer'].number}" in text
    assert '<a href="http://evil">ici</a>' in text
    assert links == []


def test_certificate_shows_a_markup_employer_name_as_text(sn, client):
    Employer.unscoped.filter(pk=sn["employer"].pk).update(legal_name=RED)
    cert = ledger.certificate_issue(employer=Employer.unscoped.get(pk=sn["employer"].pk))
    client.force_login(sn["portal"])
    response = client.get(reverse("contributions-certificate-pdf", kwargs={"pk": cert.pk}))
    assert response.status_code == 200
    text, links = pdf_of(response.content)
    assert f"l'employeur {RED}, immatriculé sous le numéro {sn['employer'].number}" in text
    assert links == []
