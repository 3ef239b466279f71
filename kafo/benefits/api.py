"""JSON API of the benefits: the pension simulator, and the claims (below).

`POST /api/benefits/simulate` computes, for a career sent in the body, the old-age benefit due
on the claim date under the rules in force, with its trace and the next eligible dates. It
reads no person record: staff of an organisation (every agent role) simulate under their own
organisation's rules, a zone administrator under any; another organisation's code is answered
like an unknown one (422 on `organisation`). An insured user is refused (403): their own pension
is `GET /api/me/retirement` (kafo/insured/api.py), computed on the career declared in their name.
"""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Prefetch
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from kafo.accounts.permissions import AGENT_ROLES
from kafo.api_errors import ERRORS
from kafo.api_inputs import InputSchema, IsoDate
from kafo.organisations.models import Organisation
from kafo.organisations.tenancy import get_for_scope
from kafo.registry.models import Person

from . import claim_decisions, claims, claims_selectors, permissions
from .models import Liquidation
from .simulation import career_and_errors, career_from_rows, simulate

router = Router(tags=["benefits"])


def can_simulate(user) -> bool:
    """Staff of an organisation (agents, officers, approvers, directors) or the zone admin."""
    if not user.is_authenticated:
        return False
    return user.has_role(*AGENT_ROLES) or user.is_zone_admin


class CareerLineIn(InputSchema):
    organisation: str = Field(..., max_length=20, examples=["CNSS-BJ"])
    period: str = Field(..., examples=["2024-03"], description="YYYY-MM")
    gross_salary: Decimal = Field(..., description="whole CFA francs")
    days_worked: int | None = None


class SimulationIn(InputSchema):
    organisation: str = Field(..., max_length=20, examples=["CNSS-BJ"])
    birth_date: IsoDate
    claim_date: IsoDate
    sex: Literal["F", "M"] | None = None
    children: int = Field(0, ge=0, le=30)
    category: str | None = Field(None, max_length=30)
    career: list[CareerLineIn] = Field(..., max_length=1200)


class Outcome(Schema):
    benefit: str
    monthly_amount: int | None
    lump_sum_amount: int | None
    insured_months: int


class NextDateOut(Schema):
    date: dt.date
    career_as_is: Outcome
    if_still_working: Outcome


class SimulationOut(Schema):
    organisation: str
    claim_date: dt.date
    rules_version: str
    eligible: bool
    benefit: Literal["pension", "early_pension", "old_age_allowance", "lump_sum", "none"]
    monthly_amount: int | None
    lump_sum_amount: int | None
    insured_months: int
    reference_salary: int | None
    rate: str | None = Field(None, description="percent of the reference salary")
    points: str | None
    age: int
    normal_age: int
    normal_age_date: dt.date
    early_age_date: dt.date | None
    reasons: list[str]
    trace: list[dict[str, Any]]
    next_eligible: list[NextDateOut]
    assumptions: list[dict[str, Any]]


@router.post(
    "/benefits/simulate",
    response={200: SimulationOut, **ERRORS},
    url_name="benefits-simulate",
)
def simulate_pension(request, payload: SimulationIn):
    """Simulate an old-age benefit (pension, early pension, allowance or lump sum) of a career."""
    user = request.user
    if user.is_insured_user:
        # An insured person checks the pension of the career declared in their name, not of a
        # career they send: GET /api/me/retirement (kafo/insured/api.py).
        raise HttpError(403, "insured users simulate their own career: GET /api/me/retirement")
    if not can_simulate(user):
        raise HttpError(403, "forbidden")
    allowed = (
        None if user.is_zone_admin else list(Organisation.objects.filter(pk=user.organisation_id))
    )
    career, career_errors = career_and_errors(
        career_from_rows, [line.dict() for line in payload.career]
    )
    return Status(
        200,
        simulate(
            organisation=payload.organisation,
            birth_date=payload.birth_date,
            claim_date=payload.claim_date,
            career=career,
            sex=payload.sex,
            children=payload.children,
            category=payload.category,
            organisations=allowed,
            career_errors=career_errors,
        ),
    )


# --- claims (issue 13, items 2–4) -----------------------------------------------------------
# Reads and writes of the caller's organisation only: every claim is fetched through the scoped
# manager (`claim_detail` → `get_for_scope`), another organisation's answers 404. Writes go
# through kafo/benefits/claims.py; its ValidationError answers 422 naming the field.


class ClaimOpenIn(InputSchema):
    kind: Literal["pension", "early_pension", "old_age_allowance", "lump_sum", "survivors"]
    claim_date: IsoDate
    death_date: IsoDate | None = None
    category: str = Field("", max_length=10)


