"""The insured person's API: their career, their pension (the page's amount); the simulator of
arbitrary careers is refused to them."""

from kafo.accounts.models import ApiToken


def _bearer(user):
    _token, raw = ApiToken.issue(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_my_career(ml, client):
    response = client.get("/api/me/career", **_bearer(ml["user"]))
    assert response.status_code == 200
    body = response.json()
    assert body["person_number"] == ml["person"].number
    [org] = body["organisations"]
    assert (org["organisation"], org["insured_months"], org["total_salary"]) == (
        "INPS-ML",
        192,
        28800000,
    )
    assert org["periods"][0] == {
        "period": "2010-01",
        "employer_number": ml["employer"].number,
        "employer_name": "HUICOMA",
        "days_worked": 26,
        "gross_salary": 150000,
        "contributions": org["periods"][0]["contributions"],
    }
    assert len(org["periods"]) == 192


def test_my_retirement_equals_the_page(ml, client):
    """57,000 a month on 15/01/2026 (see test_pages.py)."""
    response = client.get(
        "/api/me/retirement", {"on": "2026-01-15", "children": 0}, **_bearer(ml["user"])
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["benefit"], body["monthly_amount"], body["insured_months"]) == (
        "pension",
        57000,
        192,
    )
    assert body["reference_salary"] == 150000
    assert body["trace"] and body["next_eligible"] is not None
    client.force_login(ml["user"])
    page = client.get("/me/retirement/", {"on": "15/01/2026", "children": "0"})
    assert page.context["retirement"].result.monthly_amount == body["monthly_amount"]


def test_my_retirement_names_a_bad_field(ml, client):
    auth = _bearer(ml["user"])
    bad = client.get("/api/me/retirement", {"on": "2026-02-31"}, **auth)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "on"
    cat = client.get("/api/me/retirement", {"on": "2026-01-15", "category": "X"}, **auth)
    assert cat.status_code == 422
    assert cat.json()["errors"] == [
        {
            "field": "category",
            "reason": "Catégorie « X » inconnue à INPS-ML : A, B, C, D, E.",
        }
    ]


def test_the_simulator_of_sent_careers_is_refused_to_an_insured_user(ml, client):
    payload = {
        "organisation": "INPS-ML",
        "birth_date": "1962-11-03",
        "claim_date": "2026-01-15",
        "career": [{"organisation": "INPS-ML", "period": "2025-01", "gross_salary": 900000}],
    }
    response = client.post(
        "/api/benefits/simulate", payload, content_type="application/json", **_bearer(ml["user"])
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["reason"] == (
        "insured users simulate their own career: GET /api/me/retirement"
    )


def test_staff_have_no_me(ml, client, make_user):
    auth = _bearer(make_user(ml["org"], "benefits_officer"))
    assert client.get("/api/me/career", **auth).status_code == 403
    assert client.get("/api/me/retirement", **auth).status_code == 403
