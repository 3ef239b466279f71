"""Mobile-money batches: the GSMA v1.2 batch protocol against a loopback server, the operator
adapters from configuration, and the portal-file adapter."""

import uuid
from datetime import datetime

import pytest

from kafo.payroll.mobile_money import (
    BatchState,
    Completion,
    Disbursement,
    MobileMoneyError,
    Rejection,
    Submission,
    build_operator,
    load_operator_settings,
    operator_for,
)
from kafo.payroll.mobile_money.gsma import GsmaClient, GsmaOperator
from kafo.payroll.tests.gsma_server import GsmaTestServer

KNOWN = ["+22365012345", "+22376543210"]
BATCH = [
    Disbursement("PAY-11-001", "+22365012345", 125000, name="Awa Coulibaly"),
    Disbursement("PAY-11-002", "+22399999999", 60000, name="Oumar Sidibé"),  # unknown wallet
    Disbursement("PAY-11-003", "+22376543210", 30500, name="Fanta Keita"),
]


def _operator(server, **overrides):
    sleeps = []
    settings = {**load_operator_settings()["orange_money_ml"], "base_url": server.url,
                "api_key": "test-key", "poll_interval_seconds": 0.5, "page_size": 2}  # fmt: skip
    operator = build_operator("orange_money_ml", settings, sleep=sleeps.append, **overrides)
    return operator, sleeps


def test_batch_created_approved_then_completions_and_rejections():
    with GsmaTestServer(known_msisdns=KNOWN, pending_polls=2) as server:
        operator, sleeps = _operator(server)
        submission = operator.submit("KAFO-CMSS-ML-2026-11-MM", BATCH, title="Pensions 11/2026")
        assert submission == Submission(batch_id="B0001", status="created")
        assert sleeps == [0.5, 0.5, 0.5]  # pending twice, then completed
        assert operator.state("B0001") == BatchState("B0001", "created", 0, 0, 3)

        operator.approve("B0001")
        assert operator.state("B0001") == BatchState("B0001", "completed", 2, 1, 3)
        assert operator.completions("B0001") == [
            Completion("PAY-11-001", "+22365012345", "B0001-T1", "2026-11-30T09:00:00.000Z"),
            Completion("PAY-11-003", "+22376543210", "B0001-T3", "2026-11-30T09:00:00.000Z"),
        ]
        assert operator.rejections("B0001") == [
            Rejection("PAY-11-002", "+22399999999", "msisdn not registered",
                      "2026-11-30T09:00:00.000Z"),
        ]  # fmt: skip

        # The body sent is the spec's requestBatchTransaction, amounts as strings.
        sent = server.batches["B0001"]
        assert sent["batchTitle"] == "Pensions 11/2026"
        assert sent["transactions"][0] == {
            "requestingOrganisationTransactionReference": "PAY-11-001",
            "type": "disbursement",
            "amount": "125000",
            "currency": "XOF",
            "creditParty": [{"key": "msisdn", "value": "+22365012345"}],
            "debitParty": [{"key": "walletid", "value": "CMSS-ML-DECAISSEMENT"}],
        }
        # Every request: a fresh UUID correlation id, an ISO X-Date, the API key.
        methods = [(m, p) for m, p, _ in server.requests]
        assert methods[:6] == [
            ("POST", "/batchtransactions"),
            ("GET", f"/requeststates/{next(iter(server.states))}"),
            ("GET", f"/requeststates/{next(iter(server.states))}"),
            ("GET", f"/requeststates/{next(iter(server.states))}"),
            ("GET", "/batchtransactions/B0001"),
            ("GET", "/batchtransactions/B0001"),
        ]
        # completions paged 2 by 2: offset 0 then 2
        assert ("GET", "/batchtransactions/B0001/completions") in methods
        ids = [h["x-correlationid"] for _, _, h in server.requests]
        assert len(set(ids)) == len(ids) and all(uuid.UUID(i).version == 4 for i in ids)
        assert all(datetime.fromisoformat(h["x-date"].replace("Z", "+00:00"))
                   for _, _, h in server.requests)  # fmt: skip
        assert {h["x-api-key"] for _, _, h in server.requests} == {"test-key"}


def test_one_shot_operator_without_approval_step():
    with GsmaTestServer(known_msisdns=KNOWN, maker_checker=False, pending_polls=0) as server:
        operator, _ = _operator(server)
        assert operator.submit("R", BATCH[:1]) == Submission("B0001", "completed")
        assert [c.reference for c in operator.completions("B0001")] == ["PAY-11-001"]
        assert operator.rejections("B0001") == []


def test_approving_twice_is_refused_by_the_operator():
    with GsmaTestServer(known_msisdns=KNOWN, pending_polls=0) as server:
        operator, _ = _operator(server)
        operator.submit("R", BATCH[:1])
        operator.approve("B0001")
        with pytest.raises(MobileMoneyError) as exc:
            operator.approve("B0001")
        assert exc.value.permanent and exc.value.status == 400
        assert "businessRule / incorrectState" in str(exc.value)


def test_wrong_api_key_and_server_side_validation_errors():
    with GsmaTestServer(known_msisdns=KNOWN, pending_polls=0) as server:
        operator, _ = _operator(server, api_key="wrong")
        with pytest.raises(MobileMoneyError, match="HTTP 401 : authorisation"):
            operator.submit("R", BATCH[:1])
        # A body the spec refuses (amount with a trailing zero decimal) is answered 400.
        client = GsmaClient(server.url, api_key="test-key")
        body = GsmaOperator(code="x", label="x", client=client,
                            debit_party={"key": "walletid", "value": "W"}).batch_body(
            "R", BATCH[:1], "")  # fmt: skip
        body["transactions"][0]["amount"] = "125000.10"
        with pytest.raises(MobileMoneyError, match="amount does not match the pattern"):
            client.create_batch(body)
        assert server.batches == {}


