"""JSON API of contributions: submit a declaration as JSON lines, read one back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from kafo import uploads
from kafo.api_errors import ERRORS
from kafo.organisations.tenancy import get_for_scope
from kafo.registry.models import Employer, Person

from . import ledger, selectors, services
from .models import Declaration
from .permissions import (
    can_read,
    can_read_account,
    can_read_career,
    can_record_payments,
    can_submit,
    check_employer_access,
)

router = Router(tags=["contributions"])


class LineIn(Schema):
    worker_number: str | None = None
    national_id: str | None = None
    family_name: str
    given_names: str
    days_worked: int | str
    gross_salary: Decimal | str
    category: str | None = None


class DeclarationIn(Schema):
    employer_number: str
    period: str
    kind: Literal["original", "corrective"] = "original"
    lines: list[LineIn]


class ComponentOut(Schema):
    branch: str
    component: str
    base: Decimal
    employer_rate: Decimal
    employee_rate: Decimal
    employer: Decimal
    employee: Decimal


class DeclarationOut(Schema):
    id: int
    employer_number: str
    period: str
    kind: str
    status: str
    amends_id: int | None
    duplicate: bool = False
    line_count: int
    pending_count: int
    total_salary: Decimal
    employer_total: Decimal
    employee_total: Decimal
    total: Decimal
    rules_on: dt.date
    branch_totals: dict
    breakdown: list[ComponentOut] | None = None


class LineErrorOut(Schema):
    field: str | None
    reason: str
    line: int | None = None
    column: str | None = None
    value: str | None = None


class RejectedOut(Schema):
    errors: list[LineErrorOut]


def _out(d: Declaration, *, duplicate=False) -> dict:
    return {
        "id": d.pk,
        "employer_number": d.employer.number,
        "period": d.period,
        "kind": d.kind,
        "status": d.status,
        "amends_id": d.amends_id,
        "duplicate": duplicate,
        "line_count": d.line_count,
        "pending_count": d.pending_count,
        "total_salary": d.total_salary,
        "employer_total": d.employer_total,
        "employee_total": d.employee_total,
        "total": d.total,
        "rules_on": d.rules_on,
        "branch_totals": d.branch_totals,
        "breakdown": selectors.declaration_breakdown(declaration=d)
        if d.line_count <= 20_000
        else None,
    }


@router.post(
    "/declarations",
    response={
        201: DeclarationOut,
        200: DeclarationOut,
        **ERRORS,
        409: RejectedOut,
        422: RejectedOut,
    },
    url_name="contributions-declaration-submit",
)
def declaration_submit(request, payload: DeclarationIn):
    """Submit one employer's declaration for one period; every faulty line is reported (422)."""
    if not can_submit(request.user):
        raise HttpError(403, "forbidden")
    max_lines = uploads.limits(uploads.DECLARATION).max_rows
    if max_lines is not None and len(payload.lines) > max_lines:
        reason = _(
            "Trop de lignes : %(n)s, %(max)s au plus par envoi. Envoyez la déclaration en "
            "plusieurs fichiers, ou transmettez-la à votre organisme pour un import en masse."
        ) % {"n": len(payload.lines), "max": max_lines}
        return Status(422, {"errors": [{"field": "lines", "reason": reason}]})
    employer = Employer.objects.filter(number=payload.employer_number).first()
    if employer is None:
        raise Http404
    check_employer_access(request.user, employer.pk)
    try:
        result = services.declaration_submit(
            employer=employer,
            period=payload.period,
            rows=[line.dict() for line in payload.lines],
            kind=payload.kind,
            submitted_by=request.user,
        )
    except services.DeclarationRejected as exc:
        return Status(
            409 if isinstance(exc, services.DeclarationConflict) else 422,
            {
                "errors": [
                    e
                    | {
                        "field": f"lines[{e['line'] - 2}].{e['column']}"
                        if e["line"]
                        else e["column"]
                    }
                    for e in exc.line_errors
                ]
            },
        )
    d = result.declaration
    return Status(200 if result.duplicate else 201, _out(d, duplicate=result.duplicate))


@router.get(
    "/declarations/{declaration_id}",
    response={200: DeclarationOut, **ERRORS},
    url_name="contributions-declaration-read",
)
def declaration_read(request, declaration_id: int):
    if not can_read(request.user):
        raise HttpError(403, "forbidden")
    d = get_for_scope(
        Declaration, pk=declaration_id, queryset=Declaration.objects.select_related("employer")
    )
    check_employer_access(request.user, d.employer_id)
    return _out(d)


# --- Employer account --------------------------------------------------------------------------


