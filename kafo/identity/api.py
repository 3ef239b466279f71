from ninja import Router, Schema

from kafo.accounts.permissions import can
from kafo.api_errors import ERRORS
from kafo.organisations.tenancy import get_for_scope
from kafo.registry.models import Person

from . import selectors

router = Router(tags=["identity"])


class ElsewhereOut(Schema):
    organisation_code: str
    records: int


class ZoneOut(Schema):
    zone_person: int | None
    method: str | None
    weight: float | None
    own_record_ids: list[int]
    elsewhere: list[ElsewhereOut]


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
        }
    own = selectors.own_records_of(link)
    return {
        "zone_person": link.zone_person_id,
        "method": link.method,
        "weight": link.weight,
        "own_record_ids": [p.pk for p in own],
        "elsewhere": selectors.elsewhere_of(link),
    }


@router.get(
    "/identity/review", response={200: list[ReviewItemOut], **ERRORS}, url_name="api-review"
)
def review_queue(request, status: str = "pending"):
    """The first 200 items, pending ones in the engine's order."""
    _need(request)
    return list(selectors.review_queue(status)[:200])
