"""The registry API refuses a body that is not a JSON object and a date that is not AAAA-MM-JJ."""

import json

import pytest

from kafo.accounts.models import ApiToken
from kafo.audit.models import AuditEvent
from kafo.registry.models import Person

from .factories import employer, person

DATE_REASON = "date attendue au format AAAA-MM-JJ (texte), par exemple 1975-03-12"


@pytest.fixture
def auth(zone, make_user):
    user = make_user(zone["INPS-ML"], "registration_agent")
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='t')[1]}"}


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("[]", "une liste"),
        ('[{"family_name": "Keita"}]', "une liste"),
        ("null", "null"),
        ('"Keita"', "un texte"),
        ("0", "un nombre"),
        ("true", "un booléen"),
    ],
)
def test_patch_with_a_body_that_is_not_an_object_is_refused(client, zone, auth, body, kind):
    p = person(zone["INPS-ML"])
    e = employer(zone["INPS-ML"])
    events = AuditEvent.objects.count()
    for url in (f"/api/persons/{p.pk}", f"/api/employers/{e.pk}"):
        response = client.patch(url, body, content_type="application/json", **auth)
        assert response.status_code == 422
        assert response.json() == {
            "errors": [
                {
                    "field": "payload",
                    "reason": f"le corps de la requête doit être un objet JSON, pas {kind}",
                }
            ]
        }
    assert AuditEvent.objects.count() == events


def test_post_with_a_list_body_says_why(client, zone, auth):
    p = person(zone["INPS-ML"])
    for url in ("/api/persons", "/api/employers", f"/api/persons/{p.pk}/dependants"):
        response = client.post(url, "[]", content_type="application/json", **auth)
        assert response.status_code == 422
        reason = "le corps de la requête doit être un objet JSON, pas une liste"
        assert response.json()["errors"] == [{"field": "payload", "reason": reason}]


@pytest.mark.parametrize("value", [0, 1700000000, "0", "1975", "12/03/1975", "1975-03-12T00:00:00"])
def test_a_birth_date_that_is_not_an_iso_date_is_refused(client, zone, auth, value):
    p = person(zone["INPS-ML"])
    response = client.patch(
        f"/api/persons/{p.pk}", {"birth_date": value}, content_type="application/json", **auth
    )
    assert response.status_code == 422
    assert response.json() == {"errors": [{"field": "payload.birth_date", "reason": DATE_REASON}]}
    p.refresh_from_db()
    assert str(p.birth_date) == "1975-03-12"


def test_registering_with_birth_date_zero_stores_nothing(client, auth):
    body = {"family_name": "Keita", "given_names": "Awa", "sex": "F", "birth_date": 0}
    response = client.post("/api/persons", body, content_type="application/json", **auth)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "payload.birth_date", "reason": DATE_REASON}]
    assert Person.objects.count() == 0


def test_other_dates_of_the_registry_are_iso_only(client, zone, auth):
    p = person(zone["INPS-ML"])
    e = employer(zone["INPS-ML"])
    cases = [
        (f"/api/employers/{e.pk}", "patch", {"status_since": 0}, "payload.status_since"),
        (
            f"/api/persons/{p.pk}/employments",
            "post",
            {"employer_id": e.pk, "start_date": 946684800},
            "payload.start_date",
        ),
        (
            f"/api/persons/{p.pk}/dependants",
            "post",
            {
                "relationship": "spouse",
                "family_name": "Keita",
                "given_names": "Awa",
                "sex": "F",
                "marriage_date": 0,
            },
            "payload.marriage_date",
        ),
    ]
    for url, method, body, field in cases:
        response = getattr(client, method)(
            url, json.dumps(body), content_type="application/json", **auth
        )
        assert response.status_code == 422, url
        assert response.json()["errors"] == [{"field": field, "reason": DATE_REASON}]
    assert (p.employments.count(), p.dependants.count()) == (0, 0)


def test_an_iso_date_is_still_accepted(client, zone, auth):
    p = person(zone["INPS-ML"])
    response = client.patch(
        f"/api/persons/{p.pk}",
        {"birth_date": "1976-04-01"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 200
    assert response.json()["birth_date"] == "1976-04-01"
