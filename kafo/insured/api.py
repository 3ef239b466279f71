"""JSON API of the insured person's own space: their career and their pension simulation.

Both read only the caller's own person (`User.person`, through `insured_person`): the routes
take no person id, so there is nothing to guess. `POST /api/benefits/simulate` (a career sent
in the body) is refused to an insured user (403): the amount a retiree checks is the one of the
career declared in their name, which `GET /api/me/retirement` computes with the staff tab's code.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from kafo.accounts.permissions import insured_person
from kafo.api_errors import ERRORS
from kafo.api_inputs import IsoDate
from kafo.benefits.api import SimulationOut
from kafo.benefits.models import BenefitKind
from kafo.benefits.retirement import categories_of, person_retirement
from kafo.benefits.selectors import rule_in_force
from kafo.benefits.simulation import simulation_answer
from kafo.contributions.selectors import person_career
from kafo.payroll import statements
from kafo.registry.models import Relationship

router = Router(tags=["insured"])


def _own_person(request):
    """The caller's own person: 403 for a login that is not an insured person's."""
    if not request.user.is_insured_user:
        raise HttpError(403, "forbidden")
    return insured_person(request.user)


def _francs(amount: Decimal) -> int:
    return int(Decimal(amount).quantize(Decimal(1)))


class MyCareerPeriodOut(Schema):
    period: str = Field(..., description="YYYY-MM, or YYYY-Qn for a quarterly declaration")
    employer_number: str
    employer_name: str
    days_worked: int | None
    gross_salary: int = Field(..., description="whole francs")
    contributions: int = Field(..., description="whole francs")


class MyCareerOrganisationOut(Schema):
    organisation: str
    insured_months: int
    total_salary: int
    periods: list[MyCareerPeriodOut]


class MyCareerOut(Schema):
    person_number: str
    family_name: str
    given_names: str
    organisations: list[MyCareerOrganisationOut]


@router.get("/me/career", response={200: MyCareerOut, **ERRORS}, url_name="api-me-career")
def my_career(request):
    """The periods and salaries declared in the caller's name (insured users only)."""
    person = _own_person(request)
    career = person_career(person=person)
    return {
        "person_number": person.number,
        "family_name": person.family_name,
        "given_names": person.given_names,
        "organisations": [
            {
                "organisation": org["organisation"],
                "insured_months": org["months"],
                "total_salary": _francs(org["total_salary"]),
                "periods": [
                    {
                        "period": p["period"],
                        "employer_number": p["employer_number"],
                        "employer_name": p["employer_name"],
                        "days_worked": p["days_worked"],
                        "gross_salary": _francs(p["gross_salary"]),
                        "contributions": _francs(p["contributions"]),
                    }
                    for p in org["periods"]
                ],
            }
            for org in career["organisations"]
        ],
    }


class MyRetirementIn(Schema):
    on: IsoDate | None = Field(None, description="YYYY-MM-DD; today by default")
    children: int | None = Field(None, ge=0, le=30, description="the recorded children by default")
    category: str | None = Field(None, max_length=30)


@router.get("/me/retirement", response={200: SimulationOut, **ERRORS}, url_name="api-me-retirement")
def my_retirement(request, query: Query[MyRetirementIn]):
    """The caller's pension on a date and the next eligible dates (the 'Ma retraite' page)."""
    person = _own_person(request)
    on = query.on or timezone.localdate()
    children = query.children
    if children is None:
        children = person.dependants.filter(relationship=Relationship.CHILD).count()
    version = rule_in_force(organisation=person.organisation_id, kind=BenefitKind.OLD_AGE, on=on)
    categories = categories_of(version)
    if query.category and query.category not in categories:
        allowed = ", ".join(categories) or _("aucune (pas de catégories)")
        raise ValidationError(
            {
                "category": _("Catégorie « %(value)s » inconnue à %(org)s : %(allowed)s.")
                % {"value": query.category, "org": person.organisation.code, "allowed": allowed}
            }
        )
    retirement = person_retirement(
        person=person, on=on, children=children, category=query.category or None
    )
    if retirement.error == "no_rule":
        raise ValidationError(
            {
                "on": _("Aucune règle de pension de %(org)s en vigueur au %(date)s.")
                % {"org": person.organisation.code, "date": on.strftime("%d/%m/%Y")}
            }
        )
    if retirement.error:
        raise ValidationError({"career": retirement.error})
    return simulation_answer(
        version=retirement.version,
        claim_date=on,
        result=retirement.result,
        later=retirement.later,
    )


