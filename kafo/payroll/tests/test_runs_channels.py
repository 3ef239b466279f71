"""Payroll runs and the payment channels: mobile money through the operators' adapters (a GSMA
batch against H5's loopback server, a file for a file operator), the organisation's bank CSV,
recoveries counted at freeze, the channel locked while a run holding the benefit is open.
Values computed by hand."""
# ruff: noqa: F811  (org and officers are test_runs' fixtures, imported)

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kafo.payroll import run_returns, run_rules, runs, services
from kafo.payroll.mobile_money import build_operator, load_operator_settings
from kafo.payroll.models import (
    BatchStatus,
    BenefitInPayment,
    ChannelChange,
    LineStatus,
    MobileMoneyBatch,
    Overpayment,
    PayrollFile,
    PayrollLine,
    PayrollReturn,
    RunStatus,
)
from kafo.payroll.tests.gsma_server import GsmaTestServer
from kafo.payroll.tests.test_runs import (  # noqa: F401 (fixtures)
    APR,
    MAR,
    RIB_ML,
    RIB_SN,
    benefit,
    line_of,
    officers,
    org,
    pay,
)

D = dt.date
KNOWN = ["+22365012345", "+22376543210", "+22370000001"]


def _mm(org, name, amount, msisdn, operator="orange_money_ml"):
    return benefit(org, name, amount, channel="mobile_money", msisdn=msisdn, operator=operator)


def _loopback(monkeypatch, server):
    settings = load_operator_settings()

    def operator_for(code):
        return build_operator(code, settings[code], base_url=server.url, api_key="test-key",
                              poll_interval_seconds=0, sleep=lambda s: None)  # fmt: skip

    monkeypatch.setattr(run_returns, "operator_for", operator_for)


@pytest.mark.django_db(transaction=True)
def test_gsma_batch_rejection_fails_the_line_and_the_next_run_pays_it(org, officers, monkeypatch):
    from kafo.jobs import run_pending

    awa = _mm(org, "COULIBALY Awa", 45_000, "+22365012345")
    oumar = _mm(org, "SIDIBE Oumar", 30_000, "+22399999999")  # not a registered wallet
    fanta = _mm(org, "KEITA Fanta", 25_000, "+22376543210")
    with GsmaTestServer(known_msisdns=KNOWN) as server:
        _loopback(monkeypatch, server)
        march = pay(org, officers, MAR)
        batch = MobileMoneyBatch.objects.get(run=march)
        # frozen: the batch waits for the job (never sent in the request)
        assert (batch.operator, batch.status, batch.line_count, batch.total) == (
            "orange_money_ml", BatchStatus.PENDING, 3, 100_000)  # fmt: skip
        assert server.batches == {}
        # no CSV for an API operator: the batch is the record
        assert not PayrollFile.objects.filter(run=march, kind="mobile_money").exists()
        run_pending(["payroll"])
        batch.refresh_from_db()
        assert (batch.status, batch.batch_id, batch.completed_count, batch.rejected_count) == (
            BatchStatus.COMPLETED, "B0001", 2, 1)  # fmt: skip
        sent = server.batches["B0001"]["transactions"]
        assert [(t["requestingOrganisationTransactionReference"], t["amount"]) for t in sent] == [
            (line_of(march, awa).reference, "45000"),
            (line_of(march, oumar).reference, "30000"),
            (line_of(march, fanta).reference, "25000"),
        ]
        got = {b.payee_name: (line_of(march, b).status, line_of(march, b).failure_reason)
               for b in (awa, oumar, fanta)}  # fmt: skip
        assert got == {
            "COULIBALY Awa": (LineStatus.PAID, ""),
            "SIDIBE Oumar": (LineStatus.FAILED, "msisdn not registered"),
            "KEITA Fanta": (LineStatus.PAID, ""),
        }
        ret = PayrollReturn.objects.get(run=march)
        assert (ret.kind, ret.failed_count, ret.paid_count, ret.uploaded_by_id) == (
            "mobile_money", 1, 2, None)  # fmt: skip
        # the number corrected in between; April pays March again to Oumar
        BenefitInPayment.objects.filter(pk=oumar.pk).update(msisdn="+22370000001")
        april = pay(org, officers, APR)
        again = line_of(april, oumar)
        assert (again.arrears, again.regular, again.net, again.msisdn) == (
            30_000, 30_000, 60_000, "+22370000001")  # fmt: skip
        assert line_of(april, awa).net == 45_000
        run_pending(["payroll"])
        april_batch = MobileMoneyBatch.objects.get(run=april)
        assert (april_batch.status, april_batch.total, april_batch.completed_count) == (
            BatchStatus.COMPLETED, 130_000, 3)  # fmt: skip
        again.refresh_from_db()
        assert again.status == LineStatus.PAID
        assert PayrollLine.objects.get(run=march, benefit=oumar).repaid_by_id == again.pk


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_operator_is_retried_later_and_shown(org, officers, monkeypatch):
    from kafo.jobs import run_pending

    _mm(org, "COULIBALY Awa", 45_000, "+22365012345")
    settings = load_operator_settings()
    unreachable = {"base_url": "http://127.0.0.1:9", "api_key": "k", "timeout_seconds": 1}

    def unreachable_operator(code):
        return build_operator(code, settings[code], **unreachable)

    monkeypatch.setattr(run_returns, "operator_for", unreachable_operator)
    march = pay(org, officers, MAR)
    run_pending(["payroll"])
    batch = MobileMoneyBatch.objects.get(run=march)
    assert (batch.status, batch.attempts) == (BatchStatus.PENDING, 1)
    assert "injoignable" in batch.last_error
    assert PayrollLine.objects.get(run=march).status == LineStatus.PENDING


