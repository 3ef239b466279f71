"""Payroll runs through the services (kafo/payroll/runs.py), values computed by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kafo.payroll import runs
from kafo.payroll.domain.pain001 import validate_pain001
from kafo.payroll.models import (
    AmountVersion,
    BenefitInPayment,
    LineStatus,
    Overpayment,
    PayrollFile,
    PayrollLine,
    PayrollRecovery,
    PayrollRun,
    RunStatus,
)

D = dt.date
MAR, APR = D(2026, 3, 1), D(2026, 4, 1)
RIB_ML = "ML0160120102600100668497"
RIB_SN = "SN0100152000048500003035"


@pytest.fixture
def org(zone):
    return zone["INPS-ML"]


@pytest.fixture
def officers(org, make_user):
    from kafo.governance import services as governance

    preparer = make_user(org, "payment_officer", username="paie.a")
    approver = make_user(org, "payment_officer", username="paie.b")
    body = governance.body_create(organisation=org, name="Conseil", kind="board")
    session = governance.session_create(body=body, date=D(2025, 12, 1), place="Siège")
    decision = governance.decision_create(
        session=session, title="Délégation paiements", owner_name="DG", today=D(2025, 12, 1)
    )
    governance.delegation_grant(
        decision=decision,
        delegate=approver,
        kind="payment",
        amount_ceiling=Decimal("10000000"),
        start_date=D(2025, 12, 1),
    )
    return preparer, approver


def benefit(org, name, amount, *, start=MAR, channel="bank", **fields):
    details = {
        "bank": {"rib": RIB_ML},
        "mobile_money": {"msisdn": "+22365012345", "operator": "Orange Money"},
        "cash": {"paying_agency": "Agence de Bamako"},
    }[channel]
    b = BenefitInPayment.objects.create(
        organisation=org,
        payee_name=name,
        kind="pension",
        start_date=start,
        status_since=start,
        status_reason="start",
        channel=channel,
        created_at=timezone.now(),
        **{**details, **fields},
    )
    AmountVersion.objects.create(
        organisation=org,
        benefit=b,
        effective_from=start,
        monthly_amount=amount,
        reason="initial",
        created_at=timezone.now(),
    )
    return b


def pay(org, officers, period, months=1):
    preparer, approver = officers
    run = runs.run_prepare(organisation=org, period_start=period, months=months, user=preparer)
    run = runs.run_approve(run=run, user=approver, on=D(2026, 3, 20))
    return runs.run_freeze(run=run, user=preparer)


def line_of(run, b):
    return PayrollLine.objects.get(run=run, benefit=b)


def test_a_second_run_of_the_same_period_pays_nothing(org, officers):
    a = benefit(org, "KEITA Moussa", 60_000)
    benefit(org, "DIARRA Awa", 45_000, channel="mobile_money")
    first = pay(org, officers, MAR)
    assert (first.line_count, first.total_net) == (2, Decimal(105_000))
    assert line_of(first, a).months == [2026 * 12 + 2]
    second = runs.run_prepare(organisation=org, period_start=MAR, months=1, user=officers[0])
    assert (second.status, second.line_count, second.total_net) == (RunStatus.PREPARED, 0, 0)
    assert PayrollLine.objects.filter(run=second).count() == 0


def test_approval_needs_another_officer_within_a_delegation(org, officers, make_user):
    benefit(org, "KEITA Moussa", 60_000)
    preparer, approver = officers
    run = runs.run_prepare(organisation=org, period_start=MAR, months=1, user=preparer)
    with pytest.raises(ValidationError, match="Quatre yeux"):
        runs.run_approve(run=run, user=preparer, on=D(2026, 3, 20))
    stranger = make_user(org, "payment_officer", username="paie.c")  # no delegation
    with pytest.raises(ValidationError, match="délégation"):
        runs.run_approve(run=run, user=stranger, on=D(2026, 3, 20))
    run.refresh_from_db()
    assert (run.status, run.approved_by_id) == (RunStatus.PREPARED, None)
    runs.run_approve(run=run, user=approver, on=D(2026, 3, 20))
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED
    assert run.approved_under.delegate_id == approver.pk


def test_resumption_after_suspension_pays_the_arrears(org, officers):
    b = benefit(org, "KEITA Moussa", 60_000)
    BenefitInPayment.objects.filter(pk=b.pk).update(status="suspended")
    march = pay(org, officers, MAR)
    assert march.line_count == 0
    BenefitInPayment.objects.filter(pk=b.pk).update(status="in_payment")
    april = pay(org, officers, APR)
    line = line_of(april, b)
    got = (line.regular, line.arrears, line.gross, line.month_count)
    assert got == (60_000, 60_000, 120_000, 2)


def test_overpayment_recovered_capped_and_death_stops_payment(org, officers):
    survivor = benefit(org, "COULIBALY Fanta", 36_000, channel="cash")
    dead = benefit(org, "COULIBALY Adama", 60_000, start=D(2025, 1, 1))
    BenefitInPayment.objects.filter(pk=dead.pk).update(
        status="stopped", end_date=D(2026, 2, 28), payee_death_date=D(2026, 2, 10)
    )
    # March paid in advance before the death was known: 60,000 to recover from the widow
    over = Overpayment.objects.create(
        organisation=org,
        benefit=survivor,
        amount=60_000,
        reason="death",
        created_at=timezone.now(),
    )
    run = pay(org, officers, MAR)
    assert PayrollLine.objects.filter(run=run, benefit=dead).count() == 0
    line = line_of(run, survivor)
    assert (line.gross, line.deductions, line.net) == (36_000, 12_000, 24_000)
    over.refresh_from_db()
    assert over.recovered == 12_000
    cash = {"lines": 1, "gross": 36_000, "deductions": 12_000, "net": 24_000}
    assert run.totals == {"cash": cash}


def test_a_death_recorded_after_preparation_stops_the_approval(org, officers):
    b = benefit(org, "KEITA Moussa", 60_000)
    run = runs.run_prepare(organisation=org, period_start=MAR, months=1, user=officers[0])
    BenefitInPayment.objects.filter(pk=b.pk).update(payee_death_date=D(2026, 3, 5))
    with pytest.raises(ValidationError, match="anomalie"):
        runs.run_approve(run=run, user=officers[1], on=D(2026, 3, 20))
    run.refresh_from_db()
    assert run.status == RunStatus.PREPARED
    assert runs.run_checks(run, on=D(2026, 3, 20)) == [
        {"code": "dead", "benefit_id": b.pk, "detail": "2026-03-05"}
    ]


def test_a_failed_bank_line_is_paid_in_the_next_run_to_the_corrected_account(org, officers):
    b = benefit(org, "KEITA Moussa", 60_000)
    march = pay(org, officers, MAR)
    line = line_of(march, b)
    runs.run_record_returns(
        run=march,
        user=officers[0],
        kind="pain002",
        name="retour.xml",
        failed={line.reference: "AC01 compte clos"},
    )
    line.refresh_from_db()
    assert (line.status, line.failure_reason) == (LineStatus.FAILED, "AC01 compte clos")
    BenefitInPayment.objects.filter(pk=b.pk).update(rib=RIB_SN)  # corrected in between
    april = pay(org, officers, APR)
    again = line_of(april, b)
    got = (again.arrears, again.regular, again.gross, again.rib)
    assert got == (60_000, 60_000, 120_000, RIB_SN)
    assert again.months == [2026 * 12 + 2, 2026 * 12 + 3]
    line.refresh_from_db()
    assert line.repaid_by_id == again.pk
    # the same return cannot name a line of another run: nothing changes
    with pytest.raises(ValidationError, match="inconnue"):
        runs.run_record_returns(
            run=march, user=officers[0], kind="pain002", name="x", failed={again.reference: "x"}
        )
    again.refresh_from_db()
    assert again.status == LineStatus.PENDING


def test_revaluation_from_a_date_is_paid_at_the_new_amount(org, officers):
    b = benefit(org, "KEITA Moussa", 60_000)
    AmountVersion.objects.create(
        organisation=org,
        benefit=b,
        effective_from=D(2026, 4, 16),
        monthly_amount=63_000,
        reason="revaluation",
        created_at=timezone.now(),
    )
    pay(org, officers, MAR)
    april = pay(org, officers, APR)
    # 60,000 × 15/30 + 63,000 × 15/30 = 61,500
    assert line_of(april, b).gross == 61_500


def test_totals_per_channel_equal_the_sum_of_lines_and_pain001_validates(org, officers):
    benefit(org, "KEITA Moussa", 60_000)
    benefit(org, "TRAORE Awa", 70_500, rib=RIB_SN)
    benefit(org, "DIARRA Awa", 45_000, channel="mobile_money")
    benefit(org, "SANGARE Ali", 30_000, channel="cash")
    run = pay(org, officers, MAR)
    for channel, totals in run.totals.items():
        lines = PayrollLine.objects.filter(run=run, channel=channel)
        assert totals["net"] == sum(ln.net for ln in lines)
        assert totals["lines"] == lines.count()
    assert run.totals["bank"]["net"] == 130_500
    names = sorted(PayrollFile.objects.filter(run=run).values_list("kind", "content_type"))
    assert names == [
        ("cash_list", "application/pdf"),
        ("cash_list", "text/csv"),
        ("mobile_money", "text/csv"),
        ("pain001", "application/xml"),
    ]
    files = {f.kind: f for f in PayrollFile.objects.filter(run=run)}
    xml = bytes(files["pain001"].content)
    assert validate_pain001(xml) == []
    assert b"<CtrlSum>130500</CtrlSum>" in xml
    assert (files["pain001"].line_count, files["pain001"].total) == (2, 130_500)


def test_a_frozen_run_cannot_be_cancelled_or_prepared_again(org, officers):
    benefit(org, "KEITA Moussa", 60_000)
    run = pay(org, officers, MAR)
    with pytest.raises(ValidationError):
        runs.run_cancel(run=run, user=officers[0])
    assert PayrollRun.objects.get(pk=run.pk).status == RunStatus.FROZEN


def test_cancelled_run_releases_its_months_and_recoveries(org, officers):
    b = benefit(org, "KEITA Moussa", 60_000)
    over = Overpayment.objects.create(
        organisation=org, benefit=b, amount=5_000, reason="death", created_at=timezone.now()
    )
    run = runs.run_prepare(organisation=org, period_start=MAR, months=1, user=officers[0])
    assert line_of(run, b).deductions == 5_000
    over.refresh_from_db()
    assert over.recovered == 0  # rises only at freeze
    runs.run_cancel(run=run, user=officers[0])
    over.refresh_from_db()
    assert over.recovered == 0
    assert PayrollRecovery.objects.get(line__run=run).reversed is True
    again = runs.run_prepare(organisation=org, period_start=MAR, months=1, user=officers[0])
    assert (again.line_count, again.total_net) == (1, Decimal(55_000))


@pytest.mark.django_db(transaction=True)
def test_a_large_organisation_is_prepared_and_its_files_written_by_jobs(org, officers, monkeypatch):
    from kafo.jobs import run_pending

    monkeypatch.setattr(runs, "INLINE_LIMIT", 0)
    benefit(org, "KEITA Moussa", 60_000)
    run = runs.run_prepare(organisation=org, period_start=MAR, months=1, user=officers[0])
    assert (run.status, PayrollLine.objects.filter(run=run).count()) == (RunStatus.PREPARING, 0)
    run_pending(["payroll"])
    run.refresh_from_db()
    assert (run.status, run.line_count, run.total_net) == (RunStatus.PREPARED, 1, 60_000)
    runs.run_approve(run=run, user=officers[1], on=D(2026, 3, 20))
    runs.run_freeze(run=run, user=officers[0])
    assert PayrollFile.objects.filter(run=run).count() == 0
    run_pending(["payroll"])
    assert PayrollFile.objects.filter(run=run, kind="pain001").count() == 1
