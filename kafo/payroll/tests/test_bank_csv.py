"""Per-bank CSV transfer files and return files, laid out by configuration."""

import io
from datetime import date
from decimal import Decimal

import pytest

from kafo.payroll.domain.bank_csv import (
    BankCsvError,
    ReturnLine,
    layout_from_dict,
    load_layouts,
    read_bank_returns,
    write_bank_csv,
)
from kafo.payroll.domain.bank_ids import iban_ok, rib_key_ok
from kafo.payroll.domain.pain001 import CreditTransfer

LAYOUTS = load_layouts()
LINES = [
    CreditTransfer(end_to_end_id="PAY-1", amount=125000, creditor_name="Aminata Traoré",
                   rib="SN0100152000048500003035", remittance="Pension 11/2026"),
    CreditTransfer(end_to_end_id="PAY-2", amount=45000, creditor_name="=HYPERLINK(\"x\")",
                   iban="ML13ML0160120102600100668497", remittance="Pension 11/2026"),
]  # fmt: skip


def _write(layout, lines=LINES):
    out = io.BytesIO()
    result = write_bank_csv(
        out, layout=layout, transfers=lines, zone="UEMOA", execution_date=date(2026, 11, 30)
    )
    return result, out.getvalue()


def test_layouts_are_marked_as_assumptions():
    assert set(LAYOUTS) == {"rib_detaille_pv", "iban_virgule"}
    assert all(layout.assumption for layout in LAYOUTS.values())


def test_rib_detail_layout_semicolon_cp1252():
    (count, total), data = _write(LAYOUTS["rib_detaille_pv"])
    assert (count, total) == (2, Decimal(170000))
    assert data.decode("cp1252").split("\r\n") == [
        "Référence;Bénéficiaire;Code banque;Code guichet;Numéro de compte;Clé RIB;Montant;"
        "Devise;Libellé;Date d'exécution",
        "PAY-1;Aminata Traoré;SN010;01520;000485000030;35;125000;XOF;Pension 11/2026;30/11/2026",
        'PAY-2;"\'=HYPERLINK(""x"")";ML016;01201;026001006684;97;45000;XOF;Pension 11/2026;'
        "30/11/2026",
        "",
    ]
    # every RIB written has a correct key
    for row in data.decode("cp1252").split("\r\n")[1:3]:
        cells = row.split(";")
        assert rib_key_ok("".join(cells[2:6]))


def test_iban_layout_comma_utf8_two_decimals():
    _, data = _write(LAYOUTS["iban_virgule"])
    lines = data.decode("utf-8").split("\r\n")
    assert lines[1] == (
        "PAY-1,Aminata Traoré,SN08SN0100152000048500003035,125000.00,XOF,2026-11-30,Pension 11/2026"
    )
    assert lines[2].split(",")[2] == "ML13ML0160120102600100668497"
    assert all(iban_ok(line.split(",")[2]) for line in lines[1:3])


def test_ascii_encoding_transliterates():
    layout = layout_from_dict(
        "ascii", {"encoding": "ascii", "header": False,
                  "columns": [{"field": "creditor_name"}, {"field": "constant", "value": "VIR"}]}
    )  # fmt: skip
    _, data = _write(layout, LINES[:1])
    assert data == b"Aminata Traore;VIR\r\n"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"amount": Decimal("10.5")}, "ligne 1 (X) : montant 10.5 : francs CFA entiers"),
        ({"rib": "SN0100152000048500003036"}, "ligne 1 (X) : compte du bénéficiaire : clé RIB"),
        ({"rib": "", "iban": "CM2110002000300277976315008"}, "compte hors zone UEMOA"),
    ],
)
def test_bad_line_refused_and_nothing_written(line, message):
    base = {"end_to_end_id": "X", "amount": 100, "creditor_name": "A",
            "rib": "SN0100152000048500003035"}  # fmt: skip
    out = io.BytesIO()
    with pytest.raises(BankCsvError) as exc:
        write_bank_csv(out, layout=LAYOUTS["rib_detaille_pv"], transfers=[{**base, **line}],
                       zone="UEMOA", execution_date=date(2026, 11, 30))  # fmt: skip
    assert message in str(exc.value)
    assert out.getvalue() == b""


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"separator": ":", "columns": [{"field": "rib"}]}, "séparateur « : » inconnu"),
        ({"separator": ",", "decimal": ",", "columns": [{"field": "rib"}]}, "identique"),
        ({"encoding": "klingon", "columns": [{"field": "rib"}]}, "encodage « klingon »"),
        ({"columns": [{"field": "rib"}, {"field": "salary"}]}, "colonne 2 : champ « salary »"),
        ({"columns": []}, "aucune colonne"),
        ({"columns": [{"field": "rib"}], "returns": {"columns": {"reference": "R"}}},
         "colonnes reference et status requises"),
    ],
)  # fmt: skip
def test_bad_layout_refused(spec, message):
    with pytest.raises(BankCsvError) as exc:
        layout_from_dict("b", spec)
    assert message in str(exc.value)


def test_read_returns_with_header():
    data = "Référence;Statut;Motif\r\nPAY-1;execute;\r\nPAY-2;REJETE;Compte clôturé\r\n;;\r\n"
    data = data.encode("cp1252")
    assert read_bank_returns(data, LAYOUTS["rib_detaille_pv"]) == [
        ReturnLine(2, "PAY-1", "paid", "execute", ""),
        ReturnLine(3, "PAY-2", "rejected", "REJETE", "Compte clôturé"),
    ]


def test_read_returns_by_position():
    data = b"PAY-1,125000.00,success,\r\nPAY-2,45000.00,FAILED,AC04 account closed\r\n"
    assert read_bank_returns(data, LAYOUTS["iban_virgule"]) == [
        ReturnLine(1, "PAY-1", "paid", "success", ""),
        ReturnLine(2, "PAY-2", "rejected", "FAILED", "AC04 account closed"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Ref;Statut\r\nPAY-1;OK\r\n", "colonne « Référence » absente de l'en-tête"),
        ("Référence;Statut;Motif\r\nPAY-1;PERDU;\r\n".encode("cp1252"),
         "ligne 2 : colonne « Statut » : statut « PERDU » inconnu"),
        ("Référence;Statut;Motif\r\n;OK;\r\n".encode("cp1252"),
         "ligne 2 : colonne « Référence » : référence vide"),
        ("Référence;Statut;Motif\r\nA;OK;\r\nA;KO;\r\n".encode("cp1252"),
         "ligne 3 : référence « A » en double"),
        (b"", "fichier retour vide"),
    ],
)  # fmt: skip
def test_bad_return_file_refused(data, message):
    with pytest.raises(BankCsvError) as exc:
        read_bank_returns(data, LAYOUTS["rib_detaille_pv"])
    assert message in str(exc.value)
