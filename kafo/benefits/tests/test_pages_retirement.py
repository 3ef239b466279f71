"""The retirement page on an insured person's record: what is due on a date, the next dates,
the readable trace, the PDF; refused to the roles and organisations that may not see it."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from kafo.benefits.demo import Job, declare_careers
from kafo.benefits.services import benefits_seed
from kafo.registry.services import employer_register, person_register
from kafo.rules.services import rules_seed

TODAY = dt.date(2026, 1, 15)


@pytest.fixture
def ml(zone):
    rules_seed()
    benefits_seed()
    org = zone["INPS-ML"]
    employer = employer_register(organisation=org, data={"legal_name": "HUICOMA", "risk_class": 1})
    person = person_register(
        organisation=org,
        data={
            "family_name": "Coulibaly",
            "given_names": "Mamadou",
            "sex": "M",
            "birth_date": dt.date(1962, 11, 3),
        },
    )
    declare_careers(
        organisation=org,
        jobs=[Job(employer, person, "2010-01", "2025-12", 150000, raise_percent=0)],
        today=TODAY,
    )
    return {"org": org, "person": person, "employer": employer}


def url(person, suffix=""):
    return f"/benefits/persons/{person.pk}/retirement/{suffix}"


def test_officer_sees_the_pension_and_its_trace(ml, make_user, client):
    """INPS-ML, 192 months 2010-01..2025-12 at 150,000: reference salary = average of the last
    96 months = 150,000; rate 26 % + 2 % × floor((192 − 120) / 12) = 26 + 12 = 38 %;
    150,000 × 38 % = 57,000 a month (above the 44,397 minimum). Age 63 ≥ 58."""
    client.force_login(make_user(ml["org"], "benefits_officer"))
    page = client.get(url(ml["person"]), {"on": "15/01/2026", "children": "0"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="monthly-amount" class="num big">57 000 FCFA' in html
    assert "pension de vieillesse" in html
    # the trace: each step with its numbers, the parameters with version and source
    assert "arrondi(150 000 FCFA × 38 % ÷ 100)" in html
    assert "INPS-ML old_age 2019-07-05" in html
    assert "hypothèse" in html  # the reference period (CONFLICT) is an assumption
    assert "96 salaires mensuels" in html
    assert "Âge au 15/01/2026" in html


def test_the_page_speaks_english_when_chosen(ml, make_user, client):
    client.force_login(make_user(ml["org"], "benefits_officer"))
    client.cookies["django_language"] = "en"
    html = client.get(url(ml["person"]), {"on": "15/01/2026", "children": "0"}).content.decode()
    assert "round(150 000 FCFA × 38 % ÷ 100)" in html
    assert "Monthly pension: reference salary × rate" in html
    assert "assumption" in html
    assert "<dt>Monthly amount</dt>" in html and "Next dates" in html  # the page's own words


def test_a_bad_date_is_named_in_french_and_nothing_is_computed(ml, make_user, client):
    client.force_login(make_user(ml["org"], "benefits_officer"))
    html = client.get(url(ml["person"]), {"on": "31/02/2026", "children": "-1"}).content.decode()
    assert "Date invalide : jj/mm/aaaa attendu (ex. 15/01/2026)." in html
    assert "Nombre d&#x27;enfants : un entier de 0 à 30." in html
    assert 'id="simulation-result"' not in html


def test_the_pdf_states_the_amount_and_the_trace(ml, make_user, client):
    client.force_login(make_user(ml["org"], "benefits_officer"))
    response = client.get(url(ml["person"], "pdf/"), {"on": "15/01/2026", "children": "0"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "57 000 FCFA" in text
    assert "INPS-ML old_age 2019-07-05" in text


def test_person_page_links_to_the_retirement_tab(ml, make_user, client):
    client.force_login(make_user(ml["org"], "registration_agent"))
    html = client.get(f"/persons/{ml['person'].pk}/").content.decode()
    assert f'href="{url(ml["person"])}"' in html


@pytest.mark.parametrize("roles", [(), ("employer",)])
def test_refused_to_who_may_not_read_careers(ml, make_user, client, roles):
    employer = ml["employer"] if roles else None
    client.force_login(make_user(ml["org"], *roles, employer=employer))
    assert client.get(url(ml["person"])).status_code == 403
    assert client.get(url(ml["person"], "pdf/")).status_code == 403


def test_another_organisation_gets_a_404(ml, zone, make_user, client):
    client.force_login(make_user(zone["IPRES-SN"], "benefits_officer"))
    assert client.get(url(ml["person"])).status_code == 404
