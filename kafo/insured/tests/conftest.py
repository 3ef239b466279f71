"""An insured person with a declared career, their login, and a neighbour of the same
organisation with a claim of their own."""

import datetime as dt

import pytest

from kafo.benefits.demo import Job, declare_careers
from kafo.benefits.services import benefits_seed
from kafo.registry.services import employer_register, person_register
from kafo.rules.services import rules_seed

TODAY = dt.date(2026, 1, 15)


@pytest.fixture
def ml(zone, make_user):
    rules_seed()
    benefits_seed()
    org = zone["INPS-ML"]
    employer = employer_register(organisation=org, data={"legal_name": "HUICOMA", "risk_class": 1})
    person = person_register(
        organisation=org,
        data={
            "family_name": "Coulibaly",
            "given_names": "Mamadou",
            "sex": "M",
            "birth_date": dt.date(1962, 11, 3),
        },
    )
    neighbour = person_register(
        organisation=org,
        data={
            "family_name": "Voisin-Secret",
            "given_names": "Awa",
            "sex": "F",
            "birth_date": dt.date(1960, 2, 1),
        },
    )
    declare_careers(
        organisation=org,
        jobs=[
            Job(employer, person, "2010-01", "2025-12", 150000, raise_percent=0),
            Job(employer, neighbour, "2000-01", "2025-12", 400000, raise_percent=0),
        ],
        today=TODAY,
    )
    user = make_user(org, "insured", username="inps-ml.assure", person=person)
    return {
        "org": org,
        "person": person,
        "neighbour": neighbour,
        "employer": employer,
        "user": user,
    }
