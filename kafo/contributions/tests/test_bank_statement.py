"""Bank statement import: every bad line reported, nothing stored; the same statement once."""

import datetime as dt
from decimal import Decimal

import pytest

from kafo.contributions import ledger, selectors
from kafo.contributions.models import BankStatement, LedgerEntry, Payment
from kafo.registry.services import employer_register

TODAY = dt.date(2025, 6, 30)


@pytest.fixture
def employers(zone):
    org = zone["CNPS-CI"]
    a = employer_register(organisation=org, data={"legal_name": "SOTRA", "risk_class": 1})
    b = employer_register(organisation=org, data={"legal_name": "SIR", "risk_class": 2})
    return {"org": org, "a": a, "b": b}


def _csv(rows, header="date,amount,employer_number,reference", sep=","):
    return ("\n".join([header.replace(",", sep), *[sep.join(r) for r in rows]]) + "\n").encode()


def _import(org, content):
    return ledger.statement_import(
        organisation=org, content=content, filename="releve.csv", today=TODAY
    )


def _nothing_stored():
    return (BankStatement.objects.count(), Payment.objects.count(), LedgerEntry.objects.count())


def test_good_statement_credits_each_employer(employers):
    a, b = employers["a"], employers["b"]
    result = _import(
        employers["org"],
        _csv(
            [
                ["02/06/2025", "1 250 000", a.number, "FT2506020001"],
                ["2025-06-03", "75000", b.number, "FT2506030007"],
            ]
        ),
    )
    assert [(p.employer_id, p.paid_on, p.amount, p.method) for p in result.payments] == [
        (a.pk, dt.date(2025, 6, 2), Decimal(1250000), "bank"),
        (b.pk, dt.date(2025, 6, 3), Decimal(75000), "bank"),
    ]
    assert result.statement.total == Decimal(1325000)
    assert selectors.account_state(employer=a, as_of=TODAY).balance == Decimal(-1250000)


@pytest.mark.parametrize(
    ("rows", "header", "expected"),
    [
        # missing column
        (
            [["02/06/2025", "1000", "{a}"]],
            "date,amount,employer_number",
            [(1, "reference", "", "colonne obligatoire absente")],
        ),
        # bad date, date in the future
        (
            [["31/02/2025", "1000", "{a}", "R1"], ["01/07/2025", "1000", "{a}", "R2"]],
            None,
            [
                (2, "date", "31/02/2025", "date invalide (jj/mm/aaaa ou aaaa-mm-jj)"),
                (3, "date", "01/07/2025", "date dans le futur"),
            ],
        ),
        # text, negative, decimal amounts
        (
            [
                ["02/06/2025", "mille", "{a}", "R1"],
                ["02/06/2025", "-5000", "{a}", "R2"],
                ["02/06/2025", "5000.50", "{a}", "R3"],
            ],
            None,
            [
                (
                    2,
                    "amount",
                    "mille",
                    "montant invalide : nombre entier de francs positif attendu",
                ),
                (
                    3,
                    "amount",
                    "-5000",
                    "montant invalide : nombre entier de francs positif attendu",
                ),
                (
                    4,
                    "amount",
                    "5000.50",
                    "montant invalide : nombre entier de francs positif attendu",
                ),
            ],
        ),
        # a reference twice in the file, an empty one
        (
            [
                ["02/06/2025", "1000", "{a}", "R1"],
                ["03/06/2025", "1000", "{a}", "R1"],
                ["03/06/2025", "1000", "{a}", ""],
            ],
            None,
            [
                (3, "reference", "R1", "référence déjà présente ligne 2"),
                (4, "reference", "", "valeur obligatoire"),
            ],
        ),
        # unknown employer (numbers are per organisation: another one's is looked up here)
        (
            [["02/06/2025", "1000", "{a}", "R1"], ["02/06/2025", "1000", "XX999", "R2"]],
            None,
            [(3, "employer_number", "XX999", "employeur inconnu dans cet organisme")],
        ),
        # wrong number of columns
        (
            [["02/06/2025", "1000", "{a}", "R1", "extra"]],
            None,
            [(2, None, "02/06/2025,1000,{a},R1,extra", "nombre de colonnes incorrect")],
        ),
    ],
)
def test_bad_lines_are_all_reported_and_nothing_is_stored(employers, rows, header, expected):
    def fill(value):
        return value.format(a=employers["a"].number)

    content = _csv(
        [[fill(c) for c in r] for r in rows],
        header=header or "date,amount,employer_number,reference",
    )
    with pytest.raises(ledger.StatementRejected) as exc:
        _import(employers["org"], content)
    got = [(e["line"], e["column"], e["value"], e["reason"]) for e in exc.value.line_errors]
    assert got == [(ln, col, fill(val), reason) for ln, col, val, reason in expected]
    assert _nothing_stored() == (0, 0, 0)


def test_one_bad_line_among_good_ones_stores_nothing(employers):
    a = employers["a"].number
    with pytest.raises(ledger.StatementRejected):
        _import(
            employers["org"],
            _csv([["02/06/2025", "1000", a, "R1"], ["02/06/2025", "1O00", a, "R2"]]),
        )
    assert _nothing_stored() == (0, 0, 0)


def test_same_statement_twice_is_counted_once(employers):
    a, b = employers["a"].number, employers["b"].number
    rows = [["02/06/2025", "1000", a, "R1"], ["03/06/2025", "2000", b, "R2"]]
    first = _import(employers["org"], _csv(rows))
    # the same statement, other separator and line order
    again = _import(employers["org"], _csv(list(reversed(rows)), sep=";"))
    assert again.duplicate and again.statement == first.statement
    assert _nothing_stored() == (1, 2, 2)
    # an overlapping statement: the known line is skipped and reported, the new one recorded
    overlap = _import(employers["org"], _csv([rows[1], ["04/06/2025", "3000", a, "R3"]]))
    assert [p.reference for p in overlap.payments] == ["R3"]
    assert overlap.already_recorded == [{"line": 2, "reference": "R2"}]
    assert _nothing_stored() == (2, 3, 3)
