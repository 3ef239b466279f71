"""Control, invisible and bidirectional characters are refused in every registry text field."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kafo.accounts.models import ApiToken
from kafo.audit.models import AuditEvent
from kafo.registry import services
from kafo.registry.domain.text import first_forbidden
from kafo.registry.models import Dependant, Employer, Employment, Establishment, Person

from .factories import employer, person

RLO = "\u202e"


@pytest.mark.parametrize(
    ("text", "position", "code"),
    [
        ("Traor\u202eé", 6, "U+202E"),  # right-to-left override
        ("\u2066Awa", 1, "U+2066"),  # left-to-right isolate
        ("A\u200fwa", 2, "U+200F"),  # right-to-left mark
        ("Ko\u200bné", 3, "U+200B"),  # zero-width space
        ("Kon\u200dé", 4, "U+200D"),  # zero-width joiner
        ("Cou\u00adlibaly", 4, "U+00AD"),  # soft hyphen
        ("\ufeffDiallo", 1, "U+FEFF"),  # byte-order mark
        ("Sow\x00", 4, "U+0000"),
        ("Sow\x1f", 4, "U+001F"),
        ("Ba\tah", 3, "U+0009"),
        ("Ba\nah", 3, "U+000A"),
        ("Sow\x85", 4, "U+0085"),  # next line (C1 control)
        ("Sow\u2028", 4, "U+2028"),  # line separator
        ("Sow\ue000", 4, "U+E000"),  # private use
        ("\u3164", 1, "U+3164"),  # Hangul filler: a letter that prints as nothing
        ("A\u034fwa", 2, "U+034F"),  # combining grapheme joiner
    ],
)
def test_forbidden_characters_are_found(text, position, code):
    found = first_forbidden(text)
    assert (found.position, found.code) == (position, code)


@pytest.mark.parametrize(
    "text",
    ["Traoré", "N'Guessan", "Ouédraogo-Koné", "Aïssata Maïga", "Ñ ç œ Æ", "12 rue 14\u00a0B", ""],
)
def test_ordinary_names_pass(text):
    assert first_forbidden(text) is None


def test_a_person_whose_name_holds_a_right_to_left_override_is_refused(zone):
    with pytest.raises(ValidationError) as exc:
        person(zone["INPS-ML"], family_name=f"Traor{RLO}é")
    assert exc.value.message_dict == {
        "family_name": [
            "Nom : caractère invisible ou de contrôle interdit en position 6 "
            "(U+202E RIGHT-TO-LEFT OVERRIDE)."
        ]
    }
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    "field", ["given_names", "birth_place", "mother_name", "phone", "address", "national_id"]
)
def test_every_text_field_of_a_person_is_checked(zone, field):
    with pytest.raises(ValidationError) as exc:
        person(zone["INPS-ML"], **{field: "A\u200bB"})
    assert list(exc.value.message_dict) == [field]
    assert "U+200B ZERO WIDTH SPACE" in exc.value.message_dict[field][0]
    assert Person.objects.count() == 0


def test_an_update_with_a_hidden_character_changes_nothing(zone):
    p = person(zone["INPS-ML"])
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.person_update(person=p, data={"given_names": "Mama\u00addou"})
    assert list(exc.value.message_dict) == ["given_names"]
    p.refresh_from_db()
    assert p.given_names == "Mamadou"
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    "field", ["legal_name", "trade_register_id", "tax_id", "sector", "address", "city", "phone"]
)
def test_every_text_field_of_an_employer_is_checked(zone, field):
    with pytest.raises(ValidationError) as exc:
        employer(zone["INPS-ML"], **{field: f"Sahel {RLO}SA"})
    assert list(exc.value.message_dict) == [field]
    assert Employer.objects.count() == 0


def test_employer_update_establishment_dependant_and_employment_are_checked(zone):
    e = employer(zone["INPS-ML"])
    p = person(zone["INPS-ML"])
    with pytest.raises(ValidationError) as exc:
        services.employer_update(employer=e, data={"legal_name": "Sahel\x07 SA"})
    assert "U+0007" in exc.value.message_dict["legal_name"][0]
    with pytest.raises(ValidationError):
        services.establishment_add(employer=e, data={"name": "Usine\u200d Nord"})
    with pytest.raises(ValidationError) as exc:
        services.dependant_add(
            person=p,
            data={"relationship": "child", "family_name": "Coulibaly", "given_names": f"{RLO}Awa"},
        )
    assert list(exc.value.message_dict) == ["given_names"]
    with pytest.raises(ValidationError) as exc:
        services.employment_add(
            person=p,
            data={"employer": e, "start_date": dt.date(2001, 1, 1), "job_title": "Tiss\u200beur"},
        )
    assert list(exc.value.message_dict) == ["job_title"]
    e.refresh_from_db()
    assert e.legal_name == "Société Malienne de Textiles"
    assert (Establishment.objects.count(), Dependant.objects.count()) == (0, 0)
    assert Employment.objects.count() == 0


def test_the_api_refuses_a_bidi_override_naming_the_field(client, zone, make_user):
    user = make_user(zone["INPS-ML"], "registration_agent")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='t')[1]}"}
    response = client.post(
        "/api/persons",
        {
            "family_name": f"Traor{RLO}é",
            "given_names": "Awa",
            "sex": "F",
            "birth_date": "1980-01-01",
        },
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 422
    assert response.json() == {
        "errors": [
            {
                "field": "family_name",
                "reason": "Nom : caractère invisible ou de contrôle interdit en position 6 "
                "(U+202E RIGHT-TO-LEFT OVERRIDE).",
            }
        ]
    }
    assert Person.objects.count() == 0
    e = employer(zone["INPS-ML"])
    response = client.patch(
        f"/api/employers/{e.pk}",
        {"legal_name": "Sahel\u200b SA"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "legal_name"
    e.refresh_from_db()
    assert e.legal_name == "Société Malienne de Textiles"


def test_the_page_shows_the_error_on_the_field(client, zone, make_user):
    client.force_login(make_user(zone["INPS-ML"], "registration_agent"))
    response = client.post(
        reverse("person-create"),
        {"family_name": "Diallo", "given_names": "A\u200bwa", "sex": "F", "birth": "01/02/1990"},
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["given_names"]
    assert Person.objects.count() == 0
