"""The registry API's search: tokens, envelope, the three query types, the tenant rule."""

import datetime as dt
import json

import pytest

from kafo.interop.models import QueryLog, Transaction
from kafo.registry.models import Person
from kafo.registry.services import employment_add
from kafo.registry.tests.factories import employer, person

from .spdci_client import assert_matches, envelope, idtype, post, search_message

SYNC = "/registry/sync/search"


@pytest.fixture
def people(zone):
    ml, cm = zone["INPS-ML"], zone["CMSS-ML"]
    awa = person(
        ml,
        "Traoré",
        "Awa",
        sex="F",
        national_id="12345678901234K",
        birth_date=dt.date(1960, 5, 1),
        phone="+22370000001",
        address="Bamako",
    )
    moussa = person(ml, "Diarra", "Moussa", national_id="22345678901234K")
    employment_add(person=awa, data={"employer": employer(ml), "start_date": dt.date(2019, 1, 1)})
    kouame = person(
        cm, "Kouamé", "Yao", national_id="12345678901234K"
    )  # same id, another organisation
    return {"awa": awa, "moussa": moussa, "kouame": kouame}


def _search(client, partner, bearer, *criteria):
    response = post(client, SYNC, envelope("search", search_message(*criteria)), bearer(partner))
    return response, assert_matches(SYNC, response)


def test_idtype_value_finds_the_person_with_its_insurance(client, make_partner, bearer, people):
    partner = make_partner()
    response, data = _search(client, partner, bearer, idtype("UIN", "12345678901234K"))
    assert response.status_code == 200
    assert data["header"]["action"] == "on-search"
    assert data["header"]["status"] == "succ"
    item = data["message"]["search_response"][0]
    assert item["reference_id"] == "R-1"
    assert item["status"] == "succ"
    assert item["pagination"] == {"page_size": 20, "page_number": 1, "total_count": 1}
    (record,) = item["data"]["reg_records"]
    awa = people["awa"]
    assert record["name"] == {"@type": "Name", "surname": "Traoré", "given_name": "Awa"}
    assert record["sex"] == "female"
    assert record["birth_date"] == "1960-05-01"
    assert record["phone_number"] == "+22370000001"
    assert {
        "@type": "Identifier",
        "identifier_type": "REGISTRATION_NUMBER",
        "identifier_value": awa.number,
    } in record["identifier"]
    insurance = record["additional_attributes"][1]["value"]
    assert insurance["organisation"] == "INPS-ML"
    assert insurance["insured"] is True
    assert insurance["insured_since"] == "2019-01-01"


def test_partner_limited_to_one_organisation_never_receives_another(
    client, make_partner, bearer, people, zone
):
    partner = make_partner(zone["INPS-ML"])
    _, data = _search(client, partner, bearer, idtype("UIN", "12345678901234K"))
    records = data["message"]["search_response"][0]["data"]["reg_records"]
    orgs = [r["additional_attributes"][0]["value"] for r in records]
    assert orgs == ["INPS-ML"]
    # the other organisation's record is found only by a partner whose agreement names it
    both = make_partner(zone["INPS-ML"], zone["CMSS-ML"], name="Deux")
    _, data = _search(client, both, bearer, idtype("UIN", "12345678901234K"))
    records = data["message"]["search_response"][0]["data"]["reg_records"]
    assert sorted(r["additional_attributes"][0]["value"] for r in records) == [
        "CMSS-ML",
        "INPS-ML",
    ]


def test_even_an_explicit_organisation_condition_cannot_reach_beyond(
    client, make_partner, bearer, people, zone
):
    partner = make_partner(zone["INPS-ML"])
    query = {
        "type": "expression",
        "value": {
            "expression": {"collection": "Person", "query": {"organisation": {"$eq": "CMSS-ML"}}}
        },
    }
    _, data = _search(client, partner, bearer, {"query_type": "expression", "query": query})
    item = data["message"]["search_response"][0]
    assert item["data"]["reg_records"] == []
    assert item["pagination"]["total_count"] == 0


