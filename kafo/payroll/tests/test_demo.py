"""The payroll's demo step: channels with correct keys and numbers, suspensions for a missing
life certificate, a revaluation applied by another agent, runs frozen and one prepared, a death
with its overpayment recovered from the widow's pension."""

import datetime as dt
from decimal import Decimal as D

from kafo.payroll.demo import payroll_demo_seed
from kafo.payroll.domain import bank_ids
from kafo.payroll.models import (
    BenefitInPayment,
    Overpayment,
    PayrollRun,
    Revaluation,
    Status,
)
from kafo.registry.services import person_register

TODAY = dt.date(2026, 11, 29)


def test_payroll_demo_seed_at_cmss(zone, make_user):
    org = zone["CMSS-ML"]
    officer = make_user(org, "payment_officer")
    director = make_user(org, "director")
    for n in range(20):
        person_register(
            organisation=org,
            data={"family_name": f"KEITA{chr(65 + n)}", "given_names": "Seydou", "sex": "M",
                  "birth_date": dt.date(1950 + n % 10, 1 + n % 12, 1)},
        )  # fmt: skip
    answer = payroll_demo_seed(today=TODAY)
    # 20 pensioners taken over + the widow's survivor's pension.
    assert answer == {"CMSS-ML": 21}
    benefits = BenefitInPayment.objects.filter(organisation=org)
    for b in benefits.filter(channel="bank"):
        assert bank_ids.rib_key_ok(b.rib) and bank_ids.iban_ok(b.iban), b.rib
    mobile = benefits.filter(channel="mobile_money")
    assert mobile.count() == 17 and {b.operator for b in mobile} == {"orange_money_ml"}
    assert all(b.msisdn.startswith("+2237") and len(b.msisdn) == 12 for b in mobile)
    assert benefits.filter(status=Status.SUSPENDED, status_reason="no_certificate").count() == 3
    rev = Revaluation.objects.get(organisation=org)
    assert (rev.percent, rev.prepared_by, rev.applied_by, rev.applied_count) == (
        D("2.5"), officer, director, 20)  # fmt: skip
    # Runs from January 2025 to October 2026 frozen, November 2026 prepared.
    runs = PayrollRun.objects.filter(organisation=org)
    assert runs.filter(status="frozen").count() == 22
    prepared = runs.get(status="prepared")
    assert (prepared.period_start, prepared.prepared_by, prepared.problems) == (
        dt.date(2026, 11, 1), officer, [])  # fmt: skip
    # Death on 14/09/2026: stopped on 30/09; October's payment is the overpayment, recovered
    # from the widow's pension (her November run deducts a third of her amount at most).
    over = Overpayment.objects.get(organisation=org)
    dead = over.benefit
    assert (dead.status, dead.end_date, dead.payee_death_date) == (
        "stopped", dt.date(2026, 9, 30), dt.date(2026, 9, 14))  # fmt: skip
    assert over.amount == dead.amount_on(dt.date(2026, 10, 1))
    assert over.recover_from.kind == "survivor"
    widow_line = prepared.lines.get(benefit=over.recover_from)
    assert widow_line.deductions == min(over.amount, (widow_line.gross / 3).to_integral_value(
        rounding="ROUND_FLOOR"))  # fmt: skip
    # Idempotent: a second call adds nothing.
    assert payroll_demo_seed(today=TODAY) == {}
