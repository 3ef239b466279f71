import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from kafo.audit.models import AuditEvent
from kafo.registry import services
from kafo.registry.domain import registration_numbers
from kafo.registry.models import Dependant, Employer, Person, PersonNameKey

from .factories import employer, person

NINA = "12345678901234K"


def test_person_gets_a_valid_number_and_an_audited_creation(zone):
    p = person(zone["INPS-ML"], national_id=NINA)
    assert registration_numbers.is_valid(p.number, registration_numbers.PERSON_DIGITS)
    assert p.number == "0000000018"
    event = AuditEvent.objects.get(object_type="person", object_id=str(p.pk))
    assert event.action == "create"
    assert event.changes["family_name"] == [None, "Coulibaly"]
    assert sorted(PersonNameKey.objects.filter(person=p).values_list("key", flat=True)) == [
        "kulibali",
        "mamadu",
    ]


def test_numbers_are_per_organisation(zone):
    a = person(zone["INPS-ML"])
    b = person(zone["CNPS-CI"])
    c = person(zone["INPS-ML"], given_names="Awa", sex="F")
    assert a.number == b.number
    assert c.number == registration_numbers.format_number(2, 9)


def test_update_records_only_what_changed(zone):
    p = person(zone["INPS-ML"])
    services.person_update(person=p, data={"phone": "+223 76 00 00 00"})
    event = AuditEvent.objects.filter(object_id=str(p.pk), action="update").get()
    assert event.changes == {"phone": ["", "+223 76 00 00 00"]}


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"national_id": "12345"}, "national_id"),
        ({"birth_date": dt.date(2999, 1, 1)}, "birth_date"),
        ({"family_name": "  "}, "family_name"),
    ],
)
def test_bad_person_is_refused_and_nothing_saved(zone, extra, field):
    with pytest.raises(ValidationError) as exc:
        person(zone["INPS-ML"], **extra)
    assert field in exc.value.message_dict
    assert Person.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert PersonNameKey.objects.count() == 0


def test_duplicate_registration_number_is_refused(zone):
    p = person(zone["INPS-ML"])
    with pytest.raises(ValidationError) as exc:
        services.person_register(
            organisation=zone["INPS-ML"],
            data={
                "family_name": "Diallo",
                "given_names": "Awa",
                "sex": "F",
                "birth_date": dt.date(1980, 1, 1),
            },
            number=p.number,
        )
    assert "number" in exc.value.message_dict
    assert Person.objects.count() == 1


def test_given_number_with_a_wrong_check_digit_is_refused(zone):
    with pytest.raises(ValidationError) as exc:
        person(zone["INPS-ML"]) and services.person_register(
            organisation=zone["INPS-ML"],
            data={
                "family_name": "Sow",
                "given_names": "Ali",
                "sex": "M",
                "birth_date": dt.date(1980, 1, 1),
            },
            number="0000000019",
        )
    assert "number" in exc.value.message_dict


def test_child_born_before_parent_is_refused(zone):
    p = person(zone["INPS-ML"])
    with pytest.raises(ValidationError) as exc:
        services.dependant_add(
            person=p,
            data={
                "relationship": "child",
                "family_name": "Coulibaly",
                "given_names": "Awa",
                "sex": "F",
                "birth_date": dt.date(1970, 1, 1),
                "filiation": "legitimate",
            },
        )
    assert "birth_date" in exc.value.message_dict
    assert Dependant.objects.count() == 0


def test_several_spouses_and_their_children(zone):
    p = person(zone["INPS-ML"])
    wives = [
        services.dependant_add(
            person=p,
            data={
                "relationship": "spouse",
                "family_name": f,
                "given_names": g,
                "sex": "F",
                "birth_date": dt.date(1980, 1, 1),
                "birth_date_precision": "year",
                "marriage_date": m,
            },
        )
        for f, g, m in (
            ("Diarra", "Awa", dt.date(2000, 5, 1)),
            ("Keita", "Fanta", dt.date(2006, 9, 9)),
        )
    ]
    child = services.dependant_add(
        person=p,
        data={
            "relationship": "child",
            "family_name": "Coulibaly",
            "given_names": "Issa",
            "sex": "M",
            "birth_date": dt.date(2008, 2, 2),
            "filiation": "legitimate",
            "other_parent": wives[1],
        },
    )
    assert child.other_parent == wives[1]
    assert p.dependants.filter(relationship="spouse").count() == 2
    # the parent's own birth date cannot move after a child's
    with pytest.raises(ValidationError):
        services.person_update(person=p, data={"birth_date": dt.date(2010, 1, 1)})
    p.refresh_from_db()
    assert p.birth_date == dt.date(1975, 3, 12)


def test_employment_needs_an_employer_of_the_same_organisation(zone):
    p = person(zone["INPS-ML"])
    foreign = employer(zone["CNPS-CI"])
    with pytest.raises(ValidationError) as exc:
        services.employment_add(
            person=p, data={"employer": foreign, "start_date": dt.date(2000, 1, 1)}
        )
    assert "employer" in exc.value.message_dict
    own = employer(zone["INPS-ML"])
    emp = services.employment_add(
        person=p, data={"employer": own, "start_date": dt.date(2000, 1, 1)}
    )
    assert emp.organisation_id == zone["INPS-ML"].pk


def test_employer_status_change_is_dated_and_audited(zone):
    e = employer(zone["INPS-ML"])
    services.employer_update(employer=e, data={"status": "suspended"})
    e.refresh_from_db()
    assert e.status == "suspended"
    event = AuditEvent.objects.get(object_type="employer", action="update")
    assert event.changes["status"] == ["active", "suspended"]
    assert Employer.objects.count() == 1
