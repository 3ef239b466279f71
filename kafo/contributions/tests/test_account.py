"""Employer account, worked by hand: declarations, payments, penalties, balance, certificate.

Every figure below was computed by hand from the seeded rules (kafo/reference/rules.yaml):
IPRES-SN old age 8.4 % + 5.6 % (ceiling 432,000), due the 10th of the next month;
CNSS-NE 6.25 + 5.25 + 8.40 + 1.75 % (ceiling 500,000), due the 15th; late payment 0.05 % of
the unpaid amount per day in both (CNPS-CI's rule, a placeholder marked as an assumption).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from kafo.audit.models import AuditEvent
from kafo.contributions import ledger, selectors
from kafo.contributions.models import Certificate, EntryKind, LedgerEntry, Payment
from kafo.contributions.services import declaration_submit
from kafo.registry.services import employer_register, person_register
from kafo.rules.services import rules_seed

D = Decimal
d = dt.date


def _setup(zone, code, salary_person="Diop"):
    rules_seed()
    org = zone[code]
    employer = employer_register(
        organisation=org, data={"legal_name": f"Société {code}", "risk_class": 1}
    )
    person = person_register(
        organisation=org,
        data={
            "family_name": salary_person,
            "given_names": "Awa",
            "sex": "F",
            "birth_date": d(1990, 1, 1),
        },
    )
    return org, employer, person


def _declare(employer, person, period, salary, kind="original"):
    return declaration_submit(
        employer=employer,
        period=period,
        kind=kind,
        rows=[
            {
                "worker_number": person.number,
                "family_name": person.family_name,
                "given_names": person.given_names,
                "days_worked": 28,  # within any month
                "gross_salary": salary,
            }
        ],
        today=d(2025, 12, 31),
    ).declaration


def _pay(employer, day, amount, method="bank", reference=""):
    return ledger.payment_record(
        employer=employer, amount=amount, paid_on=day, method=method, reference=reference, today=day
    )


def _penalties(employer):
    return [
        (e.penalty_as_of, int(e.amount))
        for e in LedgerEntry.objects.filter(employer=employer, kind=EntryKind.PENALTY).order_by(
            "pk"
        )
    ]


def test_worked_example_ipres_sn_payments_penalties_and_certificate(zone):
    _org, employer, person = _setup(zone, "IPRES-SN")
    jan = _declare(employer, person, "2025-01", 300000)
    feb = _declare(employer, person, "2025-02", 300000)
    # 8.4 % and 5.6 % of 300,000 = 25,200 + 16,800
    assert (jan.total, feb.total) == (D(42000), D(42000))
    dues = LedgerEntry.objects.filter(employer=employer, kind=EntryKind.CONTRIBUTION).order_by("pk")
    assert [(e.period, e.due_date, int(e.amount)) for e in dues] == [
        ("2025-01", d(2025, 2, 10), 42000),
        ("2025-02", d(2025, 3, 10), 42000),
    ]

    _pay(employer, d(2025, 2, 20), 42000, reference="VIR-001")  # January, 10 days late
    posted = ledger.penalties_apply(employer=employer, as_of=d(2025, 2, 28))
    # January: 42,000 × 0.05 % × 10 days = 210
    assert [int(e.amount) for e in posted] == [210]
    assert ledger.penalties_apply(employer=employer, as_of=d(2025, 2, 28)) == []  # idempotent

    # 30,000 on 31/03: oldest first -> the penalty of 28/02 (210), then February (29,790)
    _pay(employer, d(2025, 3, 31), 30000, method="mobile_money", reference="OM-778899")
    ledger.penalties_apply(employer=employer, as_of=d(2025, 4, 10))
    # February: 29,790 × 0.05 % × 21 days (10/03 -> 31/03) = 312.795
    #         + 12,210 × 0.05 % × 31 days (10/03 -> 10/04, unpaid) = 189.255 -> 502.05 -> 502
    assert _penalties(employer) == [(d(2025, 2, 28), 210), (d(2025, 4, 10), 502)]
    state = selectors.account_state(employer=employer, as_of=d(2025, 4, 10))
    # 42,000 + 42,000 + 210 + 502 - 42,000 - 30,000
    assert state.balance == D(12712)
    assert state.arrears == {"0-30": 0, "31-90": D(12210), "91-180": 0, "180+": 0}
    assert state.unpaid_penalties == D(502)
    assert [(db["label"][:14], int(db["paid"]), int(db["unpaid"])) for db in state.debts] == [
        ("Cotisations 20", 42000, 0),
        ("Majoration de ", 210, 0),
        ("Cotisations 20", 29790, 12210),
        ("Majoration de ", 0, 502),
    ]
    with pytest.raises(ValidationError):
        ledger.certificate_issue(employer=employer, today=d(2025, 4, 10))
    assert Certificate.objects.count() == 0

    # 15/04: the employer pays the balance of 10/04 in cash; the penalty ran five more days
    _pay(employer, d(2025, 4, 15), 12712, method="cash", reference="R-0042")
    # February: 312.795 + 12,210 × 0.05 % × 36 days (10/03 -> 15/04) = 219.78 -> 532.575 -> 533
    # 533 - 502 already posted = 31: refused until paid
    with pytest.raises(ValidationError) as exc:
        ledger.certificate_issue(employer=employer, today=d(2025, 4, 15))
    assert "31 FCFA" in str(exc.value)
    assert _penalties(employer)[-1] == (d(2025, 4, 15), 31)
    _pay(employer, d(2025, 4, 15), 31, method="cash", reference="R-0043")
    cert = ledger.certificate_issue(employer=employer, today=d(2025, 4, 15))
    assert _penalties(employer)[-1] == (d(2025, 4, 15), 31)  # nothing more
    state = selectors.account_state(employer=employer, as_of=d(2025, 4, 15))
    assert (state.balance, state.arrears_total, cert.balance) == (0, 0, 0)
    assert (cert.issued_on, cert.valid_until) == (d(2025, 4, 15), d(2025, 7, 14))
    assert len(cert.code) == 12
    assert AuditEvent.objects.filter(object_type="certificate", object_id=str(cert.pk)).exists()
    assert AuditEvent.objects.filter(object_type="payment").count() == 4


def test_worked_example_cnss_ne_advance_credit_and_corrective(zone):
    _org, employer, person = _setup(zone, "CNSS-NE")
    mar = _declare(employer, person, "2025-03", 400000)
    # 6.25 + 5.25 + 8.40 + 1.75 % of 400,000 = 25,000 + 21,000 + 33,600 + 7,000
    assert mar.total == D(86600)
    _pay(employer, d(2025, 4, 10), 100000, reference="BOA-1")  # March + 13,400 in advance
    apr = _declare(employer, person, "2025-04", 400000)
    assert apr.total == D(86600)
    state = selectors.account_state(employer=employer, as_of=d(2025, 5, 1))
    assert state.balance == D(73200)  # 86,600 × 2 - 100,000
    # the April corrective raises the salary to 500,000 (the ceiling): 31,250 + 26,250 +
    # 42,000 + 8,750 = 108,250; the original is reversed, still visible
    fix = _declare(employer, person, "2025-04", 500000, kind="corrective")
    assert fix.total == D(108250)
    entries = LedgerEntry.objects.filter(employer=employer).order_by("pk")
    assert [(e.kind, e.period, int(e.amount)) for e in entries] == [
        ("contribution", "2025-03", 86600),
        ("payment", "", -100000),
        ("contribution", "2025-04", 86600),
        ("reversal", "2025-04", -86600),
        ("contribution", "2025-04", 108250),
    ]
    call_command("contributions_penalties", "--date", "2025-07-15", verbosity=0)
    call_command("contributions_penalties", "--date", "2025-07-15", verbosity=0)
    # March paid before its due date: nothing. April: (108,250 - 13,400 credit) = 94,850 unpaid
    # × 0.05 % × 61 days (15/05 -> 15/07) = 2,892.925 -> 2,893; the second run adds nothing
    assert _penalties(employer) == [(d(2025, 7, 15), 2893)]
    state = selectors.account_state(employer=employer, as_of=d(2025, 7, 15))
    assert state.balance == D(97743)  # 94,850 + 2,893
    assert state.arrears == {"0-30": 0, "31-90": D(94850), "91-180": 0, "180+": 0}
    state = selectors.account_state(employer=employer, as_of=d(2025, 12, 15))
    # April 214 days late, the penalty of 15/07 153 days
    assert state.arrears == {"0-30": 0, "31-90": 0, "91-180": D(2893), "180+": D(94850)}


def test_penalty_command_counts_each_organisation_once(zone):
    _org, sn_employer, sn_person = _setup(zone, "IPRES-SN")
    _org, ne_employer, ne_person = _setup(zone, "CNSS-NE")
    _declare(sn_employer, sn_person, "2025-01", 300000)  # 42,000 due 10/02
    _declare(ne_employer, ne_person, "2025-01", 400000)  # 86,600 due 15/02
    call_command("contributions_penalties", "--date", "2025-03-02", verbosity=0)
    # 42,000 × 0.05 % × 20 = 420 ; 86,600 × 0.05 % × 15 = 649.5 -> 650
    assert _penalties(sn_employer) == [(d(2025, 3, 2), 420)]
    assert _penalties(ne_employer) == [(d(2025, 3, 2), 650)]
    before = LedgerEntry.objects.count()
    call_command("contributions_penalties", "--date", "2025-03-02", verbosity=0)
    assert LedgerEntry.objects.count() == before
    call_command("contributions_penalties", "--date", "2025-03-03", verbosity=0)
    # one more day: 21 days -> 441 (+21) ; 16 days -> 692.8 -> 693 (+43)
    assert _penalties(sn_employer) == [(d(2025, 3, 2), 420), (d(2025, 3, 3), 21)]
    assert _penalties(ne_employer) == [(d(2025, 3, 2), 650), (d(2025, 3, 3), 43)]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5000"}, "amount"),
        ({"amount": "1000.50"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"paid_on": d(2099, 1, 1)}, "paid_on"),
        ({"reference": ""}, "reference"),
        ({"method": "cheque"}, "method"),
    ],
)
def test_bad_payment_stores_nothing(zone, kwargs, field):
    _org, employer, _person = _setup(zone, "IPRES-SN")
    args = {"amount": "5000", "paid_on": d(2025, 3, 1), "method": "bank", "reference": "X-1"}
    with pytest.raises(ValidationError) as exc:
        ledger.payment_record(employer=employer, **(args | kwargs), today=d(2025, 3, 31))
    assert field in exc.value.message_dict
    assert Payment.objects.count() == 0
    assert LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 0


def test_same_reference_recorded_once(zone):
    _org, employer, _person = _setup(zone, "IPRES-SN")
    _pay(employer, d(2025, 3, 1), 5000, reference="VIR-9")
    with pytest.raises(ValidationError):
        _pay(employer, d(2025, 3, 1), 5000, reference="VIR-9")
    assert Payment.objects.count() == 1
    assert LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 1


def test_certificate_refused_without_declaration_or_with_arrears(zone):
    _org, employer, person = _setup(zone, "IPRES-SN")
    with pytest.raises(ValidationError):
        ledger.certificate_issue(employer=employer, today=d(2025, 3, 1))
    _declare(employer, person, "2025-01", 300000)
    # on the due date nothing is overdue yet: a certificate may be issued
    cert = ledger.certificate_issue(employer=employer, today=d(2025, 2, 10))
    assert cert.balance == D(42000)
    with pytest.raises(ValidationError) as exc:
        ledger.certificate_issue(employer=employer, today=d(2025, 2, 11))
    # 42,000 overdue + 21 penalty (42,000 × 0.05 % × 1 day) posted on the way
    assert "42 021 FCFA" in str(exc.value).replace("\u202f", " ")
    assert Certificate.objects.count() == 1
