"""Issue 12, findings 6 and 8 in contributions: odd but valid input gets a clear 4xx naming the
line, the field and the limit (never a 500), nothing stored; duplicate payments flagged."""

import datetime as dt
import threading
from decimal import Decimal

import polars as pl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from kafo.accounts.models import ApiToken
from kafo.audit.models import AuditEvent
from kafo.contributions import account_payments, ledger
from kafo.contributions.models import BankStatement, Declaration, LedgerEntry, Payment
from kafo.contributions.services import DeclarationRejected, declaration_submit, import_frame
from kafo.registry.services import employer_register
from kafo.rules.services import rules_seed

D = Decimal
TODAY = dt.date(2025, 6, 30)


@pytest.fixture
def sn(zone, make_user):
    rules_seed()
    org = zone["IPRES-SN"]
    employer = employer_register(organisation=org, data={"legal_name": "SONATEL", "risk_class": 1})
    other = employer_register(organisation=org, data={"legal_name": "SENELEC", "risk_class": 1})
    agent = make_user(org, "contributions_manager")
    _token, raw = ApiToken.issue(user=agent, name="t")
    return {
        "org": org,
        "employer": employer,
        "other": other,
        "agent": agent,
        "headers": {"HTTP_AUTHORIZATION": f"Bearer {raw}"},
    }


def _stored():
    return (
        BankStatement.objects.count(),
        Payment.objects.count(),
        LedgerEntry.objects.count(),
        Declaration.objects.count(),
    )


def _statement(rows):
    header = "date;amount;employer_number;reference"
    return ("\n".join([header, *[";".join(r) for r in rows]]) + "\n").encode()


def _pay(sn, **kw):
    args = {
        "employer": sn["employer"],
        "amount": 10000,
        "paid_on": dt.date(2025, 3, 1),
        "method": "bank",
        "reference": "VIR-123",
        "today": TODAY,
    } | kw
    return ledger.payment_record(**args)


# --- 1. Bank statement, payment API and form: amounts and references past the columns ---------


def test_statement_amount_and_reference_past_the_limits_are_line_errors(sn):
    number = sn["employer"].number
    content = _statement(
        [
            ["02/06/2025", "1000", number, "OK-1"],
            ["02/06/2025", "1 000 000 000 000 000", number, "BIG-1"],
            ["03/06/2025", "5000", number, "R" * 61],
        ]
    )
    with pytest.raises(ledger.StatementRejected) as exc:
        ledger.statement_import(organisation=sn["org"], content=content, today=TODAY)
    assert exc.value.line_errors == [
        {
            "line": 3,
            "column": "amount",
            "value": "1 000 000 000 000 000",
            "reason": "montant trop élevé : 999 999 999 999 999 FCFA au plus par paiement",
        },
        {
            "line": 4,
            "column": "reference",
            "value": "R" * 61,
            "reason": "référence trop longue : 60 caractères au plus",
        },
    ]
    assert _stored() == (0, 0, 0, 0)


def test_statement_whose_total_overflows_is_refused(sn):
    number = sn["employer"].number
    rows = [["02/06/2025", "999999999999999", number, f"BIG-{i}"] for i in range(11)]
    with pytest.raises(ledger.StatementRejected) as exc:
        ledger.statement_import(organisation=sn["org"], content=_statement(rows), today=TODAY)
    assert exc.value.line_errors == [
        {
            "line": None,
            "column": "amount",
            "value": "10999999999999989",
            "reason": "total du relevé trop grand : 9 999 999 999 999 999 FCFA au plus",
        }
    ]
    assert _stored() == (0, 0, 0, 0)


