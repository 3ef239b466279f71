"""An insured person, on a 390 px phone, logs in and reads "Ma retraite"."""

import pytest

from conftest import login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_insured_person_reads_my_retirement_on_a_phone(ml, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    login_in_browser(page, "inps-ml.assure")
    assert page.url.endswith("/me/retirement/")  # the landing page after login
    assert page.inner_text("h1") == "Ma retraite"
    assert page.locator("nav a").all_inner_texts() == [
        "Ma retraite",
        "Ma carrière",
        "Mes demandes",
        "Mes paiements",
        "Mon assurance volontaire",
    ]
    page.fill("#id_on", "15/01/2026")
    page.fill("#id_children", "0")
    page.click("#simulation-form button[type=submit]")
    page.wait_for_selector("#monthly-amount")
    assert page.inner_text("#monthly-amount") == "57 000 FCFA"
    assert page.locator("#trace .trace-step").count() > 3
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.click("[data-menu-toggle]")  # on a phone the menu is folded behind its button
    page.click("nav >> text=Ma carrière")
    page.wait_for_selector("section.career")
    assert "HUICOMA" in page.inner_text("section.career")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