def test_agreement_attributes_limit_the_record(client, make_partner, bearer, people):
    partner = make_partner(attributes=["national_id", "insurance"])
    _, data = _search(client, partner, bearer, idtype("UIN", "12345678901234K"))
    (record,) = data["message"]["search_response"][0]["data"]["reg_records"]
    assert set(record) == {"@type", "identifier", "registration_date", "additional_attributes"}
    assert record["identifier"] == [
        {"@type": "Identifier", "identifier_type": "UIN", "identifier_value": "12345678901234K"}
    ]


def test_search_on_an_attribute_outside_the_agreement_is_rejected(
    client, make_partner, bearer, people
):
    partner = make_partner(attributes=["national_id"])
    query = [
        {
            "seq_num": 1,
            "expression1": {
                "attribute_name": "birth_date",
                "operator": "lt",
                "attribute_value": "1970-01-01",
            },
        }
    ]
    _, data = _search(client, partner, bearer, {"query_type": "predicate", "query": query})
    item = data["message"]["search_response"][0]
    assert item["status"] == "rjct"
    assert item["status_reason_code"] == "rjct.search_criteria.invalid"
    assert "birth_date" in item["status_reason_message"]
    assert "data" not in item


def test_expression_query(client, make_partner, bearer, people):
    partner = make_partner()
    query = {
        "type": "expression",
        "value": {
            "expression": {
                "collection": "Person",
                "query": {
                    "$and": [{"birth_date": {"$lt": "1970-01-01"}}, {"sex": {"$eq": "female"}}]
                },
            }
        },
    }
    _, data = _search(client, partner, bearer, {"query_type": "expression", "query": query})
    records = data["message"]["search_response"][0]["data"]["reg_records"]
    assert [r["name"]["given_name"] for r in records] == ["Awa"]


def test_predicate_query_with_condition_and_insured_on(client, make_partner, bearer, people):
    partner = make_partner()
    query = [
        {
            "seq_num": 1,
            "expression1": {
                "attribute_name": "family_name",
                "operator": "eq",
                "attribute_value": "Traoré",
            },
            "condition": "or",
            "expression2": {
                "attribute_name": "family_name",
                "operator": "eq",
                "attribute_value": "Diarra",
            },
        },
        {
            "seq_num": 2,
            "expression1": {
                "attribute_name": "insured_on",
                "operator": "eq",
                "attribute_value": "2020-06-30",
            },
        },
    ]
    _, data = _search(client, partner, bearer, {"query_type": "predicate", "query": query})
    records = data["message"]["search_response"][0]["data"]["reg_records"]
    assert [r["name"]["surname"] for r in records] == ["Traoré"]


def test_pagination_and_sort(client, make_partner, bearer, people):
    partner = make_partner()
    criteria = {
        "query_type": "expression",
        "query": {
            "type": "expression",
            "value": {"expression": {"query": {"organisation": {"$eq": "INPS-ML"}}}},
        },
        "sort": [{"attribute_name": "family_name", "sort_order": "desc"}],
        "pagination": {"page_size": 1, "page_number": 2},
    }
    _, data = _search(client, partner, bearer, criteria)
    item = data["message"]["search_response"][0]
    assert item["pagination"] == {"page_size": 1, "page_number": 2, "total_count": 2}
    assert [r["name"]["surname"] for r in item["data"]["reg_records"]] == ["Diarra"]


@pytest.mark.parametrize(
    ("criteria", "code"),
    [
        (idtype("PASSPORT", "X"), "rjct.search_criteria.invalid"),
        (
            {
                "query_type": "expression",
                "query": {
                    "type": "expression",
                    "value": {"expression": {"query": {"salary": {"$gt": 1}}}},
                },
            },
            "rjct.search_criteria.invalid",
        ),
        (
            {
                "query_type": "expression",
                "query": {
                    "type": "expression",
                    "value": {"expression": {"query": {"birth_date": {"$regex": ".*"}}}},
                },
            },
            "rjct.search_criteria.invalid",
        ),
        (idtype("UIN", "1", sort=[{"attribute_name": "national_id"}]), "rjct.sort.invalid"),
        (idtype("UIN", "1", pagination={"page_size": 1000}), "rjct.pagination.invalid"),
    ],
)
def test_refused_criteria_answer_the_standard_reason(
    client, make_partner, bearer, people, criteria, code
):
    partner = make_partner()
    _, data = _search(client, partner, bearer, criteria)
    item = data["message"]["search_response"][0]
    assert (item["status"], item["status_reason_code"]) == ("rjct", code)
    assert data["header"]["status"] == "rjct"