def test_polling_is_bounded():
    with GsmaTestServer(known_msisdns=KNOWN, pending_polls=10) as server:
        operator, sleeps = _operator(server, poll_limit=3)
        with pytest.raises(MobileMoneyError, match="toujours en attente après 3 interrogations"):
            operator.submit("R", BATCH[:1])
        assert len(sleeps) == 4


def test_unreachable_operator_is_a_retryable_error():
    with GsmaTestServer(known_msisdns=KNOWN) as server:
        url = server.url
    operator = build_operator("o", {**load_operator_settings()["orange_money_ml"],
                                     "base_url": url, "timeout_seconds": 2})  # fmt: skip
    with pytest.raises(MobileMoneyError, match="injoignable") as exc:
        operator.submit("R", BATCH[:1])
    assert not exc.value.permanent


@pytest.mark.parametrize(
    ("batch", "message"),
    [
        ([], "lot vide"),
        ([Disbursement("A", "65012345", 100)], "A : numéro « 65012345 » : format E.164"),
        ([Disbursement("A", "+22365012345", "10.5")], "A : montant 10.5"),
        ([Disbursement("A", "+22365012345", 1)] * 2, "A : référence en double"),
        ([Disbursement("A", "+22365012345", 1, currency="XAF")], "devise XAF"),
    ],
)
def test_batch_refused_before_anything_is_sent(batch, message):
    with GsmaTestServer(known_msisdns=KNOWN) as server:
        operator, _ = _operator(server)
        with pytest.raises(MobileMoneyError) as exc:
            operator.submit("R", batch)
        assert message in str(exc.value) and exc.value.permanent
        assert server.requests == []


def test_configured_operators_and_unknown_ones():
    assert {code: operator_for(code).kind for code in load_operator_settings()} == {
        "orange_money_ml": "api",
        "orange_money_sn": "api",
        "wave_sn": "file",
        "moov_ci": "file",
    }
    with pytest.raises(MobileMoneyError, match="opérateur « mtn_xx » inconnu"):
        operator_for("mtn_xx")
    with pytest.raises(MobileMoneyError, match="protocole « sms » inconnu"):
        build_operator("x", {"protocol": "sms"})
    with pytest.raises(MobileMoneyError, match="compte payeur"):
        build_operator("x", {"protocol": "gsma", "base_url": "http://127.0.0.1:9"})


def test_wave_file_and_its_results():
    wave = operator_for("wave_sn")
    batch = [Disbursement("PAY-1", "+221701234567", 50000, name="=cmd|' /C calc'!A0"),
             Disbursement("PAY-2", "+221771234567", 25000, name="Ndeye Fall")]  # fmt: skip
    assert wave.batch_file(batch).decode().split("\r\n") == [
        "Reference,Beneficiary name,Phone,Amount",
        "PAY-1,'=cmd|' /C calc'!A0,+221701234567,50000",
        "PAY-2,Ndeye Fall,+221771234567,25000",
        "",
    ]
    results = b"Reference,Phone,Status,Error\r\nPAY-1,+221701234567,succeeded,\r\n" \
              b"PAY-2,+221771234567,FAILED,wallet blocked\r\n"  # fmt: skip
    assert wave.read_results(results) == (
        [Completion("PAY-1", "+221701234567")],
        [Rejection("PAY-2", "+221771234567", "wallet blocked")],
    )


def test_moov_file_national_numbers_cp1252():
    moov = operator_for("moov_ci")
    data = moov.batch_file([Disbursement("P-1", "+2250123456789", 40000, name="Koffi Kouamé")])
    assert data.decode("cp1252").split("\r\n")[1] == "P-1;Koffi Kouamé;0123456789;40000"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Ref,Status\r\nPAY-1,PAID\r\n", "colonne « Reference » absente"),
        (b"Reference,Phone,Status,Error\r\nPAY-1,,LOST,\r\n", "ligne 2 : statut « LOST » inconnu"),
        (b"Reference,Phone,Status,Error\r\n,,PAID,\r\n", "ligne 2 : référence vide"),
        (b"Reference,Phone,Status,Error\r\nA,,PAID,\r\nA,,PAID,\r\n", "ligne 3 : référence « A »"),
    ],
)
def test_bad_result_file_refused(data, message):
    with pytest.raises(MobileMoneyError) as exc:
        operator_for("wave_sn").read_results(data)
    assert message in str(exc.value)


def test_completions_read_page_by_page():
    numbers = [f"+2236501234{i}" for i in range(5)]
    batch = [Disbursement(f"P-{i}", n, 1000 + i) for i, n in enumerate(numbers)]
    with GsmaTestServer(known_msisdns=numbers, maker_checker=False, pending_polls=0) as server:
        operator, _ = _operator(server)  # page_size 2
        operator.submit("R", batch)
        assert [c.reference for c in operator.completions("B0001")] == [f"P-{i}" for i in range(5)]
        pages = [p for m, p, _ in server.requests if p.endswith("/completions")]
        assert len(pages) == 3  # offsets 0, 2, 4: the third page has 1 < 2 records
