"""The insured person's own pages: their career, their pension (the staff tab's amount), their
claims; only their links in the menu; nothing of anyone else's."""

import datetime as dt
import io
import re

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from kafo.accounts.models import User
from kafo.benefits import claims
from kafo.registry.tests.factories import person as make_person

ON = {"on": "15/01/2026", "children": "0"}


def test_my_career_shows_what_was_declared_in_my_name(ml, client):
    client.force_login(ml["user"])
    html = client.get("/me/career/").content.decode()
    assert "Ma carrière" in html and ml["person"].number in html
    assert "192 mois d'assurance, salaires déclarés 28 800 000 FCFA" in html  # 192 × 150,000
    assert "HUICOMA" in html
    assert "Voisin-Secret" not in html and "60 000 000" not in html  # the neighbour's


def test_my_retirement_is_the_staff_tabs_amount(ml, client, make_user):
    """INPS-ML, 192 months at 150,000: 38 % of 150,000 = 57,000 a month (worked in
    kafo/benefits/tests/test_pages_retirement.py); the insured's page shows the same."""
    client.force_login(make_user(ml["org"], "benefits_officer"))
    staff = client.get(f"/benefits/persons/{ml['person'].pk}/retirement/", ON)
    client.force_login(ml["user"])
    mine = client.get("/me/retirement/", ON)
    assert mine.status_code == 200
    amount = mine.context["retirement"].result.monthly_amount
    assert amount == staff.context["retirement"].result.monthly_amount == 57000
    html = mine.content.decode()
    assert 'id="monthly-amount" class="num big">57 000 FCFA' in html
    assert "arrondi(150 000 FCFA × 38 % ÷ 100)" in html  # the readable trace
    assert 'id="next-dates"' in html
    assert 'href="/me/retirement/pdf/?on=15%2F01%2F2026&amp;children=0"' in html
    assert f"/persons/{ml['person'].pk}/" not in html  # no link into the staff pages


def test_my_retirement_pdf(ml, client):
    client.force_login(ml["user"])
    response = client.get("/me/retirement/pdf/", ON)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Résultat : 57 000 FCFA" in text and "COULIBALY Mamadou" in text


def test_my_pages_in_english(ml, client):
    client.force_login(ml["user"])
    client.cookies["django_language"] = "en"
    html = client.get("/me/retirement/", ON).content.decode()
    assert "<h1>My pension</h1>" in html and ">My career</a>" in html and ">My claims</a>" in html
    assert "A simulation is not a decision" in html
    assert "<h1>My career</h1>" in client.get("/me/career/").content.decode()
    assert "No benefit claim in your name." in client.get("/me/claims/").content.decode()


def _nav_links(html: str) -> list[str]:
    nav = re.search(r"<nav id=\"main-nav\">(.*?)</nav>", html, re.S).group(1)
    return re.findall(r'href="([^"]+)"', nav)


def test_the_menu_shows_only_my_links(ml, client):
    client.force_login(ml["user"])
    html = client.get("/me/career/").content.decode()
    # INPS-ML offers voluntary insurance and the person holds no open salaried job: it may join
    assert _nav_links(html) == [
        "/me/retirement/",
        "/me/career/",
        "/me/claims/",
        "/me/payments/",
        "/insured/voluntary/",
    ]
    assert 'class="quicksearch"' not in html


