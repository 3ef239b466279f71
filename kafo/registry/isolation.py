"""Tenant-isolation contract of the registry (read by kafo/tests/test_tenant_isolation.py)."""

import datetime as dt

from . import services

PUBLIC_ROUTES = {
    "search",
    "person-create",
    "employer-create",
    "api:api-search",
    "api:api-persons",
    "api:api-person-create",
    "api:api-employers",
    "api:api-employer-create",
}


def _pk(name):
    return lambda rec: {"pk": rec[name].pk}


ROUTES = {
    "person-detail": _pk("person"),
    "person-edit": _pk("person"),
    "dependant-add": _pk("person"),
    "employment-add": _pk("person"),
    "dependant-edit": _pk("dependant"),
    "dependant-delete": _pk("dependant"),
    "employment-edit": _pk("employment"),
    "employment-delete": _pk("employment"),
    "employer-detail": _pk("employer"),
    "employer-edit": _pk("employer"),
    "establishment-add": _pk("employer"),
    "api:api-person": lambda rec: {"person_id": rec["person"].pk},
    "api:api-person-update": lambda rec: {"person_id": rec["person"].pk},
    "api:api-person-dependants": lambda rec: {"person_id": rec["person"].pk},
    "api:api-dependant-create": lambda rec: {"person_id": rec["person"].pk},
    "api:api-person-employments": lambda rec: {"person_id": rec["person"].pk},
    "api:api-employment-create": lambda rec: {"person_id": rec["person"].pk},
    "api:api-dependant": lambda rec: {"dependant_id": rec["dependant"].pk},
    "api:api-employment": lambda rec: {"employment_id": rec["employment"].pk},
    "api:api-employer": lambda rec: {"employer_id": rec["employer"].pk},
    "api:api-employer-update": lambda rec: {"employer_id": rec["employer"].pk},
}

# Words that must never appear in an answer to another organisation.
SECRET_WORDS = ("Zerbo-Secret", "Brasserie Secrète")


def make_records(organisation, records: dict) -> dict:
    employer = services.employer_register(
        organisation=organisation, data={"legal_name": "Brasserie Secrète", "risk_class": 3}
    )
    services.establishment_add(employer=employer, data={"name": "Usine", "city": "Bouaké"})
    person = services.person_register(
        organisation=organisation,
        data={
            "family_name": "Zerbo-Secret",
            "given_names": "Adjoua",
            "sex": "F",
            "birth_date": dt.date(1980, 5, 1),
        },
    )
    dependant = services.dependant_add(
        person=person,
        data={
            "relationship": "child",
            "family_name": "Zerbo-Secret",
            "given_names": "Yao",
            "sex": "M",
            "birth_date": dt.date(2010, 1, 1),
            "filiation": "legitimate",
        },
    )
    employment = services.employment_add(
        person=person, data={"employer": employer, "start_date": dt.date(2005, 1, 1)}
    )
    return {
        "employer": employer,
        "person": person,
        "dependant": dependant,
        "employment": employment,
    }
