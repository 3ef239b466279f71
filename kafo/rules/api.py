"""JSON API of the rule tables: read the versions; a zone administrator adds one."""

import datetime as dt
from decimal import Decimal

from django.http import Http404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from kafo.api_errors import ERRORS
from kafo.api_inputs import InputSchema, IsoDate
from kafo.organisations.models import Organisation

from . import selectors, services
from .views import can_view_rules

router = Router(tags=["rules"])


class RateOut(Schema):
    id: int
    organisation: str
    branch: str
    component: str
    risk_class: int
    applies_to: str
    employer_rate: Decimal
    employee_rate: Decimal
    base_from: Decimal
    ceiling: Decimal | None
    floor: Decimal | None
    employer_flat: Decimal
    employee_flat: Decimal
    effective_from: dt.date
    source: str
    assumption: bool
    note: str

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation.code


class PenaltyOut(Schema):
    id: int
    organisation: str
    kind: str
    percent_per_day: Decimal
    percent_per_month_started: Decimal
    percent_flat: Decimal
    effective_from: dt.date
    source: str
    assumption: bool
    note: str

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation.code


class DeclarationRuleOut(Schema):
    id: int
    organisation: str
    monthly_from_employees: int
    due_day: int
    effective_from: dt.date
    source: str
    assumption: bool
    note: str

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation.code


class VersionsOut(Schema):
    rates: list[RateOut]
    penalties: list[PenaltyOut]
    declaration: list[DeclarationRuleOut]


class CreatedOut(Schema):
    id: int


class VersionIn(InputSchema):
    organisation: str
    kind: str  # rate | penalty | declaration
    effective_from: IsoDate
    source: str
    assumption: bool = False
    note: str = ""
    branch: str | None = None
    component: str | None = None
    risk_class: int | None = None
    applies_to: str | None = None
    employer_rate: Decimal | None = None
    employee_rate: Decimal | None = None
    base_from: Decimal | None = None
    ceiling: Decimal | None = None
    floor: Decimal | None = None
    employer_flat: Decimal | None = None
    employee_flat: Decimal | None = None
    penalty_kind: str | None = None
    percent_per_day: Decimal | None = None
    percent_per_month_started: Decimal | None = None
    percent_flat: Decimal | None = None
    monthly_from_employees: int | None = None
    due_day: int | None = None


@router.get("/rules/versions", response={200: VersionsOut, **ERRORS}, url_name="rules-versions")
def versions(request, org: str | None = None):
    """Every version (history included) of the caller's organisation's rules."""
    if not can_view_rules(request.user):
        raise HttpError(403, "forbidden")
    org_id = None
    if org:
        found = Organisation.objects.filter(code=org).first()
        if found is None:
            raise Http404
        org_id = found.pk
    return selectors.rule_versions(organisation_id=org_id)


@router.post(
    "/rules/versions", response={201: CreatedOut, **ERRORS}, url_name="rules-version-create"
)
def version_create(request, payload: VersionIn):
    """Add a rule version (zone administrators only); it takes effect today or later."""
    if not request.user.is_zone_admin:
        raise HttpError(403, "forbidden")
    if payload.kind not in services.RULE_MODELS:
        raise HttpError(422, "kind must be rate, penalty or declaration")
    organisation = Organisation.objects.filter(code=payload.organisation).first()
    if organisation is None:
        raise Http404
    data = payload.dict(exclude={"organisation", "kind"}, exclude_none=True)
    if "penalty_kind" in data:
        data["kind"] = data.pop("penalty_kind")
    rule = services.rule_version_add(organisation=organisation, kind=payload.kind, data=data)
    return Status(201, {"id": rule.pk})