class DocumentIn(InputSchema):
    code: str = Field(..., max_length=40)
    received: bool
    reference: str = Field("", max_length=120)


class RejectIn(InputSchema):
    reason: str = Field(..., max_length=2000)


class ClaimOut(Schema):
    id: int
    reference: str
    organisation: str
    person_id: int
    person_number: str
    person_name: str
    kind: str
    status: str
    claim_date: dt.date
    death_date: dt.date | None
    opened_at: dt.datetime
    computed_at: dt.datetime | None
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    payment_started_at: dt.datetime | None
    monthly_amount: int | None = None
    lump_sum_amount: int | None = None
    review_reason: str


class DocumentOut(Schema):
    code: str
    label: str
    required: bool
    received: bool
    reference: str


class BeneficiaryOut(Schema):
    name: str
    relationship: str
    qualifies: bool
    reason: str
    monthly_amount: int


class LiquidationOut(Schema):
    number: int
    computed_at: dt.datetime
    on: dt.date
    rule_versions: list[str]
    eligible: bool
    benefit: str
    monthly_amount: int | None
    lump_sum_amount: int | None
    insured_months: int
    reference_salary: str | None
    rate: str | None
    start_date: dt.date | None
    gaps: list[dict[str, Any]]
    reasons: list[str]
    approved_at: dt.datetime | None
    inputs: dict[str, Any]
    trace: list[dict[str, Any]]
    beneficiaries: list[BeneficiaryOut]


class ApproverOut(Schema):
    username: str
    as_director: bool
    delegation_id: int | None


class ClaimDetailOut(ClaimOut):
    rejection_reason: str
    approved_under_id: int | None
    documents: list[DocumentOut]
    liquidations: list[LiquidationOut]
    approvers: list[ApproverOut]
    processing_days: dict[str, int | None]
    stale_reasons: list[str] = Field(
        ...,
        description="approved claims: what changed since approval (rule version, declarations), "
        "compared now; `review_reason` is the stored flag",
    )


def _int(v):
    return int(v) if v is not None else None


def _claim_out(claim, liquidation=None) -> dict:
    return {
        "id": claim.pk,
        "reference": claim.reference,
        "organisation": claim.organisation.code,
        "person_id": claim.person_id,
        "person_number": claim.person.number,
        "person_name": claim.person.full_name,
        "kind": claim.kind,
        "status": claim.status,
        "claim_date": claim.claim_date,
        "death_date": claim.death_date,
        "opened_at": claim.opened_at,
        "computed_at": claim.computed_at,
        "submitted_at": claim.submitted_at,
        "decided_at": claim.decided_at,
        "payment_started_at": claim.payment_started_at,
        "monthly_amount": _int(liquidation.monthly_amount) if liquidation else None,
        "lump_sum_amount": _int(liquidation.lump_sum_amount) if liquidation else None,
        "review_reason": claim.review_reason,
    }


def _claim_detail_out(pk: int) -> dict:
    claim = claims_selectors.claim_detail(pk)
    liquidations = list(claim.liquidations.all())
    return _claim_out(claim, liquidations[0] if liquidations else None) | {
        "rejection_reason": claim.rejection_reason,
        "approved_under_id": claim.approved_under_id,
        "documents": [
            {
                "code": d.code,
                "label": d.label,
                "required": d.required,
                "received": d.received,
                "reference": d.reference,
            }
            for d in claim.documents.all()
        ],
        "liquidations": [
            {
                "number": liq.number,
                "computed_at": liq.computed_at,
                "on": liq.on,
                "rule_versions": liq.rule_versions,
                "eligible": liq.eligible,
                "benefit": liq.benefit,
                "monthly_amount": _int(liq.monthly_amount),
                "lump_sum_amount": _int(liq.lump_sum_amount),
                "insured_months": liq.insured_months,
                "reference_salary": str(liq.reference_salary)
                if liq.reference_salary is not None
                else None,
                "rate": str(liq.rate) if liq.rate is not None else None,
                "start_date": liq.start_date,
                "gaps": liq.gaps,
                "reasons": liq.reasons,
                "approved_at": liq.approved_at,
                "inputs": liq.inputs,
                "trace": liq.trace,
                "beneficiaries": [
                    {
                        "name": b.name,
                        "relationship": b.relationship,
                        "qualifies": b.qualifies,
                        "reason": b.reason,
                        "monthly_amount": int(b.monthly_amount),
                    }
                    for b in liq.beneficiaries.all()
                ],
            }
            for liq in liquidations
        ],
        "approvers": [
            {
                "username": a.user.username,
                "as_director": a.as_director,
                "delegation_id": a.delegation_id,
            }
            for a in (claims_selectors.approvers_for(claim) if claim.status == "submitted" else [])
        ],
        "processing_days": claims_selectors.processing_days(claim),
        "stale_reasons": claims_selectors.stale_reasons(claim)
        if claim.status in ("approved", "in_payment")
        else [],
    }


