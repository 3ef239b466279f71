"""The summary of decisions (PDF) drawn from plain values: each organisation, its amount a
month and start date, its months and share of the totalised months; texts printed as typed."""

import datetime as dt
import io
from decimal import Decimal as D

from pypdf import PdfReader

from kafo.exchange.summary import (
    CoordinationSummary,
    DecisionLine,
    DecisionState,
    share_text,
    summary_pdf,
)


def text_of(pdf: bytes) -> str:
    """The PDF's text, runs of spaces and line breaks (table cells) collapsed to one space."""
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def _summary(**changes) -> CoordinationSummary:
    """The issue's worked example: INPS-ML 96 months (28,000 from 01/02/2026, at 58), CNSS-BJ
    120 months (40,000 from 01/01/2028, at 60), 216 months in all."""
    values = {
        "person_name": "COULIBALY Mamadou",
        "person_number": "1000123",
        "birth_date_display": "15/01/1968",
        "origin_code": "INPS-ML",
        "origin_name": "Institut National de Prévoyance Sociale",
        "claim_reference": "DP-000042",
        "claim_date": dt.date(2026, 1, 10),
        "total_months": 216,
        "issued_on": dt.date(2026, 3, 2),
        "lines": [
            DecisionLine(
                organisation_code="INPS-ML",
                organisation_name="Institut National de Prévoyance Sociale",
                state=DecisionState.DECIDED,
                benefit="pension de vieillesse",
                monthly_amount=D(28000),
                start_date=dt.date(2026, 2, 1),
                own_months=96,
                decided_on=dt.date(2026, 2, 20),
                reference="DP-000042",
            ),
            DecisionLine(
                organisation_code="CNSS-BJ",
                organisation_name="Caisse Nationale de Sécurité Sociale du Bénin",
                state=DecisionState.DECIDED,
                benefit="pension de vieillesse",
                monthly_amount=D(40000),
                start_date=dt.date(2028, 1, 1),
                own_months=120,
                decided_on=dt.date(2026, 2, 27),
                reference="DP-000007",
            ),
        ],
    }
    values.update(changes)
    return CoordinationSummary(**values)


def test_share_text_is_own_months_over_the_total_with_the_percentage():
    assert share_text(96, 216) == "96/216 (44,44 %)"
    assert share_text(120, 216) == "120/216 (55,56 %)"
    assert share_text(5, 0) == "—"


def test_summary_lists_each_organisation_amount_start_date_months_and_share():
    summary = _summary()
    assert summary.monthly_total == D(68000)
    assert summary.complete is True
    text = text_of(summary_pdf(summary))
    assert "Récapitulatif des décisions" in text
    assert "COULIBALY Mamadou" in text
    assert "DP-000042 du 10/01/2026" in text
    assert "Mois d'assurance totalisés 216" in text
    assert "28 000 FCFA par mois" in text
    assert "40 000 FCFA par mois" in text
    assert "01/02/2026" in text and "01/01/2028" in text
    assert "96/216 (44,44 %)" in text
    assert "120/216 (55,56 %)" in text
    assert "Total des montants décidés : 68 000 FCFA par mois" in text
    assert "encore attendues" not in text


def test_summary_with_a_decision_awaited_says_so_and_totals_only_what_is_decided():
    first, second = _summary().lines
    awaited = DecisionLine(
        organisation_code=second.organisation_code,
        organisation_name=second.organisation_name,
        own_months=120,
    )
    summary = _summary(lines=[first, awaited])
    assert summary.monthly_total == D(28000)
    assert summary.complete is False
    text = text_of(summary_pdf(summary))
    assert "décision attendue" in text
    assert "40 000" not in text
    assert "Total des montants décidés : 28 000 FCFA par mois" in text
    assert "encore attendues" in text


def test_summary_of_a_short_period_and_a_rejection():
    first, _second = _summary().lines
    short = DecisionLine(
        organisation_code="CNSS-TG",
        organisation_name="Caisse Nationale de Sécurité Sociale du Togo",
        state=DecisionState.DECIDED,
        benefit="aucune prestation",
        own_months=8,
        note="moins de 12 mois : comptés pour les autres organismes",
    )
    rejected = DecisionLine(
        organisation_code="CNSS-BJ",
        organisation_name="CNSS Bénin",
        state=DecisionState.REJECTED,
        own_months=120,
    )
    text = text_of(summary_pdf(_summary(total_months=224, lines=[first, short, rejected])))
    assert "aucun montant dû" in text
    assert "moins de 12 mois" in text
    assert "8/224 (3,57 %)" in text
    assert "rejet" in text


def test_summary_prints_markup_literally():
    markup = 'Diallo <font color="red">Awa</font> & <a href="http://x">fils</a>'
    text = text_of(summary_pdf(_summary(person_name=markup, origin_name="Institut <b>N</b>")))
    assert markup in text
    assert "Institut <b>N</b>" in text