def test_statement_page_reports_the_big_amount_instead_of_a_500(sn, client):
    client.force_login(sn["agent"])
    content = _statement([["02/06/2025", "1000000000000000", sn["employer"].number, "B1"]])
    page = client.post(
        reverse("contributions-statement-import"), {"file": SimpleUploadedFile("r.csv", content)}
    )
    assert page.status_code == 200
    assert (
        "<td>2</td><td>amount</td><td>1000000000000000</td>"
        "<td>montant trop élevé : 999 999 999 999 999 FCFA au plus par paiement</td>"
    ) in page.content.decode()
    assert _stored() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        (
            {"amount": "10000000000000000"},
            "amount",
            "Montant trop élevé : 999 999 999 999 999 FCFA au plus par paiement.",
        ),
        (
            {"amount": 1e300},
            "amount",
            "Montant trop élevé : 999 999 999 999 999 FCFA au plus par paiement.",
        ),
        (
            {"reference": "R" * 61},
            "reference",
            "Référence trop longue : 61 caractères, 60 au plus.",
        ),
    ],
)
def test_payment_api_past_the_limits_is_422(sn, client, change, field, reason):
    body = {
        "employer_number": sn["employer"].number,
        "paid_on": "2025-03-01",
        "amount": "1000",
        "method": "bank",
        "reference": "VIR-1",
    } | change
    answer = client.post(
        reverse("api:contributions-payment-record"),
        body,
        content_type="application/json",
        **sn["headers"],
    )
    assert answer.status_code == 422
    assert answer.json() == {"errors": [{"field": field, "reason": reason}]}
    assert _stored() == (0, 0, 0, 0)


def test_payment_form_past_the_limits_shows_the_reason(sn, client):
    client.force_login(sn["agent"])
    url = reverse("contributions-payment-new", kwargs={"pk": sn["employer"].pk})
    page = client.post(
        url,
        {"paid_on": "01/03/2025", "amount": "10000000000000000", "method": "cash"},
    )
    assert page.status_code == 200
    assert "Montant trop élevé : 999 999 999 999 999 FCFA au plus par paiement." in (
        page.content.decode()
    )
    assert _stored() == (0, 0, 0, 0)


# --- 2. Declarations whose totals would overflow, text past the columns ------------------------


def _line(i, gross):
    return {
        "worker_number": f"W{i}",
        "family_name": "Diop",
        "given_names": "Awa",
        "days_worked": 31,
        "gross_salary": gross,
    }


def test_ten_thousand_large_lines_are_refused_line_by_line_not_a_500(sn):
    rows = [_line(i, 999_999_999_999) for i in range(10_050)]  # total 1.005 × 10^16
    with pytest.raises(DeclarationRejected) as exc:
        declaration_submit(employer=sn["employer"], period="2025-01", rows=rows, today=TODAY)
    errors = exc.value.line_errors
    assert len(errors) == 10_050
    assert errors[0] == {
        "line": 2,
        "column": "gross_salary",
        "value": "999999999999",
        "reason": "montant invraisemblable : 10 000 000 000 francs au plus par ligne",
    }
    assert _stored() == (0, 0, 0, 0)


def test_declaration_whose_salaries_overflow_the_totals_is_refused(sn):
    """A million and one lines at the per-line ceiling: each plausible, the total is not."""
    n = 1_000_001
    frame = pl.DataFrame(
        {
            "employer_number": [sn["employer"].number] * n,
            "period": ["2025-01"] * n,
            "worker_number": [f"W{i}" for i in range(n)],
            "family_name": ["Diop"] * n,
            "given_names": ["Awa"] * n,
            "days_worked": ["31"] * n,
            "gross_salary": ["10000000000"] * n,
        }
    )
    with pytest.raises(DeclarationRejected) as exc:
        import_frame(frame=frame, organisation=sn["org"], today=TODAY)
    assert exc.value.line_errors == [
        {
            "line": None,
            "column": "gross_salary",
            "value": "10000010000000000",
            "reason": "total trop grand : la masse salariale de l'employeur "
            f"{sn['employer'].number} pour la période 2025-01 dépasse 9 999 999 999 999 999 "
            "francs, ce qu'une déclaration peut enregistrer",
        }
    ]
    assert _stored() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("column", "limit"),
    [("worker_number", 20), ("national_id", 30), ("family_name", 80), ("given_names", 120)],
)
def test_declaration_text_past_its_column_is_a_line_error(sn, column, limit):
    row = _line(1, 100000) | {column: "A" * (limit + 1)}
    with pytest.raises(DeclarationRejected) as exc:
        declaration_submit(employer=sn["employer"], period="2025-01", rows=[row], today=TODAY)
    assert exc.value.line_errors == [
        {
            "line": 2,
            "column": column,
            "value": "A" * (limit + 1),
            "reason": f"trop long : {limit} caractères au plus",
        }
    ]
    assert _stored() == (0, 0, 0, 0)