def test_batch_answers_each_reference_and_duplicates(client, make_partner, bearer, people):
    partner = make_partner()
    message = search_message(idtype("UIN", "12345678901234K"), idtype("UIN", "22345678901234K"))
    message["search_request"].append(dict(message["search_request"][0]))
    response = post(client, SYNC, envelope("search", message), bearer(partner))
    data = assert_matches(SYNC, response)
    answers = data["message"]["search_response"]
    assert [(a["reference_id"], a["status"]) for a in answers] == [
        ("R-1", "succ"),
        ("R-2", "succ"),
        ("R-1", "rjct"),
    ]
    assert answers[2]["status_reason_code"] == "rjct.reference_id.duplicate"
    assert data["header"]["total_count"] == 3
    assert data["header"]["completed_count"] == 2


def test_every_query_is_logged_with_its_record_count(client, make_partner, bearer, people):
    partner = make_partner()
    _search(client, partner, bearer, idtype("UIN", "12345678901234K"))
    (log,) = QueryLog.objects.filter(partner=partner)
    assert (log.endpoint, log.record_count, log.outcome) == ("sync/search", 1, "succ")
    assert log.query["search_request"][0]["search_criteria"]["query"]["value"] == "12345678901234K"


def test_rate_limit_refuses_with_the_standard_error(client, make_partner, bearer, people):
    partner = make_partner(rate=2)
    for _ in range(2):
        _search(client, partner, bearer, idtype("UIN", "12345678901234K"))
    response = post(
        client, SYNC, envelope("search", search_message(idtype("UIN", "x"))), bearer(partner)
    )
    assert response.status_code == 429
    data = assert_matches(SYNC, response)
    assert data["errors"][0]["code"] == "err.request.too_many_requests"
    assert Transaction.objects.filter(partner=partner).count() == 2


def test_schema_violation_names_what_is_wrong(client, make_partner, bearer, people):
    partner = make_partner()
    body = envelope("search", search_message(idtype("UIN", "12345678901234K")))
    del body["message"]["search_request"][0]["reference_id"]
    response = post(client, SYNC, body, bearer(partner))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    data = assert_matches(SYNC, response)
    assert data["errors"][0]["code"] == "err.request.bad"
    assert "/message/search_request/0" in data["errors"][0]["message"]
    assert "reference_id" in data["errors"][0]["message"]
    assert data["header"]["status"] == "rjct"
    assert Transaction.objects.count() == 0


def test_wrong_action_and_bad_json_are_json_errors(client, make_partner, bearer, people):
    partner = make_partner()
    body = envelope("subscribe", search_message(idtype("UIN", "12345678901234K")))
    response = post(client, SYNC, body, bearer(partner))
    data = assert_matches(SYNC, response)
    assert response.status_code == 400
    assert data["header"]["status_reason_code"] == "rjct.action.invalid"
    response = client.post(
        SYNC, data="{not json", content_type="application/json", **bearer(partner)
    )
    assert response.status_code == 400
    assert assert_matches(SYNC, response)["errors"][0]["code"] == "err.request.bad"
    response = client.get(SYNC, **bearer(partner))
    assert response.status_code == 405
    assert json.loads(response.content)["errors"][0]["code"] == "err.request.bad"


def test_no_person_is_read_without_a_token(client, people):
    response = post(
        client, SYNC, envelope("search", search_message(idtype("UIN", "12345678901234K"))), {}
    )
    assert response.status_code == 401
    data = assert_matches(SYNC, response)
    assert data["errors"][0]["code"] == "err.request.unauthorized"
    assert Person.objects.count() == 3
    assert Transaction.objects.count() == 0


def test_unknown_service_and_internal_error_answer_json(client, make_partner, bearer, people):
    from unittest import mock

    response = client.post("/registry/on-nothing", data="{}", content_type="application/json")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "err.request.not_found"
    partner = make_partner()
    body = envelope("search", search_message(idtype("UIN", "12345678901234K")))
    with mock.patch("kafo.interop.registry_api.processing.search_item", side_effect=RuntimeError):
        response = post(client, SYNC, body, bearer(partner))
    assert response.status_code == 500
    data = assert_matches(SYNC, response)
    assert data["errors"][0]["code"] == "err.service.unavailable"
