import datetime as dt

import pytest

from kafo.registry.services import employer_register, person_register
from kafo.rules.services import rules_seed

HEADER = (
    "employer_number,period,worker_number,national_id,family_name,given_names,"
    "days_worked,gross_salary,category"
)


@pytest.fixture
def ci(zone):
    """CNPS-CI with its rules, an employer of risk class 3 and one registered worker."""
    rules_seed()
    org = zone["CNPS-CI"]
    employer = employer_register(organisation=org, data={"legal_name": "SOTRA", "risk_class": 3})
    person = person_register(
        organisation=org,
        data={
            "family_name": "Kouassi",
            "given_names": "Yao",
            "sex": "M",
            "birth_date": dt.date(1985, 3, 2),
        },
    )
    return {"org": org, "employer": employer, "person": person}


def csv_of(employer, person, lines=None, sep=","):
    """A DNS file for CNPS-CI: the registered worker at 50,000 and an unknown one at 4,000,000."""
    lines = lines or [
        [employer.number, "2025-03", person.number, "", "Kouassi", "Yao", "31", "50000", ""],
        [
            employer.number,
            "2025-03",
            "",
            "12345678901",
            "Bamba",
            "Awa",
            "31",
            "4 000 000",
            "executive",
        ],
    ]
    text = "\n".join([HEADER.replace(",", sep), *[sep.join(r) for r in lines]]) + "\n"
    return text.encode()