def _need(request, check) -> None:
    if not check(request.user):
        raise HttpError(403, "forbidden")


def _claim(pk: int):
    return claims_selectors.claim_detail(pk)


@router.get(
    "/benefits/claims", response={200: list[ClaimOut], **ERRORS}, url_name="api-benefits-claims"
)
def claim_list(request, status: str | None = None, kind: str | None = None):
    """The organisation's claims, newest first (500 at most), with the current amount."""
    _need(request, permissions.can_read_claims)
    rows = list(
        claims_selectors.claims_for(status=status, kind=kind).prefetch_related(
            Prefetch("liquidations", queryset=Liquidation.objects.order_by("-number"))
        )[:500]
    )
    return [_claim_out(c, next(iter(c.liquidations.all()), None)) for c in rows]


@router.post(
    "/benefits/persons/{int:person_id}/claims",
    response={201: ClaimDetailOut, **ERRORS},
    url_name="api-benefits-claim-open",
)
def claim_open(request, person_id: int, payload: ClaimOpenIn):
    """Open a claim for the person (for survivors: the deceased, with `death_date`); its
    document checklist is the organisation's list for the kind."""
    _need(request, permissions.can_handle_claims)
    person = get_for_scope(
        Person, queryset=Person.objects.select_related("organisation"), pk=person_id
    )
    claim = claims.claim_open(
        person=person,
        kind=payload.kind,
        claim_date=payload.claim_date,
        death_date=payload.death_date,
        category=payload.category,
        user=request.user,
    )
    return Status(201, _claim_detail_out(claim.pk))


@router.get(
    "/benefits/claims/{int:claim_id}",
    response={200: ClaimDetailOut, **ERRORS},
    url_name="api-benefits-claim",
)
def claim_detail(request, claim_id: int):
    """A claim with its checklist, every computation (inputs, rule versions, trace, result) and,
    once submitted, who may approve it."""
    _need(request, permissions.can_read_claims)
    return _claim_detail_out(claim_id)


@router.post(
    "/benefits/claims/{int:claim_id}/documents",
    response={200: ClaimDetailOut, **ERRORS},
    url_name="api-benefits-claim-document",
)
def claim_document(request, claim_id: int, payload: DocumentIn):
    """Mark one checklist item received (with its reference) or missing."""
    _need(request, permissions.can_handle_claims)
    claims.claim_document_set(
        claim=_claim(claim_id),
        code=payload.code,
        received=payload.received,
        reference=payload.reference,
        user=request.user,
    )
    return _claim_detail_out(claim_id)


@router.post(
    "/benefits/claims/{int:claim_id}/compute",
    response={200: ClaimDetailOut, **ERRORS},
    url_name="api-benefits-claim-compute",
)
def claim_compute(request, claim_id: int):
    """Compute from the declared career and the rules in force (a new computation each time)."""
    _need(request, permissions.can_handle_claims)
    claims.claim_compute(claim=_claim(claim_id), user=request.user)
    return _claim_detail_out(claim_id)


@router.post(
    "/benefits/claims/{int:claim_id}/submit",
    response={200: ClaimDetailOut, **ERRORS},
    url_name="api-benefits-claim-submit",
)
def claim_submit(request, claim_id: int):
    """Submit for approval (422 on `documents` while a required document is missing)."""
    _need(request, permissions.can_handle_claims)
    claims.claim_submit(claim=_claim(claim_id), user=request.user)
    return _claim_detail_out(claim_id)


@router.post(
    "/benefits/claims/{int:claim_id}/approve",
    response={200: ClaimDetailOut, **ERRORS},
    url_name="api-benefits-claim-approve",
)
def claim_approve(request, claim_id: int):
    """Approve under the caller's delegation covering the kind and amount today (or as
    director); not the officer who computed it, not one's own claim. Freezes the computation."""
    _need(request, permissions.can_decide_claims)
    claim_decisions.claim_approve(claim=_claim(claim_id), user=request.user)
    return _claim_detail_out(claim_id)


@router.post(
    "/benefits/claims/{int:claim_id}/reject",
    response={200: ClaimDetailOut, **ERRORS},
    url_name="api-benefits-claim-reject",
)
def claim_reject(request, claim_id: int, payload: RejectIn):
    """Reject the submitted claim with the reason the claimant will read."""
    _need(request, permissions.can_decide_claims)
    claim_decisions.claim_reject(claim=_claim(claim_id), user=request.user, reason=payload.reason)
    return _claim_detail_out(claim_id)
