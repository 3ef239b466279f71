"""Cash payment lists per paying agency, with a signature column (PDF and Excel)."""

import io
from datetime import date

import openpyxl
import pytest
from pypdf import PdfReader

from kafo.payroll.domain.cash_list import (
    CashListError,
    CashPayment,
    by_agency,
    cash_list_pdf,
    cash_list_xlsx,
)

PAYMENTS = [
    CashPayment("PAY-3", "Oumar Sidibé", 60000, "Kayes", "CNI 123"),
    CashPayment("PAY-1", "Awa Coulibaly", 125000, "Bamako Centre", "CNI 456"),
    {"reference": "PAY-2", "payee_name": "=SUM(A1)", "amount": 30500, "agency": "Bamako Centre"},
]
ARGS = {"organisation": "CMSS-ML", "period": "11/2026", "payment_date": date(2026, 11, 30)}


def test_grouped_by_agency_in_order():
    groups = by_agency(PAYMENTS)
    assert list(groups) == ["Bamako Centre", "Kayes"]
    assert [p.reference for p in groups["Bamako Centre"]] == ["PAY-2", "PAY-1"]


def test_pdf_one_page_per_agency_with_signature_column_and_totals():
    reader = PdfReader(io.BytesIO(cash_list_pdf(PAYMENTS, **ARGS)))
    assert len(reader.pages) == 2
    first, second = (page.extract_text() for page in reader.pages)
    assert "Agence de paiement : Bamako Centre" in first
    assert "Signature ou empreinte" in first
    assert "=SUM(A1)" in first  # shown as typed
    assert "125 000 FCFA" in first and "30 500 FCFA" in first
    # 125 000 + 30 500 = 155 500
    assert "Liste arrêtée à 2 paiement(s) pour un total de 155 500 FCFA." in first
    assert "Agence de paiement : Kayes" in second
    assert "Liste arrêtée à 1 paiement(s) pour un total de 60 000 FCFA." in second
    assert "Période : 11/2026 — Date de paiement : 30/11/2026" in second


def test_pdf_labels_translated_by_the_caller():
    english = {"Agence de paiement": "Paying agency"}
    pdf = cash_list_pdf(PAYMENTS[:1], translate=lambda s: english.get(s, s), **ARGS)
    assert "Paying agency : Kayes" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_xlsx_one_sheet_per_agency_formulas_neutralised():
    book = openpyxl.load_workbook(io.BytesIO(cash_list_xlsx(PAYMENTS, **ARGS)))
    assert book.sheetnames == ["Bamako Centre", "Kayes"]
    rows = [list(r) for r in book["Bamako Centre"].iter_rows(values_only=True)]
    assert rows[5] == ["N°", "Référence", "Bénéficiaire", "Pièce d'identité", "Montant (XOF)",
                       "Signature ou empreinte"]  # fmt: skip
    assert rows[6] == [1, "PAY-2", "'=SUM(A1)", None, 30500, None]
    assert rows[7] == [2, "PAY-1", "Awa Coulibaly", "CNI 456", 125000, None]
    assert rows[8] == [None, None, "Total", None, 155500, None]


@pytest.mark.parametrize("amount", [0, -5, "10.5"])
def test_bad_amount_refused(amount):
    with pytest.raises(CashListError, match=r"ligne 1 \(X\) : montant"):
        cash_list_pdf([CashPayment("X", "A", amount, "K")], **ARGS)


def test_empty_list_refused():
    with pytest.raises(CashListError, match="aucun paiement en espèces"):
        cash_list_xlsx([], **ARGS)


def test_pdf_in_english_through_django_gettext():
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override("en"):
        pdf = cash_list_pdf(PAYMENTS[:1], translate=gettext, **ARGS)
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Cash payment list" in text and "Paying agency : Kayes" in text
    assert "Signature or thumbprint" in text
    assert "List closed at 1 payment(s) for a total of 60 000 FCFA." in text