def test_after_login_i_land_on_my_retirement(ml, client):
    from conftest import TEST_PASSWORD

    response = client.post(
        "/login/", {"username": "inps-ml.assure", "password": TEST_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1] == ("/me/retirement/", 302)
    assert response.status_code == 200 and 'id="simulation-result"' in response.content.decode()


def test_my_claims_and_their_status(ml, client, make_user):
    officer = make_user(ml["org"], "benefits_officer")
    mine = claims.claim_open(person=ml["person"], kind="pension", claim_date=_day(), user=officer)
    theirs = claims.claim_open(
        person=ml["neighbour"], kind="pension", claim_date=_day(), user=officer
    )
    client.force_login(ml["user"])
    html = client.get("/me/claims/").content.decode()
    assert mine.reference in html and theirs.reference not in html
    assert "ouverte" in html
    detail = client.get(f"/me/claims/{mine.pk}/")
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "Ouverte le" in body and officer.username not in body  # no staff identity
    # the neighbour's claim, a missing one: the same 404
    other = client.get(f"/me/claims/{theirs.pk}/")
    missing = client.get("/me/claims/999999/")
    assert other.status_code == missing.status_code == 404
    assert _main(other) == _main(missing)  # the same page


def _main(response) -> str:
    return re.search(r"<main>(.*?)</main>", response.content.decode(), re.S).group(1)


def _day():
    import datetime as dt

    return dt.date(2026, 1, 15)


def test_staff_pages_refuse_me(ml, client):
    client.force_login(ml["user"])
    pk = ml["person"].pk
    for url in (
        f"/persons/{pk}/",  # my own record, on the staff side
        f"/persons/{ml['neighbour'].pk}/",
        f"/benefits/persons/{pk}/retirement/",
        "/benefits/claims/",
        "/search/?q=Coulibaly",
    ):
        assert client.get(url).status_code == 403, url


def test_staff_do_not_open_the_insured_pages(ml, client, make_user):
    client.force_login(make_user(ml["org"], "benefits_officer"))
    assert client.get("/me/retirement/").status_code == 403


def test_an_insured_login_without_a_person_sees_no_record(zone, client, make_user):
    client.force_login(make_user(zone["INPS-ML"], "insured"))
    assert client.get("/me/retirement/").status_code == 404
    html = client.get("/").content.decode()
    assert "aucun dossier d'assuré" in html
    assert _nav_links(html) == []


def test_a_login_is_linked_only_to_a_person_of_its_organisation(ml, zone):
    """The link is validated (admin forms call full_clean); nothing is saved."""
    foreign = make_person(zone["CNPS-CI"])
    user = User(username="x.assure", organisation=ml["org"], person=foreign)
    with pytest.raises(ValidationError) as exc:
        user.full_clean()
    assert exc.value.message_dict["person"] == [
        "L'assuré doit être immatriculé à l'organisme de l'utilisateur."
    ]
    assert not User.objects.filter(username="x.assure").exists()


def _approved_claim(person, make_user, org, suffix):
    from kafo.benefits import claim_decisions

    officer = make_user(org, "benefits_officer", username=f"officer-{suffix}")
    director = make_user(org, "director", username=f"director-{suffix}")
    claim = claims.claim_open(person=person, kind="pension", claim_date=_day(), user=officer)
    claims.claim_compute(claim=claim, user=officer)
    for doc in claim.documents.filter(required=True):
        claims.claim_document_set(
            claim=claim, code=doc.code, received=True, user=officer, reference="P-1"
        )
    claims.claim_submit(claim=claim, user=officer)
    claim_decisions.claim_approve(claim=claim, user=director)
    claim.refresh_from_db()
    return claim


def test_i_download_my_award_notification_and_no_one_elses(ml, client, make_user):
    """Once approved, the insured person downloads their own award notification (the staff
    page's PDF); a neighbour's approved claim answers the same 404 as a missing one."""
    mine = _approved_claim(ml["person"], make_user, ml["org"], "a")
    theirs = _approved_claim(ml["neighbour"], make_user, ml["org"], "b")
    client.force_login(ml["user"])
    page = client.get(f"/me/claims/{mine.pk}/").content.decode()
    assert f"/me/claims/{mine.pk}/notification.pdf" in page
    pdf = client.get(f"/me/claims/{mine.pk}/notification.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert mine.reference in text and "57 000" in text
    assert client.get(f"/me/claims/{theirs.pk}/notification.pdf").status_code == 404
    assert client.get("/me/claims/999999/notification.pdf").status_code == 404


def test_no_notification_before_approval(ml, client, make_user):
    officer = make_user(ml["org"], "benefits_officer")
    claim = claims.claim_open(person=ml["person"], kind="pension", claim_date=_day(), user=officer)
    client.force_login(ml["user"])
    assert "notification.pdf" not in client.get(f"/me/claims/{claim.pk}/").content.decode()
    assert client.get(f"/me/claims/{claim.pk}/notification.pdf").status_code == 404


def test_a_salaried_insured_does_not_see_voluntary_insurance_in_the_menu(ml, client):
    """Voluntary insurance is for those not salaried: a person whose job is open today does not
    see the entry (the scheme would refuse the join)."""
    from kafo.registry.services import employment_add

    employment_add(
        person=ml["person"],
        data={"employer": ml["employer"], "start_date": dt.date(2010, 1, 1)},
    )
    client.force_login(ml["user"])
    html = client.get("/me/career/").content.decode()
    assert "/insured/voluntary/" not in _nav_links(html)
