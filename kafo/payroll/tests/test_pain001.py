"""pain.001.001.03 transfer file: XSD-valid, exact sums, every account key right."""

import io
import xml.etree.ElementTree as ET  # noqa: S405 - parses Kafo's own output
from datetime import date, datetime
from decimal import Decimal

import polars as pl
import pytest

from kafo.payroll.domain.bank_ids import iban_ok, rib_key_ok
from kafo.payroll.domain.pain001 import (
    NAMESPACE,
    CreditTransfer,
    DebtorAccount,
    Pain001Error,
    transfers_from_frame,
    validate_pain001,
    write_pain001,
)

NS = {"p": NAMESPACE}
CMSS = DebtorAccount(name="CMSS Mali", rib="ML0160120102600100668497", zone="UEMOA", bic="ECOCMLBA")
LINES = [
    CreditTransfer(
        end_to_end_id="PAY-2026-11-000001",
        amount=125000,
        creditor_name="Aminata Traoré",
        rib="SN0100152000048500003035",
        remittance="Pension novembre 2026",
        purpose="PENS",
    ),
    CreditTransfer(
        end_to_end_id="PAY-2026-11-000002",
        amount=Decimal("45000"),
        creditor_name="Moussa Keïta & fils <tuteur>",
        iban="BJ66 BJ06 1010 0100 1443 9000 0769",
    ),
    {
        "end_to_end_id": "PAY-2026-11-000003",
        "amount": "30500",
        "creditor_name": "Awa Coulibaly",
        "rib": "CI0080111301134291200589",
    },
]


def _write(lines=LINES, debtor=CMSS, **kwargs):
    out = io.BytesIO()
    summary = write_pain001(
        out,
        message_id="KAFO-CMSS-ML-2026-11",
        created_at=datetime(2026, 11, 29, 10, 30, 15, 123),
        execution_date=date(2026, 11, 30),
        debtor=debtor,
        transfers=lines,
        **kwargs,
    )
    return summary, out.getvalue()


def test_file_validates_against_the_xsd_with_exact_sums():
    summary, xml = _write()
    assert validate_pain001(xml) == []
    # 125 000 + 45 000 + 30 500 = 200 500 FCFA, whole francs
    assert (summary.count, summary.control_sum, summary.currency) == (3, Decimal(200500), "XOF")
    root = ET.fromstring(xml)  # noqa: S314
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS) == "3"
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) == "200500"
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CreDtTm", namespaces=NS) == (
        "2026-11-29T10:30:15"
    )
    pmt = root.find("p:CstmrCdtTrfInitn/p:PmtInf", NS)
    assert pmt.findtext("p:CtrlSum", namespaces=NS) == "200500"
    assert pmt.findtext("p:DbtrAcct/p:Ccy", namespaces=NS) == "XOF"
    txs = pmt.findall("p:CdtTrfTxInf", NS)
    assert [t.findtext("p:PmtId/p:EndToEndId", namespaces=NS) for t in txs] == [
        "PAY-2026-11-000001",
        "PAY-2026-11-000002",
        "PAY-2026-11-000003",
    ]
    assert [t.find("p:Amt/p:InstdAmt", NS).text for t in txs] == ["125000", "45000", "30500"]
    assert {t.find("p:Amt/p:InstdAmt", NS).get("Ccy") for t in txs} == {"XOF"}
    # Names in SWIFT's character set: accents transliterated, markup characters dropped.
    assert [t.findtext("p:Cdtr/p:Nm", namespaces=NS) for t in txs] == [
        "Aminata Traore",
        "Moussa Keita fils tuteur",
        "Awa Coulibaly",
    ]
    assert txs[0].findtext("p:RmtInf/p:Ustrd", namespaces=NS) == "Pension novembre 2026"
    assert txs[1].findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS) == (
        "BJ66BJ0610100100144390000769"
    )


def _written_accounts(xml):
    root = ET.fromstring(xml)  # noqa: S314
    ribs = [
        o.findtext("p:Id", namespaces=NS)
        for o in root.iter(f"{{{NAMESPACE}}}Othr")
        if o.findtext("p:SchmeNm/p:Prtry", namespaces=NS) == "RIB"
    ]
    ibans = [e.text for e in root.iter(f"{{{NAMESPACE}}}IBAN")]
    return ribs, ibans


def test_every_rib_and_iban_written_has_a_correct_key():
    _, xml = _write()
    ribs, ibans = _written_accounts(xml)
    assert ribs == [
        "ML0160120102600100668497",
        "SN0100152000048500003035",
        "CI0080111301134291200589",
    ]
    assert ibans == ["BJ66BJ0610100100144390000769"]
    assert all(rib_key_ok(r) for r in ribs) and all(iban_ok(i) for i in ibans)

    _, derived = _write(derive_iban=True)
    ribs, ibans = _written_accounts(derived)
    assert ribs == []
    assert ibans == [
        "ML13ML0160120102600100668497",
        "SN08SN0100152000048500003035",
        "BJ66BJ0610100100144390000769",
        "CI93CI0080111301134291200589",
    ]
    assert all(iban_ok(i) for i in ibans)
    assert validate_pain001(derived) == []


