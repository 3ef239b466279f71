"""The claims' JSON API: open, documents, compute, submit, approve, reject, list, detail; errors
name the field; another organisation's person or claim answers 404 and changes nothing."""

import datetime as dt
from decimal import Decimal as D

from kafo.accounts.models import ApiToken
from kafo.benefits.models import Claim, ClaimStatus

from .test_claims import bj, delegate  # noqa: F401  (fixture and helper)


def api(client, user, method, path, data=None):
    _token, raw = ApiToken.issue(user=user, name="test")
    send = getattr(client, method)
    return send(
        f"/api{path}",
        data=data or {},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )


def test_a_claim_through_the_api(bj, client):  # noqa: F811
    person, officer, approver = bj["person"], bj["officer"], bj["approver"]
    delegate(bj, approver, 30000)
    r = api(
        client,
        officer,
        "post",
        f"/benefits/persons/{person.pk}/claims",
        {"kind": "pension", "claim_date": "2026-01-15"},
    )
    assert r.status_code == 201, r.content
    claim = r.json()
    assert (claim["status"], claim["kind"], claim["person_number"]) == (
        "opened",
        "pension",
        person.number,
    )
    assert [d["code"] for d in claim["documents"] if d["required"]] == [
        "birth_certificate",
        "identity_document",
        "work_certificates",
        "cessation_certificate",
    ]
    cid = claim["id"]
    r = api(client, officer, "post", f"/benefits/claims/{cid}/compute")
    assert r.status_code == 200
    liq = r.json()["liquidations"][0]
    assert (liq["monthly_amount"], liq["insured_months"], liq["rate"], liq["benefit"]) == (
        22000,
        270,
        "44.000",
        "pension",
    )
    assert liq["trace"][-1]["result"] == "22000"
    # a missing required document: 422 naming the field, nothing changed
    r = api(client, officer, "post", f"/benefits/claims/{cid}/submit")
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "documents"
    assert Claim.objects.get(pk=cid).status == ClaimStatus.COMPUTED
    for code in (
        "birth_certificate",
        "identity_document",
        "work_certificates",
        "cessation_certificate",
    ):
        r = api(
            client,
            officer,
            "post",
            f"/benefits/claims/{cid}/documents",
            {"code": code, "received": True, "reference": "dossier 12"},
        )
        assert r.status_code == 200
    assert api(client, officer, "post", f"/benefits/claims/{cid}/submit").status_code == 200
    # the officer may not decide (no role), the approver may
    assert api(client, officer, "post", f"/benefits/claims/{cid}/approve").status_code == 403
    detail = api(client, approver, "get", f"/benefits/claims/{cid}").json()
    assert [a["username"] for a in detail["approvers"]] == [approver.username]
    r = api(client, approver, "post", f"/benefits/claims/{cid}/approve")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "approved" and body["liquidations"][0]["approved_at"]
    assert body["stale_reasons"] == []
    listed = api(client, approver, "get", "/benefits/claims?status=approved").json()
    assert [(c["id"], c["monthly_amount"]) for c in listed] == [(cid, 22000)]


def test_reject_needs_a_reason_and_another_organisation_gets_404(bj, client, make_user, zone):  # noqa: F811
    claim_id = api(
        client,
        bj["officer"],
        "post",
        f"/benefits/persons/{bj['person'].pk}/claims",
        {"kind": "pension", "claim_date": "2026-01-15"},
    ).json()["id"]
    r = api(client, bj["approver"], "post", f"/benefits/claims/{claim_id}/reject", {"reason": ""})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "status"
    stranger = make_user(zone["INPS-ML"], "benefits_officer", username="ml.officer")
    before = Claim.unscoped.count()
    r = api(
        client,
        stranger,
        "post",
        f"/benefits/persons/{bj['person'].pk}/claims",
        {"kind": "pension", "claim_date": "2026-01-15"},
    )
    assert r.status_code == 404
    assert api(client, stranger, "post", f"/benefits/claims/{claim_id}/compute").status_code == 404
    assert api(client, stranger, "get", f"/benefits/claims/{claim_id}").status_code == 404
    assert api(client, stranger, "get", "/benefits/claims").json() == []
    assert Claim.unscoped.count() == before
    assert Claim.unscoped.get(pk=claim_id).status == ClaimStatus.OPENED
    assert Claim.unscoped.get(pk=claim_id).liquidations.count() == 0


def test_the_list_reads_a_fixed_number_of_queries(bj, client, django_assert_max_num_queries):  # noqa: F811
    from kafo.benefits import claims

    for kind in ("pension", "lump_sum", "old_age_allowance"):
        c = claims.claim_open(
            person=bj["person"], kind=kind, claim_date=dt.date(2026, 1, 15), user=bj["officer"]
        )
        claims.claim_compute(claim=c, user=bj["officer"])
    _token, raw = ApiToken.issue(user=bj["approver"], name="t")
    with django_assert_max_num_queries(8):
        r = client.get("/api/benefits/claims", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert [c["monthly_amount"] for c in r.json()] == [22000, 22000, 22000]
    assert D(22000) == D(r.json()[0]["monthly_amount"])
