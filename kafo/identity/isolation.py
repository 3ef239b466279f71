"""Tenant-isolation contract of the zone person index."""

import datetime as dt

from kafo.organisations.models import Organisation
from kafo.registry import services as registry

from . import services
from .models import LinkChange, ReviewItem

PUBLIC_ROUTES = {
    "identity-review-list",
    "identity-hints",
    "identity-liaison-inbox",
    "api:api-review",
    "api:api-liaison-inbox",
}

SECRET_WORDS = ("Note-Secrète-Liaison",)

ROUTES = {
    "identity-person-zone": lambda rec: {"pk": rec["person"].pk},
    "identity-person-split": lambda rec: {"pk": rec["person"].pk},
    "identity-undo": lambda rec: {"batch": rec["link_change"].batch},
    "identity-review-detail": lambda rec: {"pk": rec["review_item"].pk},
    "identity-review-undo": lambda rec: {"pk": rec["review_item"].pk},
    "identity-liaison-create": lambda rec: {"pk": rec["person"].pk},
    "identity-liaison-detail": lambda rec: {"pk": rec["liaison_incoming"].pk},
    "api:api-person-zone": lambda rec: {"person_id": rec["person"].pk},
    "api:api-liaison-create": lambda rec: {"person_id": rec["person"].pk},
    "api:api-liaison-decide": lambda rec: {"liaison_id": rec["liaison_incoming"].pk},
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
    # The same human known to another organisation; a request each way, both pending.
    other_org = Organisation.objects.exclude(pk=organisation.pk).order_by("code").first()
    abroad = registry.person_register(
        organisation=other_org,
        data={
            "family_name": "Zerbo",
            "given_names": "Adjoua",
            "sex": "F",
            "birth_date": dt.date(1980, 5, 2),
        },
    )
    services.zone_persons_merge(person=person, other=abroad)
    services.liaison_request_create(
        person=person,
        target_organisation_code=other_org.code,
        purpose="old_age",
        note="Note-Secrète-Liaison",
        user=None,
    )
    incoming = services.liaison_request_create(
        person=abroad, target_organisation_code=organisation.code, purpose="old_age", user=None
    ).twin
    return {
        "link_change": LinkChange.unscoped.filter(batch=batch).first(),
        "review_item": item,
        "liaison_incoming": incoming,
    }
