"""Tenant-isolation contract of the zone person index."""

import datetime as dt

from kafo.registry import services as registry

from . import services
from .models import LinkChange, ReviewItem

PUBLIC_ROUTES = {
    "identity-review-list",
    "identity-hints",
    "api:api-review",
}

ROUTES = {
    "identity-person-zone": lambda rec: {"pk": rec["person"].pk},
    "identity-person-split": lambda rec: {"pk": rec["person"].pk},
    "identity-undo": lambda rec: {"batch": rec["link_change"].batch},
    "identity-review-detail": lambda rec: {"pk": rec["review_item"].pk},
    "identity-review-undo": lambda rec: {"pk": rec["review_item"].pk},
    "api:api-person-zone": lambda rec: {"person_id": rec["person"].pk},
}


def make_records(organisation, records: dict) -> dict:
    person = records["person"]
    twin = registry.person_register(
        organisation=organisation,
        data={
            "family_name": "Zerbo-Secret",
            "given_names": "Adjoua Awa",
            "sex": "F",
            "birth_date": dt.date(1980, 5, 2),
        },
    )
    batch = services.zone_persons_merge(person=person, other=twin)
    item = ReviewItem.unscoped.create(
        organisation=organisation,
        person=person,
        other_person=twin,
        other_organisation_code=organisation.code,
        weight=1.5,
        agreements=["names: agree"],
    )
    return {
        "link_change": LinkChange.unscoped.filter(batch=batch).first(),
        "review_item": item,
    }