def test_file_operator_and_bank_csv_beside_the_pain001(org, officers, monkeypatch, client):
    rules = {"default": {**runs._rules()["default"]},
             "organisations": {"INPS-ML": {"bank_csv": {"layout": "rib_detaille_pv"}}}}  # fmt: skip
    monkeypatch.setattr(run_rules, "_rules", lambda: rules)
    bank = benefit(org, "KEITA Moussa", 60_000)
    wave = _mm(org, "DIOP Aminata", 20_000, "+221771234567", operator="wave_sn")
    march = pay(org, officers, MAR)
    files = {f.kind: f for f in PayrollFile.objects.filter(run=march)}
    assert set(files) == {"pain001", "bank_csv", "mobile_money"}
    rows = bytes(files["bank_csv"].content).decode("cp1252").splitlines()
    ref = line_of(march, bank).reference
    assert (
        rows[1]
        == f"{ref};KEITA Moussa;ML016;01201;026001006684;97;60000;XOF;Pension 03/2026;"
        + rows[1].rsplit(";", 1)[1]
    )
    assert (files["bank_csv"].line_count, files["bank_csv"].total) == (1, 60_000)
    mm = bytes(files["mobile_money"].content).decode("utf-8").splitlines()
    assert mm == [
        "Reference,Beneficiary name,Phone,Amount",
        f"{line_of(march, wave).reference},DIOP Aminata,+221771234567,20000",
    ]
    assert MobileMoneyBatch.objects.get(run=march).status == BatchStatus.FILE
    # the batch's state on the run's page, the operator by its name
    client.force_login(officers[0])
    page = client.get(reverse("payroll-run-detail", args=[march.pk])).content.decode()
    assert "Wave Sénégal" in page and "wave_sn" not in page
    assert "fichier à déposer sur le portail de l&#x27;opérateur" in page
    # Wave's result file uploaded on the run's page: the line rejected
    ref = line_of(march, wave).reference
    result = f"Reference,Phone,Status,Error\r\n{ref},+221771234567,FAILED,wallet blocked\r\n"
    upload = SimpleUploadedFile("wave.csv", result.encode(), content_type="text/csv")
    client.post(reverse("payroll-run-returns", args=[march.pk]), {"file": upload})
    assert (line_of(march, wave).status, line_of(march, wave).failure_reason) == (
        LineStatus.FAILED, "wallet blocked")  # fmt: skip
    assert line_of(march, bank).status == LineStatus.PENDING
    batch = MobileMoneyBatch.objects.get(run=march)
    assert (batch.status, batch.rejected_count) == (BatchStatus.COMPLETED, 1)
    # configured "instead": the CSV alone
    rules["organisations"]["INPS-ML"]["bank_csv"]["only"] = True
    benefit(org, "TRAORE Ali", 50_000, start=APR)
    april = pay(org, officers, APR)
    kinds = sorted(PayrollFile.objects.filter(run=april).values_list("kind", flat=True))
    assert kinds == ["bank_csv", "mobile_money"]