def test_cemac_file_in_xaf():
    debtor = DebtorAccount(name="CNPS Cameroun", rib="10002000300277976315008", zone="CEMAC",
                           country="CM")  # fmt: skip
    line = CreditTransfer(end_to_end_id="CM-1", amount=80000, creditor_name="Paul Mbarga",
                          rib="10002 00030 02779763150 08", country="CM")  # fmt: skip
    summary, xml = _write([line], debtor=debtor, derive_iban=True)
    assert summary.currency == "XAF"
    assert b'<InstdAmt Ccy="XAF">80000</InstdAmt>' in xml
    assert b"<IBAN>CM2110002000300277976315008</IBAN>" in xml
    assert validate_pain001(xml) == []


def test_a_broken_file_fails_the_xsd():
    _, xml = _write()
    broken = xml.replace(b"<NbOfTxs>3</NbOfTxs>", b"", 1)  # the group header's count removed
    errors = validate_pain001(broken)
    assert errors and "NbOfTxs" in " ".join(errors)
    assert validate_pain001(xml.replace(b">125000<", b">-125000<")) != []


def test_frame_input():
    frame = pl.DataFrame(
        {
            "end_to_end_id": ["A-1", "A-2"],
            "amount": [10000, 20000],
            "creditor_name": ["Ali Diallo", "Binta Sow"],
            "rib": ["ML0160120102600100668497", "TG0090604310346500400070"],
        }
    )
    summary, xml = _write(transfers_from_frame(frame))
    assert (summary.count, summary.control_sum) == (2, Decimal(30000))
    assert validate_pain001(xml) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"amount": Decimal("125000.50")},
            "ligne 1 (X-1) : montant 125000.50 : francs CFA entiers",
        ),
        ({"amount": 0}, "ligne 1 (X-1) : montant 0 : un montant positif est attendu"),
        ({"amount": "abc"}, "ligne 1 (X-1) : montant « abc » illisible"),
        (
            {"rib": "ML0160120102600100668496"},
            "ligne 1 (X-1) : compte du bénéficiaire : clé RIB incorrecte : 96 au lieu de 97",
        ),
        ({"rib": ""}, "ligne 1 (X-1) : compte du bénéficiaire : ni RIB ni IBAN"),
        ({"rib": "", "iban": "ML14ML0160120102600100668497"}, "chiffres de contrôle faux"),
        ({"rib": "", "iban": "CM2110002000300277976315008"}, "compte hors zone UEMOA"),
        ({"iban": "SN08SN0100152000048500003035"}, "le RIB ne correspond pas à l'IBAN"),
        ({"creditor_name": "  <> "}, "ligne 1 (X-1) : nom du bénéficiaire vide"),
        ({"end_to_end_id": "X 1"}, "ligne 1 : référence (EndToEndId) « X 1 »"),
        ({"end_to_end_id": "X" * 36}, "1 à 35 caractères"),
        ({"bic": "ECO"}, "ligne 1 (X-1) : BIC « ECO »"),
    ],
)
def test_bad_line_stops_the_file_naming_line_and_reason(change, message):
    base = {"end_to_end_id": "X-1", "amount": 1000, "creditor_name": "Ali Diallo",
            "rib": "ML0160120102600100668497"}  # fmt: skip
    out = io.BytesIO()
    with pytest.raises(Pain001Error) as exc:
        write_pain001(
            out,
            message_id="M-1",
            created_at=datetime(2026, 11, 29),
            execution_date=date(2026, 11, 30),
            debtor=CMSS,
            transfers=[{**base, **change}],
        )
    assert message in str(exc.value)
    assert out.getvalue() == b""  # nothing written


def test_duplicate_reference_and_empty_batch_refused():
    line = CreditTransfer(end_to_end_id="D-1", amount=1, creditor_name="A B",
                          rib="ML0160120102600100668497")  # fmt: skip
    with pytest.raises(Pain001Error, match=r"ligne 2 \(D-1\) : référence en double"):
        _write([line, line])
    with pytest.raises(Pain001Error, match="aucun virement"):
        _write([])
    with pytest.raises(Pain001Error, match="compte payeur : clé RIB incorrecte : 96 au lieu de 97"):
        _write(debtor=DebtorAccount(name="X", rib="ML0160120102600100668496", zone="UEMOA"))


