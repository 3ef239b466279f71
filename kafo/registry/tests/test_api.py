import pytest

from kafo.accounts.models import ApiToken
from kafo.audit.models import AuditEvent
from kafo.registry.models import Person

from .factories import employer, person


@pytest.fixture
def token(zone, make_user):
    user = make_user(zone["INPS-ML"], "registration_agent")
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='t')[1]}"}


def test_no_token_no_data(client, zone):
    person(zone["INPS-ML"])
    response = client.get("/api/persons?q=coulibaly")
    assert response.status_code == 401
    assert response.json() == {"errors": [{"field": None, "reason": "authentication required"}]}


def test_wrong_token_is_refused(client, zone):
    response = client.get("/api/persons?q=x", HTTP_AUTHORIZATION="Bearer kafo_nope")
    assert response.status_code == 401


def test_register_a_person_through_the_api(client, token):
    response = client.post(
        "/api/persons",
        {
            "family_name": "Ouédraogo",
            "given_names": "Salif",
            "sex": "M",
            "birth_date": "1961-01-01",
            "birth_date_precision": "year",
            "national_id": "12345678901234k",
        },
        content_type="application/json",
        **token,
    )
    assert response.status_code == 201
    body = response.json()
    assert body["organisation"] == "INPS-ML"
    assert body["national_id"] == "12345678901234K"
    assert body["birth_date_precision"] == "year"
    event = AuditEvent.objects.get(object_type="person")
    assert event.actor_label == "inps-ml.registration_agent"
    found = client.get("/api/persons?q=wedraogo salif", **token).json()
    assert [h["person"]["number"] for h in found] == [body["number"]]


def test_api_errors_name_the_field_and_save_nothing(client, token):
    response = client.post(
        "/api/persons",
        {
            "family_name": "Sow",
            "given_names": "Ali",
            "sex": "M",
            "birth_date": "2999-01-01",
            "national_id": "12",
        },
        content_type="application/json",
        **token,
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"birth_date", "national_id"}
    assert Person.objects.count() == 0


def test_schema_errors_name_the_field(client, token):
    response = client.post(
        "/api/persons",
        {"family_name": "Sow", "sex": "X"},
        content_type="application/json",
        **token,
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"payload.given_names", "payload.sex", "payload.birth_date"} <= fields


def test_employment_with_another_organisations_employer_is_refused(client, token, zone):
    p = person(zone["INPS-ML"])
    foreign = employer(zone["CNPS-CI"])
    response = client.post(
        f"/api/persons/{p.pk}/employments",
        {"employer_id": foreign.pk, "start_date": "2001-01-01"},
        content_type="application/json",
        **token,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "employer_id"
    assert p.employments.count() == 0


def test_dependants_and_employments_round_trip(client, token, zone):
    p = person(zone["INPS-ML"])
    e = employer(zone["INPS-ML"])
    child = client.post(
        f"/api/persons/{p.pk}/dependants",
        {
            "relationship": "child",
            "family_name": "Coulibaly",
            "given_names": "Issa",
            "sex": "M",
            "birth_date": "2004-06-01",
            "filiation": "legitimate",
        },
        content_type="application/json",
        **token,
    )
    assert child.status_code == 201
    job = client.post(
        f"/api/persons/{p.pk}/employments",
        {"employer_id": e.pk, "start_date": "1999-01-01"},
        content_type="application/json",
        **token,
    )
    assert job.status_code == 201
    listed = client.get(f"/api/persons/{p.pk}/dependants", **token).json()
    assert [d["given_names"] for d in listed] == ["Issa"]
    assert client.delete(f"/api/dependants/{child.json()['id']}", **token).status_code == 204
    assert client.get(f"/api/persons/{p.pk}/dependants", **token).json() == []
    assert AuditEvent.objects.filter(object_type="dependant", action="delete").count() == 1


def test_openapi_document_and_docs_are_served(client):
    doc = client.get("/api/openapi.json").json()
    assert "/api/persons/{person_id}" in doc["paths"]
    assert client.get("/api/docs").status_code == 200


def test_nul_characters_are_refused_before_reaching_the_database(client, token):
    response = client.get("/api/search?q=ab%00cd", **token)
    assert response.status_code == 400
    response = client.post(
        "/api/persons",
        '{"family_name": "A\\u0000", "given_names": "B", "sex": "M", "birth_date": "1970-01-01"}',
        content_type="application/json",
        **token,
    )
    assert response.status_code == 400
    assert Person.objects.count() == 0