def test_recovery_counted_when_the_run_is_frozen_not_when_prepared(org, officers):
    preparer, approver = officers
    b = benefit(org, "KEITA Moussa", 60_000)
    over = Overpayment.objects.create(
        organisation=org, benefit=b, amount=30_000, reason="death", created_at=timezone.now()
    )
    # a third of 60,000 at most: 20,000 in March
    march = runs.run_prepare(organisation=org, period_start=MAR, months=1, user=preparer)
    assert (line_of(march, b).deductions, line_of(march, b).net) == (20_000, 40_000)
    march = runs.run_approve(run=march, user=approver, on=D(2026, 3, 20))
    over.refresh_from_db()
    assert over.recovered == 0
    # April prepared while March is approved, not frozen: only the 10,000 left is deducted
    april = runs.run_prepare(organisation=org, period_start=APR, months=1, user=preparer)
    assert (line_of(april, b).deductions, line_of(april, b).net) == (10_000, 50_000)
    runs.run_freeze(run=march, user=preparer)
    over.refresh_from_db()
    assert over.recovered == 20_000
    # March's line returned by the bank: its 20,000 was not withheld after all
    runs.run_record_returns(run=march, user=preparer, kind="pain002", name="r.xml",
                            failed={line_of(march, b).reference: "AC04"})  # fmt: skip
    over.refresh_from_db()
    assert over.recovered == 0
    runs.run_approve(run=april, user=approver, on=D(2026, 3, 20))
    runs.run_freeze(run=april, user=preparer)
    over.refresh_from_db()
    assert over.recovered == 10_000


def test_channel_change_refused_while_a_run_holding_the_benefit_is_open(org, officers):
    preparer, approver = officers
    b = benefit(org, "KEITA Moussa", 60_000)
    run = runs.run_prepare(organisation=org, period_start=MAR, months=1, user=preparer)
    assert runs.benefit_in_open_run(b) is True
    data = {"channel": "bank", "rib": RIB_SN, "account_holder": "KEITA Moussa"}
    for step in ("prepared", "approved"):
        with pytest.raises(ValidationError) as exc:
            services.benefit_change_channel(benefit=b, data=data, user=preparer)
        assert "gel" in exc.value.message_dict["channel"][0], step
        b.refresh_from_db()
        assert (b.rib, ChannelChange.objects.filter(benefit=b).count()) == (RIB_ML, 0)
        if step == "prepared":
            run = runs.run_approve(run=run, user=approver, on=D(2026, 3, 20))
    run = runs.run_freeze(run=run, user=preparer)
    assert runs.benefit_in_open_run(b) is False
    services.benefit_change_channel(benefit=b, data=data, user=preparer)
    b.refresh_from_db()
    assert (b.rib, ChannelChange.objects.filter(benefit=b).count()) == (RIB_SN, 1)
    assert PayrollLine.objects.get(run=run).rib == RIB_ML  # the frozen line keeps its account
    assert run.status == RunStatus.FROZEN and Decimal(run.total_net) == 60_000
