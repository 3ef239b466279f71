"""What a partner reads: the persons its agreement lets it see, as the standard models them.

`partner_persons` is the one place the partner's tenant rule is applied: only the records of
the organisations its agreement names. `person_record` writes a person as an SPDCI `SRPerson`
(identifiers, name, sex, birth date, address, phone, registration date) keeping only the
attributes the agreement allows, plus the insurance status with the record's organisation on a
date as `additional_attributes`.
"""

from __future__ import annotations

import datetime as dt

from kafo.interop.models import Partner
from kafo.interop.models import RecordAttribute as A
from kafo.organisations.tenancy import zone_scope
from kafo.registry.models import Employment, Person

SEX = {"M": "male", "F": "female"}
# Identifier types Kafo answers with (UIN: the standard's unique identification number).
ID_NATIONAL = "UIN"
ID_REGISTRATION = "REGISTRATION_NUMBER"
ID_ZONE = "ZONE_PERSON_ID"


def partner_persons(partner: Partner):
    """Return the persons of the organisations the partner's agreement names (a queryset).

    Call it inside `zone_scope()`: the agreement, not the caller's scope, limits the rows.
    """
    return Person.objects.filter(
        organisation__in=partner.organisations.values("pk")
    ).select_related("organisation", "zone_link")


def allowed_attributes(partner: Partner) -> set[str]:
    return {a for a in partner.attributes if a in A.values}


def insurance_of(persons: list[Person], on: dt.date) -> dict[int, dict]:
    """Return, per person id, the insurance status with its organisation on `on`.

    A person is insured on a date when one of its employments with the organisation is in
    force that day; `insured_since` is the earliest start among those employments.
    """
    ids = [p.pk for p in persons]
    since: dict[int, dt.date] = {}
    with zone_scope():
        rows = Employment.objects.filter(person_id__in=ids, start_date__lte=on).values_list(
            "person_id", "start_date", "end_date"
        )
        for person_id, start, end in rows:
            if end is None or end >= on:
                since[person_id] = min(since.get(person_id, start), start)
    return {
        p.pk: {
            "organisation": p.organisation.code,
            "insured": p.pk in since,
            "insured_since": since[p.pk].isoformat() if p.pk in since else None,
            "status_date": on.isoformat(),
        }
        for p in persons
    }


def person_record(person: Person, *, allowed: set[str], insurance: dict | None) -> dict:
    """Return `person` as an SPDCI SRPerson with only the `allowed` attributes."""
    identifiers = []
    if A.NATIONAL_ID in allowed and person.national_id:
        identifiers.append(_identifier(ID_NATIONAL, person.national_id))
    if A.REGISTRATION_NUMBER in allowed:
        identifiers.append(_identifier(ID_REGISTRATION, person.number))
    link = getattr(person, "zone_link", None) if A.ZONE_PERSON_ID in allowed else None
    if link is not None:
        identifiers.append(_identifier(ID_ZONE, f"Z{link.zone_person_id:08d}"))
    record: dict = {"@type": "SRPerson"}
    if identifiers:
        record["identifier"] = identifiers
    if A.NAME in allowed:
        record["name"] = {
            "@type": "Name",
            "surname": person.family_name,
            "given_name": person.given_names,
        }
    if A.SEX in allowed:
        record["sex"] = SEX.get(person.sex, "unknown")
    if A.BIRTH_DATE in allowed:
        record["birth_date"] = person.birth_date.isoformat()
    if A.ADDRESS in allowed and person.address:
        record["address"] = {"@type": "Address", "address_line_1": person.address}
    if A.PHONE in allowed and person.phone:
        record["phone_number"] = person.phone
    record["registration_date"] = person.registered_on.isoformat()
    extra = [{"name": "organisation", "value": person.organisation.code}]
    if A.INSURANCE in allowed and insurance is not None:
        extra.append({"name": "insurance", "value": insurance})
    record["additional_attributes"] = extra
    return record


def _identifier(kind: str, value: str) -> dict:
    return {"@type": "Identifier", "identifier_type": kind, "identifier_value": value}
