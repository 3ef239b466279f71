"""Tenant-isolation contract of the exchanges (read by kafo/tests/test_tenant_isolation.py)."""

import datetime as dt

from kafo.identity import services as index
from kafo.organisations.models import Organisation
from kafo.registry import services as registry

from . import services

PUBLIC_ROUTES = {
    "exchange-inbox",
    "identity-liaison-inbox",
    "api:api-exchange-list",
}

SECRET_WORDS = ("Note-Secrète-Échange",)

ROUTES = {
    "exchange-message-detail": lambda rec: {"pk": rec["message_incoming"].pk},
    "identity-liaison-detail": lambda rec: {"pk": rec["message_incoming"].pk},
    "exchange-person": lambda rec: {"pk": rec["person"].pk},
    "exchange-request": lambda rec: {"pk": rec["person"].pk},
    "exchange-death-notice": lambda rec: {"pk": rec["person"].pk},
    "exchange-claim-request": lambda rec: {"pk": rec["claim"].pk},
    "exchange-claim-forward": lambda rec: {"pk": rec["claim"].pk},
    "exchange-claim-summary-pdf": lambda rec: {"pk": rec["claim"].pk},
    "api:api-exchange-request": lambda rec: {"person_id": rec["person"].pk},
    "api:api-exchange-answer": lambda rec: {"message_id": rec["message_incoming"].pk},
    "api:api-exchange-career": lambda rec: {"person_id": rec["person"].pk},
    "api:api-exchange-forward": lambda rec: {"claim_id": rec["claim"].pk},
    "api:api-exchange-acknowledge": lambda rec: {"message_id": rec["message_incoming"].pk},
    "api:api-exchange-death-notice": lambda rec: {"person_id": rec["person"].pk},
}


def make_records(organisation, records: dict) -> dict:
    """The same human known to another organisation; a request each way, both pending."""
    person = records["person"]
    other_org = Organisation.objects.exclude(pk=organisation.pk).order_by("code").first()
    abroad = registry.person_register(
        organisation=other_org,
        data={
            "family_name": "Zerbo-Echange",
            "given_names": "Adjoua",
            "sex": "F",
            "birth_date": dt.date(1980, 5, 2),
        },
    )
    index.zone_persons_merge(person=person, other=abroad)
    services.periods_request(
        person=person,
        target=other_org,
        purpose="old_age",
        note="Note-Secrète-Échange",
        user=None,
    )
    incoming = services.periods_request(
        person=abroad, target=organisation, purpose="old_age", user=None
    ).twin
    return {"message_incoming": incoming}