# --- payments (issue 14 §5): the same reads as the 'Mes paiements' page ----------------------


class MyPaymentOut(Schema):
    paid_on: dt.date = Field(..., description="the day the run paying it was frozen")
    period_from: dt.date
    period_to: dt.date
    benefit: str
    amount: int = Field(..., description="net paid, whole francs")
    gross: int
    deductions: int
    channel: Literal["bank", "mobile_money", "cash"]
    channel_label: str = Field(..., description="the channel and the account's last digits")
    reference: str
    status: Literal["pending", "paid", "failed"]


class MySuspensionOut(Schema):
    since: dt.date
    reason: str
    note: str
    resumed_on: dt.date | None


class MyBenefitOut(Schema):
    reference: str
    kind: str
    kind_label: str
    child: str | None = Field(None, description="the child, for a family allowance")
    monthly_amount: int | None
    status: Literal["in_payment", "suspended", "stopped"]
    status_since: dt.date
    status_reason: str
    next_payment_date: dt.date | None
    suspensions: list[MySuspensionOut]


class MyPaymentsIn(Schema):
    year: int | None = Field(None, ge=1900, le=2200, description="payments of one year only")


class MyPaymentsOut(Schema):
    person_number: str
    benefits: list[MyBenefitOut]
    payments: list[MyPaymentOut]
    total_paid: int = Field(..., description="net of the payments listed, rejected ones excepted")


@router.get("/me/payments", response={200: MyPaymentsOut, **ERRORS}, url_name="api-me-payments")
def my_payments(request, query: Query[MyPaymentsIn]):
    """The caller's benefits (next payment date, suspensions) and the payments made to them."""
    person = _own_person(request)
    today = timezone.localdate()
    payments = statements.payments_of(person, year=query.year)
    return {
        "person_number": person.number,
        "benefits": [
            {
                "reference": b.benefit.reference,
                "kind": b.benefit.kind,
                "kind_label": str(b.benefit.get_kind_display()),
                "child": str(b.benefit.dependant) if b.benefit.dependant_id else None,
                "monthly_amount": None if b.monthly_amount is None else _francs(b.monthly_amount),
                "status": b.benefit.status,
                "status_since": b.benefit.status_since,
                "status_reason": str(b.benefit.get_status_reason_display()),
                "next_payment_date": b.next_payment,
                "suspensions": [
                    {"since": s.since, "reason": s.reason, "note": s.note, "resumed_on": s.until}
                    for s in b.suspensions
                ],
            }
            for b in statements.benefits_of(person, today=today)
        ],
        "payments": [
            {
                "paid_on": p.paid_on,
                "period_from": p.period_from,
                "period_to": p.period_to,
                "benefit": p.benefit,
                "amount": _francs(p.net),
                "gross": _francs(p.gross),
                "deductions": _francs(p.deductions),
                "channel": p.channel_code,
                "channel_label": p.channel,
                "reference": p.reference,
                "status": p.status,
            }
            for p in payments
        ],
        "total_paid": _francs(statements.totals_of(payments).net),
    }


@router.get(
    "/me/payments/statement",
    response={200: None, **ERRORS},
    url_name="api-me-payment-statement",
)
def my_payment_statement(request, query: Query[MyPaymentsIn]):
    """The caller's payment statement of a year as a PDF (this year by default)."""
    person = _own_person(request)
    today = timezone.localdate()
    year = query.year or today.year
    if year > today.year:
        raise ValidationError({"year": _("Année à venir : %(y)s.") % {"y": year}})
    pdf = statements.statement_pdf(person=person, year=year, today=today)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="releve-paiements-{person.number}-{year}.pdf"'
    )
    return response
