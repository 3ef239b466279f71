"""Account, certificate and career pages and API: who sees what, exact figures, public check."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from kafo.accounts.models import ApiToken
from kafo.contributions import ledger, selectors
from kafo.contributions.models import Certificate, DeclarationLine, Payment, PendingRegistration
from kafo.contributions.services import declaration_submit, pending_registration_resolve
from kafo.registry.services import employer_register, person_register
from kafo.rules.services import rules_seed

D = Decimal
d = dt.date


@pytest.fixture
def sn(zone, make_user):
    """IPRES-SN: an employer that declared January 2025 (42,000) and paid it on time."""
    rules_seed()
    org = zone["IPRES-SN"]
    employer = employer_register(organisation=org, data={"legal_name": "SONATEL", "risk_class": 1})
    other = employer_register(organisation=org, data={"legal_name": "SENELEC", "risk_class": 1})
    person = person_register(
        organisation=org,
        data={
            "family_name": "Ndiaye",
            "given_names": "Fatou",
            "sex": "F",
            "birth_date": d(1988, 5, 4),
        },
    )
    declaration_submit(
        employer=employer,
        period="2025-01",
        rows=[
            {
                "worker_number": person.number,
                "family_name": "Ndiaye",
                "given_names": "Fatou",
                "days_worked": 31,
                "gross_salary": 300000,
            }
        ],
    )
    ledger.payment_record(
        employer=employer, amount=42000, paid_on=d(2025, 2, 5), method="bank", reference="VIR-1"
    )
    return {
        "org": org,
        "employer": employer,
        "other": other,
        "person": person,
        "agent": make_user(org, "contributions_manager"),
        "portal": make_user(org, "employer", username="sonatel", employer=employer),
        "other_portal": make_user(org, "employer", username="senelec", employer=other),
    }


def test_account_page_for_agent_and_own_employer_only(sn, client):
    url = reverse("contributions-account-detail", kwargs={"pk": sn["employer"].pk})
    client.force_login(sn["agent"])
    page = client.get(url).content.decode()
    assert '<span id="balance">0 FCFA</span>' in page
    assert "42 000 FCFA" in page
    client.force_login(sn["portal"])
    assert client.get(url).status_code == 200
    assert client.get(reverse("contributions-account-list")).url == url
    assert (
        client.get(
            reverse("contributions-payment-new", kwargs={"pk": sn["employer"].pk})
        ).status_code
        == 403
    )
    client.force_login(sn["other_portal"])
    assert client.get(url).status_code == 404


def test_account_list_page_queries_do_not_grow(sn, client, django_assert_max_num_queries):
    client.force_login(sn["agent"])
    with django_assert_max_num_queries(8):
        page = client.get(reverse("contributions-account-list")).content.decode()
    assert "SONATEL" in page


def test_payment_form_records_and_refuses(sn, client):
    client.force_login(sn["agent"])
    url = reverse("contributions-payment-new", kwargs={"pk": sn["employer"].pk})
    bad = client.post(
        url, {"paid_on": "01/03/2025", "amount": "5000", "method": "bank", "reference": ""}
    )
    assert (
        bad.status_code == 200
        and "La référence de l&#x27;opération est obligatoire." in bad.content.decode()
    )
    assert Payment.objects.count() == 1
    ok = client.post(
        url,
        {
            "paid_on": "01/03/2025",
            "amount": "5 000",
            "method": "mobile_money",
            "reference": "OM-55",
        },
    )
    assert ok.status_code == 302
    p = Payment.objects.get(reference="OM-55")
    assert (p.amount, p.paid_on, p.recorded_by) == (D(5000), d(2025, 3, 1), sn["agent"])


def test_statement_import_page_reports_lines(sn, client):
    client.force_login(sn["agent"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = f"date;amount;employer_number;reference\n01/03/2025;abc;{sn['employer'].number};B1\n"
    page = client.post(
        reverse("contributions-statement-import"),
        {"file": SimpleUploadedFile("r.csv", content.encode())},
    ).content.decode()
    assert "Relevé refusé" in page and "<td>2</td><td>amount</td><td>abc</td>" in page
    assert Payment.objects.count() == 1


def test_statement_and_certificate_pdfs(sn, client):
    client.force_login(sn["portal"])
    pdf = client.get(
        reverse("contributions-account-statement-pdf", kwargs={"pk": sn["employer"].pk})
    )
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    issue = client.post(
        reverse("contributions-certificate-issue", kwargs={"pk": sn["employer"].pk})
    )
    assert issue.status_code == 302
    cert = Certificate.objects.get()
    assert cert.issued_by == sn["portal"]
    pdf = client.get(reverse("contributions-certificate-pdf", kwargs={"pk": cert.pk}))
    assert pdf.content.startswith(b"%PDF")
    client.force_login(sn["other_portal"])
    assert (
        client.get(reverse("contributions-certificate-pdf", kwargs={"pk": cert.pk})).status_code
        == 404
    )


def test_public_verification_valid_unknown_revoked_expired(sn, client):
    cert = ledger.certificate_issue(employer=sn["employer"])
    url = reverse("contributions-certificate-check", kwargs={"code": cert.code})
    page = client.get(url)  # anonymous
    body = page.content.decode()
    assert page.status_code == 200
    assert "Attestation authentique et valide" in body
    assert "SONATEL" in body and sn["employer"].number in body and "IPRES-SN" in body
    assert "42 000" not in body and "VIR-1" not in body  # nothing of the account
    # typed with dashes and lower case, through the form
    typed = f"{cert.code[:4].lower()}-{cert.code[4:8]}-{cert.code[8:]}"
    assert client.get(reverse("contributions-certificate-verify"), {"code": typed}).url == url

    unknown = client.get(
        reverse("contributions-certificate-check", kwargs={"code": "ZZZZZZZZZZZZ"})
    )
    assert unknown.status_code == 404
    assert "Aucune attestation ne porte ce code" in unknown.content.decode()

    ledger.certificate_revoke(certificate=cert, reason="chèque impayé")
    assert "Attestation révoquée" in client.get(url).content.decode()

    old = ledger.certificate_issue(employer=sn["employer"], today=d(2025, 2, 10))
    assert old.valid_until == d(2025, 5, 11)
    expired = client.get(reverse("contributions-certificate-check", kwargs={"code": old.code}))
    assert "Attestation expirée" in expired.content.decode()


def test_revoke_needs_a_reason_and_an_agent(sn, client):
    cert = ledger.certificate_issue(employer=sn["employer"])
    url = reverse("contributions-certificate-revoke", kwargs={"pk": cert.pk})
    client.force_login(sn["portal"])
    assert client.post(url, {"reason": "x"}).status_code == 403
    client.force_login(sn["agent"])
    assert client.post(url, {"reason": ""}).status_code == 200
    cert.refresh_from_db()
    assert cert.revoked_on is None
    assert client.post(url, {"reason": "virement rejeté"}).status_code == 302
    cert.refresh_from_db()
    assert cert.revoke_reason == "virement rejeté"


def _bearer(user):
    _token, raw = ApiToken.issue(user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_account_and_payment(sn, client):
    headers = _bearer(sn["agent"])
    url = reverse("api:contributions-account-read", kwargs={"employer_id": sn["employer"].pk})
    body = client.get(url, **headers).json()
    assert body["balance"] == "0" and body["in_good_standing"] is True
    # by date: the payment of 05/02 came before the due date of 10/02
    assert [(e["kind"], e["date"], e["amount"], e["balance"]) for e in body["entries"]] == [
        ("payment", "2025-02-05", "-42000", "-42000"),
        ("contribution", "2025-02-10", "42000", "0"),
    ]
    pay = reverse("api:contributions-payment-record")
    payload = {
        "employer_number": sn["employer"].number,
        "paid_on": "2025-03-01",
        "amount": "10000",
        "method": "cash",
        "reference": "R-7",
    }
    created = client.post(pay, payload, content_type="application/json", **headers)
    assert created.status_code == 201 and created.json()["amount"] == "10000"
    again = client.post(pay, payload, content_type="application/json", **headers)
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "reference"
    assert Payment.objects.count() == 2
    portal = _bearer(sn["portal"])
    assert (
        client.post(
            pay, payload | {"reference": "R-8"}, content_type="application/json", **portal
        ).status_code
        == 403
    )
    assert Payment.objects.count() == 2


def test_career_from_lines_in_force_and_resolved_pending(sn, client):
    employer, person = sn["employer"], sn["person"]
    # February: the worker, and an unknown one identified by national id (pending)
    rows = [
        {
            "worker_number": person.number,
            "family_name": "Ndiaye",
            "given_names": "Fatou",
            "days_worked": 28,
            "gross_salary": 300000,
        },
    ]
    declaration_submit(employer=employer, period="2025-02", rows=rows)
    # a corrective for February replaces the first one (salary 350,000)
    declaration_submit(
        employer=employer,
        period="2025-02",
        kind="corrective",
        rows=[rows[0] | {"gross_salary": 350000}],
    )
    # April at another employer, under a national id not yet registered
    declaration_submit(
        employer=sn["other"],
        period="2025-04",
        rows=[
            {
                "national_id": "1234567890123",
                "family_name": "Ndiaye",
                "given_names": "Fatou",
                "days_worked": 30,
                "gross_salary": 200000,
            }
        ],
    )
    career = selectors.person_career(person=person)
    org = career["organisations"][0]
    assert [(p["period"], p["gross_salary"]) for p in org["periods"]] == [
        ("2025-01", D(300000)),
        ("2025-02", D(350000)),
    ]
    pending = PendingRegistration.objects.get()
    pending_registration_resolve(pending=pending, person=person)
    assert DeclarationLine.objects.filter(person=person).count() == 4  # incl. the superseded one
    career = selectors.person_career(person=person)
    org = career["organisations"][0]
    assert (org["organisation"], org["months"], org["days"], org["total_salary"]) == (
        "IPRES-SN",
        3,
        89,
        D(850000),
    )
    assert [(s["employer_name"], s["start"], s["end"], s["months"]) for s in org["spans"]] == [
        ("SONATEL", "2025-01", "2025-02", 2),
        ("SENELEC", "2025-04", "2025-04", 1),
    ]
    # contributions of a line: 14 % of the salary (8.4 + 5.6)
    assert [p["contributions"] for p in org["periods"]] == [D(42000), D(49000), D(28000)]

    reader = sn["agent"]
    headers = _bearer(reader)
    api = client.get(
        reverse("api:api-person-career", kwargs={"person_id": person.pk}), **headers
    ).json()
    assert api["months"] == 3 and api["total_salary"] == "850000"
    assert api["organisations"][0]["spans"][1]["employer_number"] == sn["other"].number
    client.force_login(reader)
    page = client.get(
        reverse("contributions-person-career", kwargs={"pk": person.pk})
    ).content.decode()
    assert "3 mois d&#x27;assurance" in page or "3 mois d'assurance" in page
    assert "850 000 FCFA" in page
    client.force_login(sn["portal"])  # an employer does not read careers
    assert (
        client.get(reverse("contributions-person-career", kwargs={"pk": person.pk})).status_code
        == 403
    )


def test_statement_import_message_says_one_payment_in_the_singular(sn, client):
    """Issue 18: "1 paiements enregistrés" read wrong; the count agrees with its noun."""
    client.force_login(sn["agent"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = f"date;amount;employer_number;reference\n01/03/2025;7000;{sn['employer'].number};B9\n"
    page = client.post(
        reverse("contributions-statement-import"),
        {"file": SimpleUploadedFile("r.csv", content.encode())},
        follow=True,
    ).content.decode()
    assert "1 paiement enregistré." in page
    assert "paiements enregistrés" not in page
