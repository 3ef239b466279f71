"""JSON API of the benefits: the pension simulator.

`POST /api/benefits/simulate` computes, for a career sent in the body, the old-age benefit due
on the claim date under the rules in force, with its trace and the next eligible dates. It
reads no person record: staff of an organisation (every agent role) simulate under their own
organisation's rules, a zone administrator under any; another organisation's code is answered
like an unknown one (422 on `organisation`). The insured person's own portal will call the same
`simulation.simulate` with the career from the declarations.
"""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from kafo.accounts.permissions import AGENT_ROLES
from kafo.api_errors import ERRORS
from kafo.api_inputs import InputSchema, IsoDate
from kafo.organisations.models import Organisation

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