class DebtOut(Schema):
    kind: str
    period: str
    label: str
    due_date: dt.date
    amount: Decimal
    paid: Decimal
    unpaid: Decimal
    age_days: int | None
    bucket: str


class EntryOut(Schema):
    id: int
    kind: str
    period: str
    date: dt.date
    label: str
    amount: Decimal
    balance: Decimal


class AccountOut(Schema):
    employer_id: int
    employer_number: str
    as_of: dt.date
    balance: Decimal
    arrears_total: Decimal
    arrears: dict[str, Decimal]
    unpaid_penalties: Decimal
    in_good_standing: bool
    debts: list[DebtOut]
    entries: list[EntryOut]


@router.get(
    "/employers/{employer_id}/account",
    response={200: AccountOut, **ERRORS},
    url_name="contributions-account-read",
)
def account_read(request, employer_id: int):
    """The employer's account: balance, arrears by age (days), debts with the payments
    allocated to them (oldest first), and every entry with the running balance."""
    if not can_read_account(request.user):
        raise HttpError(403, "forbidden")
    employer = get_for_scope(Employer, pk=employer_id)
    check_employer_access(request.user, employer.pk)
    state = selectors.account_state(employer=employer, as_of=timezone.localdate())
    return {
        "employer_id": employer.pk,
        "employer_number": employer.number,
        "as_of": state.as_of,
        "balance": state.balance,
        "arrears_total": state.arrears_total,
        "arrears": state.arrears,
        "unpaid_penalties": state.unpaid_penalties,
        "in_good_standing": state.in_good_standing,
        "debts": state.debts,
        "entries": [
            {
                "id": e.pk,
                "kind": e.kind,
                "period": e.period,
                "date": e.due_date,
                "label": e.label,
                "amount": e.amount,
                "balance": e.running_balance,
            }
            for e in state.entries
        ],
    }


class PaymentIn(Schema):
    employer_number: str
    paid_on: dt.date
    amount: Decimal | str
    method: str
    reference: str = ""
    # true: record it although it looks like an earlier payment of the employer (same
    # reference but for its case, or the same cash amount on the same day); refused otherwise
    confirm_duplicate: bool = False


class PaymentOut(Schema):
    id: int
    employer_number: str
    paid_on: dt.date
    amount: Decimal
    method: str
    reference: str
    probable_duplicate_of: int | None = None


@router.post(
    "/payments", response={201: PaymentOut, **ERRORS}, url_name="contributions-payment-record"
)
def payment_record(request, payload: PaymentIn):
    """Record a payment (bank, cash, mobile_money) received from an employer.

    A reference already recorded is refused (422, field `reference`); a probable duplicate
    (reference differing only in case, same cash amount and day) is refused (422, field
    `confirm_duplicate`) unless `confirm_duplicate` is true."""
    if not can_record_payments(request.user):
        raise HttpError(403, "forbidden")
    employer = Employer.objects.filter(number=payload.employer_number).first()
    if employer is None:
        raise Http404
    p = ledger.payment_record(
        employer=employer,
        amount=payload.amount,
        paid_on=payload.paid_on,
        method=payload.method,
        reference=payload.reference,
        recorded_by=request.user,
        confirm_duplicate=payload.confirm_duplicate,
    )
    return Status(
        201,
        {
            "id": p.pk,
            "employer_number": employer.number,
            "paid_on": p.paid_on,
            "amount": p.amount,
            "method": p.method,
            "reference": p.reference,
            "probable_duplicate_of": p.probable_duplicate_of_id,
        },
    )


# --- Careers -------------------------------------------------------------------------------------


class CareerPeriodOut(Schema):
    period: str
    employer_number: str
    employer_name: str
    days_worked: int
    gross_salary: Decimal
    contributions: Decimal


class CareerSpanOut(Schema):
    employer_number: str
    employer_name: str
    start: str
    end: str
    months: int


class CareerOrganisationOut(Schema):
    organisation: str
    organisation_name: str
    person_id: int
    person_number: str
    months: int
    days: int
    total_salary: Decimal
    total_contributions: Decimal
    spans: list[CareerSpanOut]
    periods: list[CareerPeriodOut]


class CareerOut(Schema):
    person_id: int
    months: int
    total_salary: Decimal
    organisations: list[CareerOrganisationOut]


@router.get(
    "/persons/{person_id}/career", response={200: CareerOut, **ERRORS}, url_name="api-person-career"
)
def person_career(request, person_id: int):
    """A person's insured periods (months, spans per employer) and declared salaries per
    organisation, from the declarations in force."""
    if not can_read_career(request.user):
        raise HttpError(403, "forbidden")
    person = get_for_scope(
        Person, pk=person_id, queryset=Person.objects.select_related("organisation")
    )
    return selectors.person_career(person=person)
