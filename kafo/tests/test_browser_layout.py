"""Layout from a 360 px phone to a 1,920 px screen (issue 18), in a real browser.

The two widest staff pages: the rules page (13 columns; it was 1,640 px wide on a 1,366 px
screen) and a declaration with its calculation breakdown (8 columns of amounts). At every
width the page is no wider than the screen (its tables scroll inside their card) and no amount
cell wraps ("263 725 FCFA" on one line, not three).
"""

import datetime as dt

import pytest

from conftest import login_in_browser
from kafo.contributions.models import Declaration
from kafo.registry.services import employer_register, person_register
from kafo.rules.services import rules_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (360, 390, 768, 1366, 1920)

# Amount cells rendered on more than one line (a Range over the text gives one rect a line).
WRAPPED_AMOUNTS = """() => [...document.querySelectorAll('td.num')].filter(td => {
  const range = document.createRange(); range.selectNodeContents(td);
  const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
  return tops.size > 1;
}).map(td => td.textContent.trim())"""


def test_wide_pages_fit_every_screen_and_amounts_never_wrap(browser_page, zone, client, make_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kafo.contributions.tests.conftest import csv_of

    rules_seed()
    org = zone["CNPS-CI"]
    employer = employer_register(organisation=org, data={"legal_name": "SOTRA", "risk_class": 3})
    person = person_register(
        organisation=org,
        data={
            "family_name": "Kouassi",
            "given_names": "Yao",
            "sex": "M",
            "birth_date": dt.date(1985, 3, 2),
        },
    )
    client.force_login(make_user(org, "employer", employer=employer))
    dns = SimpleUploadedFile("dns.csv", csv_of(employer, person), "text/csv")
    resp = client.post(
        "/contributions/declarations/new/", {"period": "2025-03", "kind": "original", "file": dns}
    )
    assert resp.status_code == 302
    declaration = Declaration.objects.get(employer=employer)
    make_user(org, "contributions_manager", username="ci.gestionnaire")

    page = browser_page
    login_in_browser(page, "ci.gestionnaire")
    faults = []
    for url in ("/rules/", f"/contributions/declarations/{declaration.pk}/"):
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(url)
            page.wait_for_load_state("load")
            too_wide = page.evaluate(
                "() => document.documentElement.scrollWidth - window.innerWidth"
            )
            if too_wide > 0:
                faults.append(f"{url} is {too_wide} px wider than a {width} px screen")
            wrapped = page.evaluate(WRAPPED_AMOUNTS)
            if wrapped:
                faults.append(f"{url} at {width} px wraps {wrapped[:3]}")
    assert page.locator("td.num").count() > 10
    assert faults == []
