"""The pages pass their Content-Security-Policy in a real browser (issue 12, finding 8): no
refused script, style or handler, and the behaviours moved to kafo/static/kafo/kafo.js work."""

import datetime as dt

import pytest

from conftest import login_in_browser
from kafo.registry import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_raise_no_policy_violation_and_their_behaviours_work(browser_page, zone, make_user):
    page = browser_page
    violations = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    org = zone["INPS-ML"]
    make_user(org, "registration_agent", "director", username="awa.agent")
    person = services.person_register(
        organisation=org,
        data={
            "family_name": "Keita",
            "given_names": "Awa",
            "sex": "F",
            "birth_date": dt.date(1970, 1, 1),
        },
    )
    employer = services.employer_register(organisation=org, data={"legal_name": "SOMAPIL"})
    services.employment_add(
        person=person, data={"employer": employer, "start_date": dt.date(1995, 1, 1)}
    )
    login_in_browser(page, "awa.agent")
    pages = ["/", f"/persons/{person.pk}/", "/search/?q=keita", "/rules/", "/governance/follow-up/"]
    for path in [*pages, "/api/docs"]:
        page.goto(path)
        page.wait_for_load_state("networkidle")

    # <button data-confirm>: dismissing the question keeps the employment.
    page.goto(f"/persons/{person.pk}/?tab=employments")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("text=supprimer")
    page.wait_for_load_state("networkidle")
    assert "SOMAPIL" in page.inner_text("main")
    assert person.employments.count() == 1

    # <select data-autosubmit>: the language menu switches the page to English.
    page.select_option("select[name=language]", "en")
    page.wait_for_selector("html[lang=en]")
    assert violations == []
