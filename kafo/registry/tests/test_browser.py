"""A registration agent's day in a real browser: log in, register, find by a misspelt name."""

import pytest

from conftest import login_in_browser
from kafo.registry.models import Employer, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_registers_employer_and_person_then_finds_them_misspelt(
    browser_page, zone, make_user
):
    page = browser_page
    make_user(zone["INPS-ML"], "registration_agent", username="awa.agent")
    login_in_browser(page, "awa.agent")

    page.click("text=Immatriculer un employeur")
    page.fill("#id_legal_name", "Boulangerie du Fleuve")
    page.select_option("#id_risk_class", "2")
    page.fill("#id_city", "Ségou")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Employeur immatriculé")
    employer = Employer.unscoped.get(legal_name="Boulangerie du Fleuve")

    page.goto("/persons/new/")
    page.fill("#id_family_name", "Coulibaly")
    page.fill("#id_given_names", "Mamadou")
    page.select_option("#id_sex", "M")
    page.fill("#id_birth", "1961")  # born about 1961
    page.fill("#id_birth_place", "Bamako")
    page.fill("#id_national_id", "123")  # wrong NINA format: field error, nothing saved
    page.click("button[type=submit]")
    assert "NINA invalide" in page.inner_text("[data-field=national_id]")
    assert Person.unscoped.count() == 0
    page.fill("#id_national_id", "12345678901234K")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Assuré immatriculé")
    assert "vers 1961" in page.inner_text("main")

    person = Person.unscoped.get()
    page.click("text=Emplois")
    page.click("text=Ajouter un emploi")
    page.fill("#id_employer_number", employer.number)
    page.fill("#id_start_date", "01/02/1990")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Emploi ajouté")

    page.fill("input[name=q]", "kulibali mahamadu")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("#person-results")
    results = page.inner_text("#person-results")
    assert person.number in results
    assert "COULIBALY Mamadou" in results

    page.click(f"text={person.number}")
    page.click("text=Historique")
    history = page.inner_text("table.history")
    assert "awa.agent" in history and "création" in history
