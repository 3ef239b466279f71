import json

from kafo.accounts.models import ApiToken
from kafo.contributions.models import Declaration, DeclarationLine
from kafo.registry.services import employer_register

from .conftest import csv_of


def test_employer_uploads_and_sees_breakdown(client, ci, make_user):
    user = make_user(ci["org"], "employer", employer=ci["employer"])
    client.force_login(user)
    resp = client.get("/contributions/declarations/template.xlsx")
    assert resp.status_code == 200 and resp.content[:2] == b"PK"
    from django.core.files.uploadedfile import SimpleUploadedFile

    f = SimpleUploadedFile("dns.csv", csv_of(ci["employer"], ci["person"]), "text/csv")
    resp = client.post(
        "/contributions/declarations/new/", {"period": "2025-03", "kind": "original", "file": f}
    )
    assert resp.status_code == 302, resp.content.decode()[:3000]
    resp = client.get(resp["Location"])
    body = resp.content.decode()
    assert "493 200 FCFA" in body  # total due
    assert "263 725 FCFA" in body  # pension employer share: 3,850 + 259,875
    assert "maternité" in body and "<td>maternity</td>" not in body  # display name (issue 18)


def test_upload_rejected_shows_every_line(client, ci, make_user):
    client.force_login(make_user(ci["org"], "contributions_manager"))
    from django.core.files.uploadedfile import SimpleUploadedFile

    e, p = ci["employer"], ci["person"]
    content = csv_of(e, p, [[e.number, "2025-03", p.number, "", "K", "Y", "31", "abc", ""]])
    resp = client.post(
        "/contributions/declarations/new/",
        {
            "employer_number": e.number,
            "period": "2025-03",
            "kind": "original",
            "file": SimpleUploadedFile("dns.csv", content),
        },
    )
    assert resp.status_code == 200
    assert "montant non numérique" in resp.content.decode()
    assert Declaration.unscoped.count() == 0


def test_employer_cannot_see_another_employers_declaration(client, ci, make_user):
    other = employer_register(organisation=ci["org"], data={"legal_name": "Autre"})
    from kafo.contributions.services import declaration_submit

    d = declaration_submit(
        employer=other,
        period="2025-03",
        rows=[
            {
                "worker_number": "X1",
                "family_name": "A",
                "given_names": "B",
                "days_worked": 31,
                "gross_salary": 1000,
            }
        ],
    ).declaration
    client.force_login(make_user(ci["org"], "employer", employer=ci["employer"]))
    assert client.get(f"/contributions/declarations/{d.pk}/").status_code == 404


def test_api_submit_read_and_reject(client, ci, make_user):
    agent = make_user(ci["org"], "contributions_manager")
    _t, raw = ApiToken.issue(user=agent, name="t")
    h = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    payload = {
        "employer_number": ci["employer"].number,
        "period": "2025-03",
        "lines": [
            {
                "worker_number": ci["person"].number,
                "family_name": "Kouassi",
                "given_names": "Yao",
                "days_worked": 31,
                "gross_salary": "50000",
            },
        ],
    }
    resp = client.post("/api/declarations", json.dumps(payload), "application/json", **h)
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert (data["employer_total"], data["employee_total"]) == ("9225", "3650")
    assert {c["component"]: c["employer"] for c in data["breakdown"]}["maternity"] == "375"
    again = client.post("/api/declarations", json.dumps(payload), "application/json", **h)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    read = client.get(f"/api/declarations/{data['id']}", **h)
    assert read.status_code == 200 and read.json()["total"] == "12875"

    bad = payload | {"period": "2025-05", "lines": [payload["lines"][0] | {"gross_salary": "-1"}]}
    resp = client.post("/api/declarations", json.dumps(bad), "application/json", **h)
    assert resp.status_code == 422
    assert resp.json()["errors"] == [
        {
            "line": 2,
            "column": "gross_salary",
            "value": "-1",
            "reason": "salaire négatif",
            "field": "lines[0].gross_salary",
        }
    ]
    assert DeclarationLine.unscoped.count() == 1


def test_other_organisation_gets_404(client, ci, make_user, zone):
    from kafo.contributions.isolation import make_records

    rec = make_records(ci["org"], {"employer": ci["employer"], "person": ci["person"]})
    d = rec["declaration"]
    for roles in (("contributions_manager",), ("director",), ("employer",)):
        client.force_login(make_user(zone["INPS-ML"], *roles, username="x" + roles[0]))
        assert client.get(f"/contributions/declarations/{d.pk}/").status_code in (403, 404)
        assert client.get(f"/api/declarations/{d.pk}").status_code in (403, 404)