FRAME_ROWS = {
    "end_to_end_id": [" F-1 ", "F-2", "F-3", "F-4", "F-5"],
    "amount": [125000, 45000, 30500, 1, 999999999],
    "creditor_name": ["Aminata Traoré", "Moussa Keïta & fils", None, "Ali", "Awa " + "x" * 150],
    "rib": ["SN0100152000048500003035", None, "ci008 01113 011342912005 89", None,
            "TG0090604310346500400070"],
    "iban": [None, "BJ66 BJ06 1010 0100 1443 9000 0769", None, "ML13-ML01-6012-0102-6001-0066-8497",
             "TG53TG0090604310346500400070"],
    "bic": [None, "ecocbjbj", "", None, None],
    "remittance": ["Pension 11/2026", None, "Rente <orphelin>", "", "x"],
    "purpose": ["PENS", None, "SSBE", "", None],
}  # fmt: skip


def _both_paths(rows, monkeypatch, debtor=CMSS, **kwargs):
    from kafo.payroll.domain import pain001

    frame = pl.DataFrame(rows)
    listed = [CreditTransfer(**{k: v for k, v in r.items() if v is not None})
              for r in frame.iter_rows(named=True)]  # fmt: skip
    _, by_rows = _write(listed, debtor=debtor, **kwargs)

    def refuse(*args, **kw):
        raise AssertionError("the frame went through the row path")

    monkeypatch.setattr(pain001, "_rows_body", refuse)
    summary, by_frame = _write(frame, debtor=debtor, **kwargs)
    return summary, by_rows, by_frame


@pytest.mark.parametrize("derive_iban", [False, True])
def test_frame_path_writes_byte_for_byte_what_the_row_path_writes(monkeypatch, derive_iban):
    rows = {**FRAME_ROWS, "creditor_name": [n or "Sans Nom" for n in FRAME_ROWS["creditor_name"]]}
    summary, by_rows, by_frame = _both_paths(rows, monkeypatch, derive_iban=derive_iban)
    assert by_frame == by_rows
    # 125 000 + 45 000 + 30 500 + 1 + 999 999 999 = 1 000 200 500
    assert (summary.count, summary.control_sum) == (5, Decimal(1000200500))
    assert validate_pain001(by_frame) == []
    ribs, ibans = _written_accounts(by_frame)
    assert all(rib_key_ok(r) for r in ribs) and all(iban_ok(i) for i in ibans)
    assert len(ribs) + len(ibans) == 6  # the debtor's and the five lines'


def test_frame_path_cemac(monkeypatch):
    debtor = DebtorAccount(name="CNPS", rib="10002000300277976315008", zone="CEMAC", country="CM")
    rows = {"end_to_end_id": ["C-1"], "amount": [80000], "creditor_name": ["Paul Mbarga"],
            "rib": ["10002000300277976315008"], "country": ["cm"]}  # fmt: skip
    _, by_rows, by_frame = _both_paths(rows, monkeypatch, debtor=debtor, derive_iban=True)
    assert by_frame == by_rows
    assert b"<IBAN>CM2110002000300277976315008</IBAN>" in by_frame


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rib": ["ML0160120102600100668400"]}, "ligne 1 (F-1) : compte du bénéficiaire : clé RIB"),
        ({"iban": ["ML14ML0160120102600100668497"]}, "chiffres de contrôle faux"),
        ({"amount": [0]}, "ligne 1 (F-1) : montant 0"),
        ({"creditor_name": ["<>"]}, "nom du bénéficiaire vide"),
        ({"bic": ["XX"]}, "BIC « XX »"),
    ],
)
def test_frame_with_a_bad_line_gives_the_row_paths_message(change, message):
    rows = {"end_to_end_id": ["F-1"], "amount": [100], "creditor_name": ["Ali"],
            "rib": ["ML0160120102600100668497"], "iban": [None], "bic": [None]}  # fmt: skip
    rows.update(change)
    with pytest.raises(Pain001Error) as exc:
        _write(pl.DataFrame(rows))
    assert message in str(exc.value)


def test_frame_key_00_refused_where_97_is_due():
    # ML016 01201 026001006684: N mod 97 = 0, so the key is 97; "00" also satisfies mod 97
    # but is not the key the rule gives.
    rows = {"end_to_end_id": ["F-1", "F-2"], "amount": [100, 100], "creditor_name": ["A", "B"],
            "rib": ["ML0160120102600100668497", "ML0160120102600100668400"]}  # fmt: skip
    with pytest.raises(
        Pain001Error, match=r"ligne 2 \(F-2\) .* clé RIB incorrecte : 00 au lieu de 97"
    ):
        _write(pl.DataFrame(rows))


def test_frame_duplicate_reference_refused():
    rows = {"end_to_end_id": ["F-1", "F-1"], "amount": [1, 2], "creditor_name": ["A", "B"],
            "rib": ["ML0160120102600100668497"] * 2}  # fmt: skip
    with pytest.raises(Pain001Error, match=r"ligne 2 \(F-1\) : référence en double"):
        _write(pl.DataFrame(rows))
