"""The benefit PDFs show every text literally: a name or a source with reportlab markup is
printed as typed, never interpreted (kafo/exports.py)."""

import datetime as dt
import io
from decimal import Decimal as D
from types import SimpleNamespace

from pypdf import PdfReader

from kafo.benefits import documents
from kafo.benefits.trace_view import readable_trace

MARKUP = 'Diallo <font color="red">Awa</font> & <a href="http://x">fils</a>'


def text_of(pdf: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def test_award_notification_prints_markup_literally_and_states_the_amount():
    org = SimpleNamespace(name="Institut <b>National</b>", code="INPS-ML")
    person = SimpleNamespace(full_name=MARKUP, number="123", birth_date_display="01/01/1960")
    claim = SimpleNamespace(
        organisation=org,
        person=person,
        reference="DP-000001",
        claim_date=dt.date(2026, 1, 15),
        decided_at=dt.datetime(2026, 2, 2, 10, 0),
        get_kind_display=lambda: "pension de vieillesse",
    )
    liquidation = SimpleNamespace(
        monthly_amount=D(57000),
        lump_sum_amount=None,
        start_date=dt.date(2026, 2, 1),
        insured_months=192,
        reference_salary=D(150000),
        rate=D(38),
        rule_version=SimpleNamespace(version_label="INPS-ML old_age 2019-07-05"),
    )
    trace = readable_trace(
        [
            {
                "code": "amount",
                "label_fr": "Pension <i>mensuelle</i>",
                "label_en": "Monthly pension",
                "inputs": {"reference_salary": "150000", "rate": "38"},
                "formula": "round0(reference_salary * rate / 100)",
                "result": "57000",
                "params": [],
            }
        ]
    )
    pdf = documents.award_notification_pdf(
        claim=claim,
        liquidation=liquidation,
        benefit="pension de vieillesse",
        trace=trace,
        approver_label="<b>approbateur</b>",
    )
    text = text_of(pdf)
    assert "57 000 FCFA" in text and "01/02/2026" in text
    assert 'Diallo <font color="red">Awa</font> & <a href="http://x">fils</a>' in text
    assert "Institut <b>National</b>" in text
    assert "Pension <i>mensuelle</i>" in text
    assert "Comment contester cette décision" in text
