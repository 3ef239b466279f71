"""In a real browser: a payment officer prepares the March run and reads the preview; another
officer, holding a payment delegation, approves it and issues the files; the pain.001 downloads
and validates against the XSD."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import login_in_browser
from kafo.payroll.domain.pain001 import validate_pain001
from kafo.payroll.models import AmountVersion, BenefitInPayment, PayrollRun, RunStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _benefit(org, name, amount, **channel):
    b = BenefitInPayment.objects.create(
        organisation=org,
        payee_name=name,
        kind="pension",
        start_date=dt.date(2026, 3, 1),
        status_since=dt.date(2026, 3, 1),
        status_reason="start",
        created_at=timezone.now(),
        **channel,
    )
    AmountVersion.objects.create(
        organisation=org,
        benefit=b,
        effective_from=b.start_date,
        monthly_amount=amount,
        reason="initial",
        created_at=timezone.now(),
    )


def test_prepare_preview_approve_as_another_officer_download_files(browser_page, zone, make_user):
    from kafo.governance import services as governance

    org = zone["INPS-ML"]
    make_user(org, "payment_officer", username="inps.paie1")
    approver = make_user(org, "payment_officer", username="inps.paie2")
    body = governance.body_create(organisation=org, name="Conseil", kind="board")
    session = governance.session_create(body=body, date=dt.date(2025, 12, 1), place="Siège")
    decision = governance.decision_create(
        session=session, title="Délégation", owner_name="DG", today=dt.date(2025, 12, 1)
    )
    governance.delegation_grant(
        decision=decision,
        delegate=approver,
        kind="payment",
        amount_ceiling=Decimal(50_000_000),
        start_date=dt.date(2025, 12, 1),
    )
    _benefit(org, "KEITA Moussa", 60_000, channel="bank", rib="ML0160120102600100668497")
    _benefit(org, "DIARRA Awa", 45_000, channel="mobile_money", msisdn="+22365012345",
             operator="Orange Money")  # fmt: skip
    _benefit(org, "SANGARE Ali", 30_000, channel="cash", paying_agency="Agence de Bamako")

    page = browser_page
    login_in_browser(page, "inps.paie1")
    page.goto("/payroll/runs/prepare/")
    page.fill("#id_period", "2026-03")
    page.click("button:has-text('Préparer')")
    page.wait_for_selector("#run-totals")
    totals = page.inner_text("#run-totals")
    assert "135 000" in totals and "60 000" in totals and "45 000" in totals
    assert "Aucune anomalie" in page.inner_text("#run-checks")
    assert page.locator("button:has-text('Approuver la campagne')").count() == 0
    run_url = page.url

    page.context.clear_cookies()
    login_in_browser(page, "inps.paie2")
    page.goto(run_url)
    page.click("button:has-text('Approuver la campagne')")
    page.click("button:has-text('Figer et émettre les fichiers')")
    page.wait_for_selector("#run-files")
    run = PayrollRun.objects.get()
    assert (run.status, run.approved_by_id) == (RunStatus.FROZEN, approver.pk)
    assert page.locator("#run-files a").count() == 4  # pain.001, mobile money, cash CSV + PDF
    with page.expect_download() as info:
        page.click("#run-files a:has-text('pain.001')")
    xml = open(info.value.path(), "rb").read()  # noqa: PTH123
    assert validate_pain001(xml) == []
    assert b"<CtrlSum>60000</CtrlSum>" in xml
