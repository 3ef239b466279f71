"""Every role's first hour (issue 18), walked in a real browser.

One user per demo role on a small seeded zone logs in and follows every link of the navigation
and of the page it lands on (its dashboard): no 403, 404 or 500; no horizontal scroll on a
390 px phone nor on a 1,366 px screen; no raw code or English word on a French page
(kafo/tests/i18n_words.py). Every fault is collected, so a failure lists them all.

On the main of issue 18's morning (356ca95) this fails: the menu gave registration agents
"Comptes", approvers and payment officers "Déclarations" and "Comptes" (403), and the employer
portal user the header search (403).
"""

import datetime as dt
from urllib.parse import urlsplit

import pytest

from conftest import login_in_browser
from kafo.registry import services
from kafo.tests.i18n_words import forbidden_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1366)
# Files, not pages: their status is checked, they are not opened as pages.
FILE_SUFFIXES = (".pdf", ".xlsx", ".csv", ".zip", ".xml")
STAFF_ROLES = (
    "registration_agent",
    "contributions_manager",
    "benefits_officer",
    "approver",
    "payment_officer",
    "director",
)


def _small_zone(zone, make_user):
    """One organisation with a worker, his employer, and one user per demo role."""
    org = zone["INPS-ML"]
    person = services.person_register(
        organisation=org,
        data={
            "family_name": "Keita",
            "given_names": "Awa",
            "sex": "F",
            "birth_date": dt.date(1962, 5, 4),
        },
    )
    employer = services.employer_register(organisation=org, data={"legal_name": "SOMAPIL"})
    services.employment_add(
        person=person, data={"employer": employer, "start_date": dt.date(1990, 1, 1)}
    )
    users = [make_user(org, role, username=f"h.{role}") for role in STAFF_ROLES]
    users.append(make_user(None, "zone_admin", username="h.zone_admin"))
    users.append(make_user(org, "employer", username="h.employer", employer=employer))
    users.append(make_user(org, "insured", username="h.insured", person=person))
    return users


def _links(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
    links = []
    for href in hrefs:
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        parts = urlsplit(href)
        if parts.netloc:  # another site
            continue
        links.append(href)
    return links


def _check_page(page, username: str, url: str, faults: list[str]) -> None:
    answer = page.request.get(url, max_redirects=5)
    if answer.status >= 400:
        faults.append(f"{username}: {url} → {answer.status}")
        return
    kind = answer.headers.get("content-type", "")
    if "text/html" not in kind or urlsplit(url).path.endswith(FILE_SUFFIXES):
        return
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        page.wait_for_load_state("load")
        too_wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        if too_wide > 0:
            faults.append(f"{username}: {url} is {too_wide} px wider than a {width} px screen")
    if page.evaluate("() => document.documentElement.lang") == "fr":
        words = forbidden_in(page.content())
        if words:
            faults.append(f"{username}: {url} shows {words}")


def test_every_role_follows_every_link_of_its_menu_and_dashboard(browser_page, zone, make_user):
    page = browser_page
    users = _small_zone(zone, make_user)
    faults: list[str] = []
    for user in users:
        page.context.clear_cookies()
        page.set_viewport_size({"width": 1366, "height": 900})
        login_in_browser(page, user.username)
        landing = urlsplit(page.url).path
        links = _links(page, "header.topbar a, main a")
        assert links, f"{user.username}: no link on {landing}"
        # the header search box opens the search page: only for who may open it
        if page.locator("form.quicksearch").count():
            links.append("/search/?q=keita")
        seen = set()
        for url in [landing, *links]:
            if url in seen:
                continue
            seen.add(url)
            _check_page(page, user.username, url, faults)
    assert faults == [], "\n".join(faults)


def test_the_menu_folds_on_a_phone_and_opens_with_its_button(browser_page, zone, make_user):
    page = browser_page
    _small_zone(zone, make_user)
    login_in_browser(page, "h.director")
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/")
    menu = page.locator("#main-nav")
    assert not menu.is_visible()
    page.click("[data-menu-toggle]")
    assert menu.is_visible()
    assert page.get_attribute("[data-menu-toggle]", "aria-expanded") == "true"
    page.click("[data-menu-toggle]")
    assert not menu.is_visible()
    page.set_viewport_size({"width": 1366, "height": 800})
    assert menu.is_visible()
    assert not page.locator("[data-menu-toggle]").is_visible()
