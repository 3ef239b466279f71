import datetime as dt

from ninja import Router, Schema, Status

from kafo.accounts.permissions import can
from kafo.api_errors import ERRORS
from kafo.api_inputs import InputSchema
from kafo.organisations.tenancy import get_for_scope
from kafo.registry.models import Person

from . import selectors, services
from .models import LiaisonPurpose, LiaisonRequest

router = Router(tags=["identity"])


class ElsewhereOut(Schema):
    organisation_code: str
    records: int


class SpanOut(Schema):
    start: str
    end: str
    months: int


class CareerPartOut(Schema):
    organisation_code: str
    months: int
    spans: list[SpanOut]
    from_liaison: bool


class ZoneOut(Schema):
    zone_person: int | None
    method: str | None
    weight: float | None
    own_record_ids: list[int]
    elsewhere: list[ElsewhereOut]
    # Own insured periods and those communicated by approved liaison requests; `joined_months`
    # counts a month insured in two organisations once (the basis for totalisation).
    career: list[CareerPartOut]
    joined_months: int


class LiaisonIn(InputSchema):
    target_organisation_code: str
    purpose: LiaisonPurpose
    note: str = ""


class LiaisonDecisionIn(InputSchema):
    approve: bool
    reason: str = ""


class LiaisonOut(Schema):
    id: int
    direction: str
    requester_code: str
    target_code: str
    person_id: int
    purpose: str
    status: str
    created_at: dt.datetime
    decided_at: dt.datetime | None
    refusal_reason: str

    @staticmethod
    def resolve_requester_code(obj) -> str:
        return obj.requester.code

    @staticmethod
    def resolve_target_code(obj) -> str:
        return obj.target.code


class ReviewItemOut(Schema):
    id: int
    person_id: int
    other_organisation_code: str
    weight: float
    agreements: list[str]
    status: str
    rank: int
    reason: str


def _need(request, capability: str = "registry.view"):
    from ninja.errors import HttpError

    if not can(request.user, capability):
        raise HttpError(403, "forbidden")


@router.get(
    "/persons/{person_id}/zone", response={200: ZoneOut, **ERRORS}, url_name="api-person-zone"
)
def person_zone(request, person_id: int):
    """The person's zone person: own records in full, other organisations by code only."""
    _need(request)
    person = get_for_scope(Person, pk=person_id)
    link = selectors.zone_link_of(person)
    if link is None:
        return {
            "zone_person": None,
            "method": None,
            "weight": None,
            "own_record_ids": [],
            "elsewhere": [],
            "career": [],
            "joined_months": 0,
        }
    own = selectors.own_records_of(link)
    career = selectors.joined_career(link, own)
    return {
        "zone_person": link.zone_person_id,
        "method": link.method,
        "weight": link.weight,
        "own_record_ids": [p.pk for p in own],
        "elsewhere": selectors.elsewhere_of(link),
        "career": career.parts,
        "joined_months": career.months,
    }


@router.post(
    "/persons/{person_id}/zone/liaison",
    response={201: LiaisonOut, **ERRORS},
    url_name="api-liaison-create",
)
def liaison_create(request, person_id: int, payload: LiaisonIn):
    """Ask another organisation of the zone for the insured periods it holds of this person."""
    _need(request, "registry.edit")
    person = get_for_scope(Person, pk=person_id)
    return Status(
        201,
        services.liaison_request_create(
            person=person,
            target_organisation_code=payload.target_organisation_code,
            purpose=payload.purpose,
            note=payload.note,
            user=request.user,
        ),
    )


@router.get(
    "/identity/liaison", response={200: list[LiaisonOut], **ERRORS}, url_name="api-liaison-inbox"
)
def liaison_inbox(request, status: str = "pending"):
    """Requests addressed to the caller's organisation."""
    _need(request)
    return selectors.liaison_inbox(status)


@router.post(
    "/identity/liaison/{liaison_id}/decision",
    response={200: LiaisonOut, **ERRORS},
    url_name="api-liaison-decide",
)
def liaison_decide(request, liaison_id: int, payload: LiaisonDecisionIn):
    """Approve or refuse a request addressed to the caller's organisation."""
    _need(request, "registry.edit")
    liaison = get_for_scope(LiaisonRequest, pk=liaison_id, queryset=selectors.incoming_requests())
    return services.liaison_request_decide(
        request=liaison, approve=payload.approve, reason=payload.reason, user=request.user
    )


@router.get(
    "/identity/review", response={200: list[ReviewItemOut], **ERRORS}, url_name="api-review"
)
def review_queue(request, status: str = "pending"):
    """The first 200 items, pending ones in the engine's order."""
    _need(request)
    return list(selectors.review_queue(status)[:200])
