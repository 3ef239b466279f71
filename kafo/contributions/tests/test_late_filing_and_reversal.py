"""Late-declaration penalties and rejected payments, worked by hand.

CNPS-CI: a declaration filed after its due date owes 10 % of its contributions (cnps.ci,
sanctions). IPRES-SN: 8.4 % + 5.6 % old age, due the 10th of the next month, late payment
0.05 % per day (placeholder rule, marked as an assumption in kafo/reference/rules.yaml).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kafo.audit.models import AuditEvent
from kafo.contributions import ledger, selectors, services
from kafo.contributions.domain.ledger import late_declaration_penalty
from kafo.contributions.models import EntryKind, LedgerEntry

from .conftest import csv_of
from .test_account import _declare, _pay, _setup

d = dt.date


def test_late_declaration_cnps_ci_owes_ten_percent_once(ci):
    content = csv_of(ci["employer"], ci["person"])
    decl = services.declaration_submit(
        employer=ci["employer"], period="2025-03", content=content, today=d(2026, 1, 5)
    ).declaration
    assert decl.total == 493200  # hand-computed in test_declarations
    late = LedgerEntry.objects.get(kind=EntryKind.LATE_FILING)
    # due 15/04/2025, filed later: 10 % of 493,200
    assert (late.amount, late.period, late.declaration_id) == (49320, "2025-03", decl.pk)
    assert late.detail["due_date"] == "2025-04-15"
    corrected = content.replace(b"50000", b"60000")
    services.declaration_submit(
        employer=ci["employer"],
        period="2025-03",
        content=corrected,
        kind="corrective",
        today=d(2026, 1, 6),
    )
    assert LedgerEntry.objects.filter(kind=EntryKind.LATE_FILING).count() == 1
    state = selectors.account_state(employer=ci["employer"], as_of=d(2026, 1, 6))
    assert state.unpaid_penalties == 49320
    assert not state.in_good_standing


def test_no_late_declaration_rule_no_penalty(zone):
    _org, employer, person = _setup(zone, "IPRES-SN")
    _declare(employer, person, "2025-01", 300000)  # late too, but IPRES-SN has no such rule
    assert not LedgerEntry.objects.filter(kind=EntryKind.LATE_FILING).exists()


@pytest.mark.parametrize(
    ("filed_on", "flat", "per_day", "expected"),
    [
        (d(2025, 4, 15), "10", "0", 0),  # on the due date: on time
        (d(2025, 4, 16), "10", "0", 1000),
        (d(2025, 4, 25), "0", "0.05", 50),  # 10 days x 0.05 % x 10,000
        (d(2025, 4, 25), "10", "0.05", 1050),
    ],
)
def test_late_declaration_penalty_domain(filed_on, flat, per_day, expected):
    trace = late_declaration_penalty(
        contributions=Decimal(10000),
        due_date=d(2025, 4, 15),
        filed_on=filed_on,
        percent_flat=Decimal(flat),
        percent_per_day=Decimal(per_day),
    )
    assert trace.amount == expected


def test_rejected_payment_makes_the_debt_due_again_with_penalties(zone):
    _org, employer, person = _setup(zone, "IPRES-SN")
    _declare(employer, person, "2025-01", 300000)  # 14 % of 300,000 = 42,000, due 10/02/2025
    payment = _pay(employer, d(2025, 2, 5), 42000, reference="VIR-1")
    assert selectors.account_state(employer=employer, as_of=d(2025, 3, 1)).in_good_standing
    entry = ledger.payment_reverse(
        payment=payment, reason="chèque sans provision", today=d(2025, 3, 1)
    )
    assert (entry.kind, entry.amount, entry.reverses.payment_id) == (
        EntryKind.PAYMENT_REVERSAL,
        42000,
        payment.pk,
    )
    state = selectors.account_state(employer=employer, as_of=d(2025, 3, 12))
    assert (state.balance, state.arrears_total, state.credit_left) == (42000, 42000, 0)
    # 42,000 unpaid from 10/02 to 12/03/2025: 30 days x 0.05 % = 630
    posted = ledger.penalties_apply(employer=employer, as_of=d(2025, 3, 12))
    assert [int(p.amount) for p in posted] == [630]
    with pytest.raises(ValidationError) as exc:
        ledger.payment_reverse(payment=payment, reason="encore", today=d(2025, 3, 12))
    assert "reason" in exc.value.message_dict
    assert LedgerEntry.objects.filter(kind=EntryKind.PAYMENT_REVERSAL).count() == 1
    assert AuditEvent.objects.filter(object_type="payment", action="update").count() == 1


def test_reversal_needs_a_reason_and_stores_nothing(zone):
    _org, employer, person = _setup(zone, "IPRES-SN")
    _declare(employer, person, "2025-01", 300000)
    payment = _pay(employer, d(2025, 2, 5), 42000, reference="VIR-2")
    with pytest.raises(ValidationError):
        ledger.payment_reverse(payment=payment, reason="  ")
    payment.refresh_from_db()
    assert payment.reversed_on is None
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT_REVERSAL).exists()


def test_reversal_page(client, zone, make_user):
    _org, employer, person = _setup(zone, "IPRES-SN")
    _declare(employer, person, "2025-01", 300000)
    payment = _pay(employer, d(2025, 2, 5), 42000, reference="VIR-3")
    client.force_login(make_user(zone["IPRES-SN"], "contributions_manager"))
    url = reverse("contributions-payment-reverse", kwargs={"pk": payment.pk})
    response = client.post(url, {"reason": "virement retourné"})
    assert response.status_code == 302
    page = client.get(reverse("contributions-account-detail", kwargs={"pk": employer.pk}))
    body = page.content.decode()
    assert "virement retourné" in body and "rejeté le" in body
    director = make_user(zone["IPRES-SN"], "director", username="dir")
    client.force_login(director)
    assert client.post(url, {"reason": "x"}).status_code == 403


@pytest.mark.parametrize(("payments", "revoked"), [(1, True), (2, False)])
def test_rejected_payment_revokes_the_certificate_it_made_possible(zone, payments, revoked):
    _org, employer, person = _setup(zone, "IPRES-SN")
    _declare(employer, person, "2025-01", 300000)  # 42,000 due on 10/02/2025
    today = dt.date.today()
    # paid today, late: 200,000 covers the contributions and the late-payment penalty (about
    # 7,700 a year since 10/02/2025) for decades
    paid = [_pay(employer, today, 200000, reference=f"VIR-C{i}") for i in range(payments)]
    certificate = ledger.certificate_issue(employer=employer, today=today)
    ledger.payment_reverse(payment=paid[0], reason="chèque sans provision", today=today)
    certificate.refresh_from_db()
    assert (certificate.revoked_on is not None) is revoked
    if revoked:
        assert certificate.revoke_reason == "Paiement VIR-C0 rejeté : chèque sans provision"
