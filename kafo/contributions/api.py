"""JSON API of contributions: submit a declaration as JSON lines, read one back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from kafo.api_errors import ERRORS
from kafo.organisations.tenancy import get_for_scope
from kafo.registry.models import Employer

from . import selectors, services
from .models import Declaration
from .permissions import can_read, can_submit, check_employer_access

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
    kind: str = "original"
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
    response={201: DeclarationOut, 200: DeclarationOut, **ERRORS, 422: RejectedOut},
    url_name="contributions-declaration-submit",
)
def declaration_submit(request, payload: DeclarationIn):
    """Submit one employer's declaration for one period; every faulty line is reported (422)."""
    if not can_submit(request.user):
        raise HttpError(403, "forbidden")
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
            422,
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
