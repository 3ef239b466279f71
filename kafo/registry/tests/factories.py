"""Deterministic test data built through the real services."""

import datetime as dt

from kafo.registry import services


def employer(org, legal_name="Société Malienne de Textiles", **extra):
    return services.employer_register(
        organisation=org,
        data={"legal_name": legal_name, "sector": "textile", "risk_class": 2, "city": "Bamako"}
        | extra,
    )


def person(org, family_name="Coulibaly", given_names="Mamadou", **extra):
    data = {
        "family_name": family_name,
        "given_names": given_names,
        "sex": "M",
        "birth_date": dt.date(1975, 3, 12),
        "birth_date_precision": "day",
        "birth_place": "Bamako",
    } | extra
    return services.person_register(organisation=org, data=data)
