"""The employer's own page (issue 16, §4): what is due and when, the periods not yet declared,
the balance, how to pay, the notices received, the way to declare; every link opens.

CNPS-CI (quarterly below 20 workers, due the 15th of the month after the period). The employer
is registered on 01/10/2025, has declared T4 2025 and not T1 2026 (due 15/04/2026).
"""

import datetime as dt
import re

import pytest
from django.urls import reverse

from kafo.collection import portal_views
from kafo.contributions import selectors
from kafo.contributions.services import declaration_submit
from kafo.contributions.templatetags.money import fcfa
from kafo.registry.services import employer_register, person_register
from kafo.rules.services import rules_seed

d = dt.date
TODAY = d(2026, 5, 20)


@pytest.fixture
def ci(zone, monkeypatch):
    rules_seed()
    org = zone["CNPS-CI"]
    employer = employer_register(
        organisation=org,
        data={"legal_name": "Sotra", "registered_on": d(2025, 10, 1), "risk_class": 1},
    )
    person = person_register(
        organisation=org,
        data={"family_name": "Kone", "given_names": "Awa", "sex": "F", "birth_date": d(1990, 1, 1)},
    )
    monkeypatch.setattr(portal_views, "_today", lambda: TODAY)
    return {"org": org, "employer": employer, "person": person}


def _declare(ci, period, today, salary=300_000):
    p = ci["person"]
    return declaration_submit(
        employer=ci["employer"],
        period=period,
        rows=[
            {
                "worker_number": p.number,
                "family_name": p.family_name,
                "given_names": p.given_names,
                "days_worked": 90,
                "gross_salary": salary,
            }
        ],
        today=today,
    ).declaration


@pytest.fixture
def employer_client(client, ci, make_user):
    client.force_login(make_user(ci["org"], "employer", employer=ci["employer"]))
    return client


def test_the_employer_sees_what_is_missing_what_is_due_and_how_to_pay(ci, employer_client):
    _declare(ci, "2025-Q4", d(2026, 1, 10))
    owed = selectors.account_state(employer=ci["employer"], as_of=TODAY).balance
    page = employer_client.get(reverse("collection-employer-home"))
    assert page.status_code == 200
    html = page.content.decode()
    missing = re.search(r'<table id="missing-declarations">.*?</table>', html, re.S).group(0)
    assert re.findall(r"<td>([^<]*)</td><td>([^<]*)</td>", missing) == [("T1 2026", "15/04/2026")]
    assert "?period=2026-Q1" in missing
    amount = re.search(r'<span id="amount-due">([^<]*)</span>', html).group(1)
    assert (amount, owed) == (fcfa(owed), 67_403)  # contributions and late filing
    assert "CI000 01001 000000000001 00" in html and "Coordonnées de démonstration" in html
    assert f"référence {ci['employer'].number}" in html
    assert "Aucun avis reçu." in html


def test_every_link_of_the_page_opens_for_the_employer(ci, employer_client):
    html = employer_client.get(reverse("collection-employer-home")).content.decode()
    main = html.split("<main>", 1)[1]
    links = sorted(set(re.findall(r'href="(/[^"]*)"', main)))
    assert len(links) >= 4
    for href in links:
        assert employer_client.get(href.replace("&amp;", "&")).status_code == 200, href


def test_declaring_the_missing_period_takes_it_off_the_page(ci, employer_client):
    form = employer_client.get(reverse("contributions-declaration-new") + "?period=2026-Q1")
    assert 'value="2026-Q1"' in form.content.decode()
    _declare(ci, "2025-Q4", d(2026, 1, 10))
    _declare(ci, "2026-Q1", d(2026, 5, 1))
    html = employer_client.get(reverse("collection-employer-home")).content.decode()
    assert 'id="missing-declarations"' not in html
    assert "Aucune déclaration en retard." in html


def test_the_employer_lands_on_its_page(ci, employer_client):
    resp = employer_client.get(reverse("dashboard"))
    assert (resp.status_code, resp["Location"]) == (302, reverse("collection-employer-home"))
    html = employer_client.get(reverse("collection-employer-home")).content.decode()
    assert 'href="/employer/">Mon espace</a>' in html


@pytest.mark.parametrize("role", ["contributions_manager", "director"])
def test_staff_cannot_open_the_employer_page(ci, client, make_user, role):
    client.force_login(make_user(ci["org"], role))
    assert client.get(reverse("collection-employer-home")).status_code == 403
