"""Answer one item of a search request (`search_request[i]`) for a partner."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kafo.interop.models import Partner
from kafo.organisations.tenancy import zone_scope

from . import queries
from .records import allowed_attributes, insurance_of, partner_persons, person_record

REG_TYPE = "ns:org:RegistryType:Social"
RECORD_TYPE = "SRPerson"
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


def timestamp(now: dt.datetime | None = None) -> str:
    """Return an ISO 8601 timestamp with its time zone, as the standard asks."""
    return (now or timezone.now()).astimezone(dt.UTC).isoformat(timespec="seconds")


def _pagination(criteria: dict) -> tuple[int, int]:
    page = criteria.get("pagination") or {}
    size, number = page.get("page_size", DEFAULT_PAGE_SIZE), page.get("page_number", 1)
    for name, value in (("page_size", size), ("page_number", number)):
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            raise queries.QueryRefused(
                f"pagination : {name} doit être un entier", code="rjct.pagination.invalid"
            )
    size, number = int(size), int(number)
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise queries.QueryRefused(
            f"pagination : page_size entre 1 et {MAX_PAGE_SIZE}", code="rjct.pagination.invalid"
        )
    if number < 1:
        raise queries.QueryRefused(
            "pagination : page_number commence à 1", code="rjct.pagination.invalid"
        )
    return size, number


def search_item(partner: Partner, item: dict, *, today: dt.date) -> tuple[dict, int]:
    """Return the `search_response` item answering `item` and the number of records in it.

    A query that cannot be run answers `rjct` with the standard's reason code and a message
    naming what is wrong; it reads nothing.
    """
    answer = {"reference_id": item["reference_id"], "timestamp": timestamp()}
    if item.get("locale"):
        answer["locale"] = item["locale"]
    criteria = item["search_criteria"]
    allowed = allowed_attributes(partner)
    try:
        record_type = criteria.get("reg_record_type")
        if record_type not in (None, RECORD_TYPE, "Person", "Member"):
            raise queries.QueryRefused(f"reg_record_type « {str(record_type)[:40]} » inconnu")
        where = queries.build(criteria["query_type"], criteria["query"], allowed)
        order = queries.ordering(criteria.get("sort"), allowed)
        size, number = _pagination(criteria)
    except queries.QueryRefused as refused:
        answer |= {
            "status": "rjct",
            "status_reason_code": refused.code,
            "status_reason_message": str(refused)[:999],
        }
        return answer, 0
    with zone_scope():
        found = partner_persons(partner).filter(where).distinct()
        total = found.count()
        page = list(found.order_by(*order)[(number - 1) * size : number * size])
    insurance = insurance_of(page, today) if "insurance" in allowed else {}
    records = [person_record(p, allowed=allowed, insurance=insurance.get(p.pk)) for p in page]
    answer |= {
        "status": "succ",
        "data": {
            "version": "1.0.0",
            "reg_type": criteria.get("reg_type") or REG_TYPE,
            "reg_record_type": RECORD_TYPE,
            "reg_records": records,
        },
        "pagination": {"page_size": size, "page_number": number, "total_count": total},
    }
    return answer, len(records)
