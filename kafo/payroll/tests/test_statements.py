"""The payee's view of their payments (kafo/payroll/statements.py): payments of frozen runs
only, totals without rejected lines, the next payment date from the payment calendar, the
suspensions and the yearly statement PDF read back; an insured user sees only their own."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from kafo.organisations.tenancy import tenant_scope
from kafo.payroll import statements
from kafo.payroll.models import (
    BenefitKind,
    Channel,
    LineStatus,
    PayrollLine,
    PayrollRun,
    Reason,
    RunStatus,
    Status,
)
from kafo.payroll.tests.factories import make_benefit
from kafo.registry.tests.factories import person as make_person

D = dt.date


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=dt.UTC)


def _line(run, benefit, month: dt.date, *, gross, deductions=0, status=LineStatus.PAID, ref):
    end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return PayrollLine.objects.create(
        organisation=run.organisation,
        run=run,
        benefit=benefit,
        period_from=month,
        period_to=end,
        month_count=1,
        regular=Decimal(gross),
        arrears=Decimal(0),
        gross=Decimal(gross),
        deductions=Decimal(deductions),
        net=Decimal(gross - deductions),
        channel=benefit.channel,
        payee_name=benefit.payee_name,
        rib=benefit.rib,
        iban=benefit.iban,
        reference=ref,
        status=status,
    )


def _run(org, officer, month, *, frozen=True):
    return PayrollRun.objects.create(
        organisation=org,
        period_start=month,
        status=RunStatus.FROZEN if frozen else RunStatus.PREPARED,
        prepared_by=officer,
        prepared_at=_at(month),
        frozen_at=_at(month.replace(day=27)) if frozen else None,
    )


@pytest.fixture
def paid(zone, make_user):
    org = zone["INPS-ML"]
    officer = make_user(org, "payment_officer", username="inps-ml.paie")
    with tenant_scope(org):
        me = make_person(org, family_name="Diallo", given_names="Oumou")
        neighbour = make_person(org, family_name="Voisin-Secret", given_names="Awa")
        pension = make_benefit(org, person=me, payee_name=me.full_name, amount=100_000)
        allowance = make_benefit(
            org, person=me, payee_name=me.full_name, amount=3_500,
            kind=BenefitKind.FAMILY_ALLOWANCE, channel=Channel.CASH, frequency="quarterly",
            status=Status.SUSPENDED,
            status_since=D(2026, 1, 1), status_reason=Reason.OTHER_SUSPENSION,
        )  # fmt: skip
        theirs = make_benefit(org, person=neighbour, payee_name=neighbour.full_name)
        dec = _run(org, officer, D(2025, 12, 1))
        _line(dec, pension, D(2025, 12, 1), gross=100_000, ref="KAFO-2025-12-ME")
        jan = _run(org, officer, D(2026, 1, 1))
        _line(jan, pension, D(2026, 1, 1), gross=100_000, ref="KAFO-2026-01-ME")
        _line(jan, theirs, D(2026, 1, 1), gross=777_000, ref="KAFO-2026-01-SECRET")
        feb = _run(org, officer, D(2026, 2, 1))
        _line(feb, pension, D(2026, 2, 1), gross=100_000, deductions=20_000, ref="KAFO-2026-02-ME")
        mar = _run(org, officer, D(2026, 3, 1))
        _line(
            mar, pension, D(2026, 3, 1), gross=100_000, status=LineStatus.FAILED,
            ref="KAFO-2026-03-ME",
        )  # fmt: skip
        apr = _run(org, officer, D(2026, 4, 1), frozen=False)  # prepared, not paid yet
        _line(apr, pension, D(2026, 4, 1), gross=100_000, ref="KAFO-2026-04-ME")
        yield {
            "org": org,
            "me": me,
            "neighbour": neighbour,
            "pension": pension,
            "allowance": allowance,
            "officer": officer,
            "make_user": make_user,
        }


def test_payments_of_frozen_runs_and_the_totals(paid):
    payments = statements.payments_of(paid["me"], year=2026)
    assert [(p.paid_on, p.reference, p.net, p.status) for p in payments] == [
        (D(2026, 3, 27), "KAFO-2026-03-ME", Decimal(100_000), LineStatus.FAILED),
        (D(2026, 2, 27), "KAFO-2026-02-ME", Decimal(80_000), LineStatus.PAID),
        (D(2026, 1, 27), "KAFO-2026-01-ME", Decimal(100_000), LineStatus.PAID),
    ]
    assert payments[0].channel == "virement bancaire ···3035"
    assert statements.totals_of(payments) == statements.Totals(
        gross=Decimal(200_000), deductions=Decimal(20_000), net=Decimal(180_000), count=2
    )
    assert len(statements.payments_of(paid["me"])) == 4  # December 2025 too
    assert statements.statement_years(paid["me"]) == [2026, 2025]


def test_the_statement_pdf_read_back(paid):
    pdf = statements.statement_pdf(person=paid["me"], year=2026, today=D(2026, 11, 29))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())
    assert "Relevé des paiements de l'année 2026" in text
    assert "DIALLO Oumou" in text and paid["me"].number in text
    for ref in ("KAFO-2026-01-ME", "KAFO-2026-02-ME", "KAFO-2026-03-ME"):
        assert ref in text
    assert "Total de l'année 2 paiements 200 000 FCFA 20 000 FCFA 180 000 FCFA" in text
    assert "100 000 FCFA (rejetée)" in text
    for absent in ("KAFO-2025-12-ME", "KAFO-2026-04-ME", "SECRET", "777 000"):
        assert absent not in text


@pytest.mark.parametrize(
    "frequency, timing, today, expected",
    [
        ("monthly", "arrears", D(2026, 3, 15), D(2026, 3, 31)),
        ("monthly", "arrears", D(2026, 3, 31), D(2026, 3, 31)),
        ("monthly", "advance", D(2026, 3, 15), D(2026, 4, 1)),
        ("bimonthly", "arrears", D(2026, 3, 15), D(2026, 4, 30)),
        ("quarterly", "arrears", D(2026, 3, 15), D(2026, 3, 31)),
        ("quarterly", "arrears", D(2026, 4, 1), D(2026, 6, 30)),
        ("quarterly", "advance", D(2026, 3, 15), D(2026, 4, 1)),
    ],
)
def test_next_payment_date(frequency, timing, today, expected):
    from kafo.payroll.models import BenefitInPayment

    benefit = BenefitInPayment(
        frequency=frequency, timing=timing, status=Status.IN_PAYMENT, start_date=D(2025, 1, 1)
    )
    assert statements.next_payment_date(benefit, today) == expected


def test_no_next_payment_when_suspended_or_ended():
    from kafo.payroll.models import BenefitInPayment

    ended = BenefitInPayment(
        frequency="monthly", timing="arrears", status=Status.IN_PAYMENT,
        start_date=D(2025, 1, 1), end_date=D(2026, 2, 28),
    )  # fmt: skip
    assert statements.next_payment_date(ended, D(2026, 3, 15)) is None
    suspended = BenefitInPayment(
        frequency="monthly", timing="arrears", status=Status.SUSPENDED, start_date=D(2025, 1, 1)
    )
    assert statements.next_payment_date(suspended, D(2026, 3, 15)) is None


def test_the_insured_api_and_page_show_only_their_own(paid, client):
    user = paid["make_user"](paid["org"], "insured", username="inps-ml.oumou", person=paid["me"])
    client.force_login(user)
    body = client.get(reverse("api:api-me-payments"), {"year": 2026}).json()
    assert [p["reference"] for p in body["payments"]] == [
        "KAFO-2026-03-ME",
        "KAFO-2026-02-ME",
        "KAFO-2026-01-ME",
    ]
    assert body["total_paid"] == 180_000
    assert body["payments"][1] | {"paid_on": None} == {
        "paid_on": None,
        "period_from": "2026-02-01",
        "period_to": "2026-02-28",
        "benefit": "pension de vieillesse",
        "amount": 80_000,
        "gross": 100_000,
        "deductions": 20_000,
        "channel": "bank",
        "channel_label": "virement bancaire ···3035",
        "reference": "KAFO-2026-02-ME",
        "status": "paid",
    }
    allowance = next(b for b in body["benefits"] if b["kind"] == "family_allowance")
    assert (allowance["status"], allowance["next_payment_date"]) == ("suspended", None)
    assert allowance["suspensions"] == [
        {
            "since": "2026-01-01",
            "reason": "autre motif de suspension",
            "note": "",
            "resumed_on": None,
        }
    ]
    page = client.get(reverse("insured-payments"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "KAFO-2026-02-ME" in html and "80 000" in html and "SECRET" not in html
    assert "KAFO-2026-04-ME" not in html  # not frozen: not paid yet
    pdf = client.get(reverse("api:api-me-payment-statement"), {"year": 2026})
    assert pdf["Content-Type"] == "application/pdf"
    assert "180 000 FCFA" in " ".join(
        PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split()
    )
    # the staff pages of another person's payments: 404, as for a missing person
    for name in ("payroll-person-payments", "payroll-person-statement"):
        other = client.get(reverse(name, kwargs={"pk": paid["neighbour"].pk}))
        assert other.status_code == 404


def test_the_staff_person_page(paid, client):
    client.force_login(paid["officer"])
    page = client.get(reverse("payroll-person-payments", kwargs={"pk": paid["me"].pk}))
    html = page.content.decode()
    assert page.status_code == 200
    assert "KAFO-2026-01-ME" in html and "KAFO-2025-12-ME" in html
    assert "autre motif de suspension" in html
    pdf = client.get(
        reverse("payroll-person-statement", kwargs={"pk": paid["me"].pk}), {"year": "2025"}
    )
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "KAFO-2025-12-ME" in text and "KAFO-2026-01-ME" not in text
    bad = client.get(
        reverse("payroll-person-statement", kwargs={"pk": paid["me"].pk}), {"year": "abc"}
    )
    assert bad.status_code == 400
