"""Claim pages: open, checklist, compute, trace, submit, the approver's queue, approve or
reject with a reason, the award notification; refusals shown in French and changing nothing."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.utils import timezone
from pypdf import PdfReader

from kafo.benefits import claims
from kafo.benefits.demo import Job, declare_careers
from kafo.benefits.models import Claim, ClaimStatus
from kafo.benefits.services import benefits_seed
from kafo.governance import services as governance
from kafo.governance.tests import factories as gov
from kafo.registry.services import employer_register, person_register
from kafo.rules.services import rules_seed


@pytest.fixture
def bj(zone, make_user):
    """CNSS-BJ, the official example: 270 months at 50,000 (07/2003–12/2025), average of the
    last 60 months 50,000 → 30 % + 2 % × floor((270 − 180) / 12) = 44 % → 22,000 a month."""
    rules_seed()
    benefits_seed()
    org = zone["CNSS-BJ"]
    employer = employer_register(organisation=org, data={"legal_name": "SOBEBRA", "risk_class": 1})
    person = person_register(
        organisation=org,
        data={
            "family_name": "Hounkpatin",
            "given_names": "Comlan",
            "sex": "M",
            "birth_date": dt.date(1958, 1, 15),
        },
    )
    declare_careers(
        organisation=org,
        jobs=[Job(employer, person, "2003-07", "2025-12", 50000, raise_percent=0)],
        today=dt.date(2026, 1, 10),
    )
    decision = gov.decision(gov.session(gov.board(org)), title="Délégations de signature")
    users = {
        "officer": make_user(org, "benefits_officer", username="bj.officer"),
        "approver": make_user(org, "approver", username="bj.approver"),
        "small": make_user(org, "approver", username="bj.small"),
    }
    today = timezone.localdate()
    for who, ceiling in (("approver", 100000), ("small", 10000)):
        governance.delegation_grant(
            decision=decision,
            delegate=users[who],
            kind="benefit_approval",
            amount_ceiling=D(ceiling),
            start_date=max(today - dt.timedelta(days=30), decision.session.date),
        )
    return {"org": org, "person": person, **users}


def submitted(bj):
    claim = claims.claim_open(
        person=bj["person"], kind="pension", claim_date=dt.date(2026, 1, 15), user=bj["officer"]
    )
    for doc in claim.documents.all():
        claims.claim_document_set(claim=claim, code=doc.code, received=True, user=bj["officer"])
    claims.claim_compute(claim=claim, user=bj["officer"])
    return claims.claim_submit(claim=claim, user=bj["officer"])


def test_officer_opens_ticks_computes_reads_the_trace_and_submits(bj, client):
    client.force_login(bj["officer"])
    person = bj["person"]
    response = client.post(
        f"/benefits/persons/{person.pk}/claims/new/",
        {"kind": "pension", "claim_date": "15/01/2026", "death_date": "", "category": ""},
    )
    claim = Claim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/benefits/claims/{claim.pk}/"
    detail = f"/benefits/claims/{claim.pk}/"
    html = client.get(detail).content.decode()
    assert "Extrait d&#x27;acte de naissance" in html and 'id="compute"' in html
    # submit is not offered before the computation; computing first
    client.post(detail + "compute/")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.COMPUTED
    # a required document missing: the submission is refused, in French, nothing changes
    page = client.post(detail + "submit/", follow=True).content.decode()
    assert "Pièces obligatoires manquantes" in page
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.COMPUTED
    codes = list(claim.documents.filter(required=True).values_list("code", flat=True))
    client.post(
        detail + "documents/",
        {"received": codes, **{f"reference_{c}": f"REF-{c}" for c in codes}},
    )
    assert set(claim.documents.filter(received=True).values_list("code", flat=True)) == set(codes)
    assert claim.documents.get(code=codes[0]).reference == f"REF-{codes[0]}"
    html = client.get(detail).content.decode()
    assert 'id="amount" class="num big">22 000 FCFA' in html
    assert "arrondi(50 000 FCFA × 44 % ÷ 100)" in html  # the trace, with its numbers
    assert "CNSS-BJ old_age 2000-01-01" in html
    client.post(detail + "submit/")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    pdf = client.get(detail + "trace.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "22 000 FCFA" in text and "Détail du calcul" in text


def test_opening_with_a_bad_date_names_the_field_and_creates_nothing(bj, client):
    client.force_login(bj["officer"])
    url = f"/benefits/persons/{bj['person'].pk}/claims/new/"
    response = client.post(url, {"kind": "pension", "claim_date": "32/01/2026"})
    assert response.status_code == 400
    assert "Date de la demande invalide : jj/mm/aaaa attendu" in response.content.decode()
    future = (timezone.localdate() + dt.timedelta(days=3)).strftime("%d/%m/%Y")
    response = client.post(url, {"kind": "pension", "claim_date": future})
    assert response.status_code == 400
    assert "ne peut pas être dans le futur" in response.content.decode()
    assert Claim.objects.count() == 0


def test_approver_queue_approval_and_notification(bj, client):
    claim = submitted(bj)
    client.force_login(bj["small"])  # a delegation below 22,000: not in the queue, cannot approve
    assert claim.reference not in client.get("/benefits/approvals/").content.decode()
    page = client.post(f"/benefits/claims/{claim.pk}/approve/", follow=True).content.decode()
    assert "Aucune délégation de signature" in page
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    assert client.get(f"/benefits/claims/{claim.pk}/notification.pdf").status_code == 404
    client.force_login(bj["approver"])
    assert claim.reference in client.get("/benefits/approvals/").content.decode()
    client.post(f"/benefits/claims/{claim.pk}/approve/")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED and claim.decided_by == bj["approver"]
    response = client.get(f"/benefits/claims/{claim.pk}/notification.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Notification d'attribution" in text
    assert "22 000 FCFA" in text and "01/02/2026" in text  # amount and start date
    assert "Comment contester cette décision" in text
    # a revision under way: the approved award still stands, its notification too
    client.force_login(bj["officer"])
    client.post(f"/benefits/claims/{claim.pk}/revise/")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.COMPUTED
    assert 'id="notification-pdf"' in client.get(f"/benefits/claims/{claim.pk}/").content.decode()
    response = client.get(f"/benefits/claims/{claim.pk}/notification.pdf")
    assert response.status_code == 200
    assert "22 000 FCFA" in "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages
    )


def test_the_officer_who_computed_cannot_approve(bj, client):
    claim = submitted(bj)
    client.force_login(bj["officer"])
    assert client.post(f"/benefits/claims/{claim.pk}/approve/").status_code == 403
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


def test_reject_needs_a_reason(bj, client):
    claim = submitted(bj)
    client.force_login(bj["approver"])
    response = client.post(f"/benefits/claims/{claim.pk}/reject/", {"reason": "  "})
    assert response.status_code == 400
    assert "Le motif du rejet est obligatoire." in response.content.decode()
    claim.refresh_from_db()
    assert (claim.status, claim.rejection_reason) == (ClaimStatus.SUBMITTED, "")
    client.post(f"/benefits/claims/{claim.pk}/reject/", {"reason": "Acte de naissance illisible"})
    claim.refresh_from_db()
    assert (claim.status, claim.rejection_reason) == (
        ClaimStatus.REJECTED,
        "Acte de naissance illisible",
    )


def test_list_filters_by_status_and_pages(bj, client):
    submitted(bj)
    client.force_login(bj["officer"])
    assert "DP-" in client.get("/benefits/claims/", {"status": "submitted"}).content.decode()
    html = client.get("/benefits/claims/", {"status": "approved"}).content.decode()
    assert "Aucune demande." in html
    assert client.get("/benefits/claims/", {"page": "999"}).status_code == 200


def test_menu_entry_only_for_who_may_open_it(bj, make_user, client):
    client.force_login(bj["officer"])
    assert 'href="/benefits/claims/"' in client.get("/benefits/claims/").content.decode()
    agent = make_user(bj["org"], "registration_agent")
    client.force_login(agent)
    assert 'href="/benefits/claims/"' not in client.get("/search/").content.decode()
    assert client.get("/benefits/claims/").status_code == 403
    assert client.get("/benefits/approvals/").status_code == 403


def test_a_rule_that_does_not_cover_the_career_is_a_message_not_a_500(zone, make_user, client):
    """IPRES-SN's price of a point starts in 2000: a month proven in 1995 has no price. The
    computation is refused with the reason; the claim stays opened, with no computation."""
    rules_seed()
    benefits_seed()
    org = zone["IPRES-SN"]
    person = person_register(
        organisation=org,
        data={
            "family_name": "Ndiaye",
            "given_names": "Modou",
            "sex": "M",
            "birth_date": dt.date(1960, 3, 1),
        },
    )
    officer = make_user(org, "benefits_officer")
    claim = claims.claim_open(
        person=person, kind="pension", claim_date=dt.date(2026, 1, 15), user=officer
    )
    claims.claim_add_proven_period(
        claim=claim,
        period="1995-06",
        gross_salary=100000,
        document_reference="CT-1995",
        user=officer,
    )
    client.force_login(officer)
    page = client.post(f"/benefits/claims/{claim.pk}/compute/", follow=True)
    assert page.status_code == 200
    assert (
        "Calcul impossible avec la règle en vigueur : points.price_by_year" in page.content.decode()
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.OPENED and not claim.liquidations.exists()


def test_the_list_costs_the_same_queries_for_one_claim_or_many(bj, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    submitted(bj)
    client.force_login(bj["officer"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/benefits/claims/").status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for n in range(3):
        other = person_register(
            organisation=bj["org"],
            data={
                "family_name": "Agossou",
                "given_names": f"Koffi {n}",
                "sex": "M",
                "birth_date": dt.date(1960, 1, 1),
            },
        )
        claims.claim_open(
            person=other, kind="pension", claim_date=dt.date(2026, 1, 15), user=bj["officer"]
        )
    assert count() == one