# --- 3. The same column twice ------------------------------------------------------------------


@pytest.mark.parametrize("repeated", ["Period", "period"])
def test_header_with_a_column_twice_is_refused(sn, repeated):
    number = sn["employer"].number
    content = (
        "employer_number;period;worker_number;family_name;given_names;days_worked;"
        f"gross_salary;{repeated}\n{number};2025-01;W1;Diop;Awa;31;100000;2025-02\n"
    ).encode()
    with pytest.raises(DeclarationRejected) as exc:
        declaration_submit(employer=sn["employer"], period="2025-01", content=content, today=TODAY)
    assert exc.value.line_errors == [
        {"line": 1, "column": "period", "value": None, "reason": "colonne présente plusieurs fois"}
    ]
    assert _stored() == (0, 0, 0, 0)


# --- 4. The same reference at once ---------------------------------------------------------------


def test_reference_recorded_since_the_check_is_a_clear_error(sn, monkeypatch):
    """The race, without threads: the check misses the other payment, the constraint catches
    it, and the answer is the same clear error."""
    _pay(sn, employer=sn["other"])
    monkeypatch.setattr(account_payments, "_reference_recorded", lambda **kw: False)
    with pytest.raises(ValidationError) as exc:
        _pay(sn)
    assert exc.value.message_dict == {
        "reference": ["Référence déjà enregistrée : ce paiement est déjà compté."]
    }
    assert Payment.objects.count() == 1 and LedgerEntry.objects.count() == 1


def test_another_integrity_error_is_not_taken_for_a_reference(sn):
    BankStatement.objects.create(
        organisation=sn["org"], filename="a", content_hash="h", line_count=1, total=1
    )
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        BankStatement.objects.create(
            organisation=sn["org"], filename="b", content_hash="h", line_count=1, total=1
        )
    assert ledger._is_reference_conflict(exc.value) is False


def _race(employers, threads=8):
    """Record the same reference from `threads` threads at once (employers taken in turn)."""
    barrier = threading.Barrier(threads)
    outcomes: list[str] = []
    lock = threading.Lock()

    def one(employer):
        try:
            barrier.wait(timeout=20)
            ledger.payment_record(
                employer=employer,
                amount=10000,
                paid_on=dt.date(2025, 3, 1),
                method="bank",
                reference="VIR-RACE",
                today=TODAY,
            )
            outcome = "recorded"
        except ValidationError as exc:
            outcome = "; ".join(m for ms in exc.message_dict.values() for m in ms)
        except Exception as exc:  # noqa: BLE001 - the test reports what went wrong
            outcome = repr(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    workers = [
        threading.Thread(target=one, args=(employers[i % len(employers)],)) for i in range(threads)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert not any(w.is_alive() for w in workers)
    return sorted(outcomes)


@pytest.mark.parametrize("two_employers", [False, True])
def test_concurrent_payments_with_one_reference_record_one(transactional_db, sn, two_employers):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: no race to show")
    employers = [sn["employer"], sn["other"]] if two_employers else [sn["employer"]]
    outcomes = _race(employers)
    assert outcomes == ["Référence déjà enregistrée : ce paiement est déjà compté."] * 7 + [
        "recorded"
    ]
    assert Payment.objects.filter(reference="VIR-RACE").count() == 1
    assert LedgerEntry.objects.filter(kind="payment").count() == 1


# --- 5. Probable duplicates ----------------------------------------------------------------------


def test_reference_differing_only_in_case_needs_a_confirmation(sn):
    first = _pay(sn, reference="VIR-123")
    with pytest.raises(ValidationError) as exc:
        _pay(sn, reference="vir-123", method="mobile_money")
    assert exc.value.message_dict == {
        "confirm_duplicate": [
            "Paiement probablement en double : virement / dépôt bancaire VIR-123 de 10 000 FCFA "
            "du 01/03/2025 déjà enregistré pour cet employeur. Confirmez pour l'enregistrer "
            "quand même."
        ]
    }
    assert Payment.objects.count() == 1
    second = _pay(sn, reference="vir-123", confirm_duplicate=True)
    assert second.probable_duplicate_of == first
    event = AuditEvent.objects.get(object_type="payment", object_id=str(second.pk))
    assert event.changes["probable_duplicate_of"] == [None, first.pk]
    # another employer's reference in another case is not this employer's duplicate
    assert _pay(sn, employer=sn["other"], reference="Vir-123").probable_duplicate_of is None


def test_identical_cash_payments_need_a_confirmation(sn):
    cash = {"method": "cash", "reference": ""}
    first = _pay(sn, **cash)
    with pytest.raises(ValidationError) as exc:
        _pay(sn, **cash)
    assert list(exc.value.message_dict) == ["confirm_duplicate"]
    assert Payment.objects.count() == 1
    # another day or another amount: no question asked
    assert _pay(sn, **cash, paid_on=dt.date(2025, 3, 2)).probable_duplicate_of is None
    assert _pay(sn, **cash, amount=10001).probable_duplicate_of is None
    # a payment rejected (cancelled) no longer credits the account: recording it again is no
    # double credit, so no question is asked
    ledger.payment_reverse(payment=first, reason="faux billets", today=TODAY)
    again = _pay(sn, **cash)
    assert again.probable_duplicate_of is None
    assert _pay(sn, **cash, confirm_duplicate=True).probable_duplicate_of == again


def test_api_probable_duplicate_refused_then_confirmed(sn, client):
    url = reverse("api:contributions-payment-record")
    body = {
        "employer_number": sn["employer"].number,
        "paid_on": "2025-03-01",
        "amount": "10000",
        "method": "bank",
        "reference": "VIR-123",
    }

    def post(**change):
        return client.post(url, body | change, content_type="application/json", **sn["headers"])

    first = post()
    assert first.status_code == 201 and first.json()["probable_duplicate_of"] is None
    refused = post(reference="vir-123")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "confirm_duplicate"
    assert Payment.objects.count() == 1
    confirmed = post(reference="vir-123", confirm_duplicate=True)
    assert confirmed.status_code == 201
    assert confirmed.json()["probable_duplicate_of"] == first.json()["id"]
    cash = {"method": "cash", "reference": ""}
    assert post(**cash).status_code == 201
    assert post(**cash).json()["errors"][0]["field"] == "confirm_duplicate"
    assert post(**cash, confirm_duplicate=True).status_code == 201
    assert Payment.objects.count() == 4


def test_form_probable_duplicate_refused_then_confirmed_and_shown(sn, client):
    client.force_login(sn["agent"])
    url = reverse("contributions-payment-new", kwargs={"pk": sn["employer"].pk})
    data = {"paid_on": "01/03/2025", "amount": "10 000", "method": "cash", "reference": ""}
    assert client.post(url, data).status_code == 302
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "Paiement probablement en double : espèces (caisse) sans référence" in (
        refused.content.decode()
    )
    assert Payment.objects.count() == 1
    assert client.post(url, data | {"confirm_duplicate": "on"}).status_code == 302
    first, second = Payment.objects.order_by("pk")
    assert second.probable_duplicate_of == first
    page = client.get(reverse("contributions-account-detail", kwargs={"pk": sn["employer"].pk}))
    assert "doublon probable confirmé" in page.content.decode()


def test_statement_line_repeating_a_payment_but_for_case_is_not_recorded(sn):
    first = _pay(sn, reference="FT2506020001")
    number = sn["employer"].number
    result = ledger.statement_import(
        organisation=sn["org"],
        content=_statement(
            [["02/06/2025", "10000", number, "ft2506020001"], ["02/06/2025", "5", number, "N1"]]
        ),
        today=TODAY,
    )
    assert [p.reference for p in result.payments] == ["N1"]
    assert result.probable_duplicates == [
        {"line": 2, "reference": "ft2506020001", "earlier": first.reference}
    ]
    # within one statement, the same reference in two cases is a line error
    with pytest.raises(ledger.StatementRejected) as exc:
        ledger.statement_import(
            organisation=sn["org"],
            content=_statement(
                [["02/06/2025", "1", number, "AB-1"], ["02/06/2025", "2", number, "ab-1"]]
            ),
            today=TODAY,
        )
    assert exc.value.line_errors == [
        {
            "line": 3,
            "column": "reference",
            "value": "ab-1",
            "reason": "référence déjà présente ligne 2",
        }
    ]


# --- 6. Odd but valid JSON -----------------------------------------------------------------------


ODD = [1e300, -1, "abc", 10**30, "1e400", None, True, [], {}, "", "2026-13", "x" * 500, "NaN"]


DECLARATION_FIELDS = (
    "period",
    "kind",
    "days_worked",
    "gross_salary",
    "family_name",
    "given_names",
    "worker_number",
    "national_id",
    "category",
)


def test_odd_declaration_json_is_never_a_500(sn, client):
    """Every odd value in every field: stored (201), recognised (200) or refused (422) with
    nothing stored; never a 500."""
    url = reverse("api:contributions-declaration-submit")
    server_errors = []
    for field in DECLARATION_FIELDS:
        for value in ODD:
            line = _line(1, 100000)
            body = {"employer_number": sn["employer"].number, "period": "2025-01", "lines": [line]}
            if field in ("period", "kind"):
                body[field] = value
            else:
                line[field] = value
            before = _stored()
            answer = client.post(url, body, content_type="application/json", **sn["headers"])
            if answer.status_code not in (200, 201, 422) or (
                answer.status_code == 422 and _stored() != before
            ):
                server_errors.append((field, value, answer.status_code))
            Declaration.objects.update(status="superseded")  # the next one is an original again
    assert server_errors == []


def test_unknown_declaration_kind_is_refused(sn, client):
    body = {
        "employer_number": sn["employer"].number,
        "period": "2025-01",
        "kind": "amended",
        "lines": [_line(1, 100000)],
    }
    answer = client.post(
        reverse("api:contributions-declaration-submit"),
        body,
        content_type="application/json",
        **sn["headers"],
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "payload.kind"
    assert _stored() == (0, 0, 0, 0)


PAYMENT_FIELDS = ("paid_on", "amount", "method", "reference", "confirm_duplicate")
PAYMENT_ODD = [*ODD, "2025-02-30", "9999-12-31", 10**15, 10**16, -(10**20), 3.5, "Infinity"]


def test_odd_payment_json_is_never_a_500(sn, client):
    url = reverse("api:contributions-payment-record")
    server_errors = []
    for n, (field, value) in enumerate(
        (field, value) for field in PAYMENT_FIELDS for value in PAYMENT_ODD
    ):
        body = {
            "employer_number": sn["employer"].number,
            "paid_on": "2025-03-01",
            "amount": str(1000 + n),  # no two alike: a probable duplicate is not the question
            "method": "cash",
            "reference": "",
        } | {field: value}
        answer = client.post(url, body, content_type="application/json", **sn["headers"])
        if answer.status_code not in (201, 422):
            server_errors.append((field, value, answer.status_code))
    assert server_errors == []
