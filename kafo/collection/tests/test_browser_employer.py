"""In a real browser: an employer portal user sees a missing period and the amount due on its
own page, declares the period from there, and the non-filers list of a contributions manager no
longer shows it (issue 16, §4)."""

import datetime as dt

import pytest

from conftest import login_in_browser
from kafo.collection import selectors
from kafo.contributions.domain import periods
from kafo.contributions.services import declaration_submit
from kafo.contributions.templatetags.money import fcfa
from kafo.registry.services import employer_register, person_register
from kafo.rules.services import rules_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _quarter_before(period: str) -> str:
    start, _end = periods.parse(period)
    day = start - dt.timedelta(days=1)
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def test_employer_sees_a_missing_period_declares_it_and_leaves_the_non_filers(
    browser_page, zone, make_user, tmp_path
):
    rules_seed()
    org = zone["CNPS-CI"]  # quarterly below 20 workers, due the 15th of the next month
    today = dt.date.today()
    current = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    missing = _quarter_before(_quarter_before(current))  # ended months ago: past its due date
    declared = _quarter_before(missing)
    employer = employer_register(
        organisation=org,
        data={
            "legal_name": "SOTRA",
            "risk_class": 1,
            "registered_on": periods.parse(declared)[0],
        },
    )
    person = person_register(
        organisation=org,
        data={
            "family_name": "Koné",
            "given_names": "Awa",
            "sex": "F",
            "birth_date": dt.date(1990, 1, 1),
        },
    )
    line = {
        "worker_number": person.number,
        "family_name": "Koné",
        "given_names": "Awa",
        "days_worked": 90,
        "gross_salary": 300000,
    }
    declaration_submit(employer=employer, period=declared, rows=[line])
    assert missing in [p.period for p in selectors.missing_declarations(employer)]
    make_user(org, "employer", username="sotra", employer=employer)
    make_user(org, "contributions_manager", username="cnps.recouvrement")
    label = f"T{missing[-1]} {missing[:4]}"
    page = browser_page

    # 0. the contributions manager sees SOTRA among the non-filers of the period
    login_in_browser(page, "cnps.recouvrement")
    page.goto(f"/collection/non-filers/?period={missing}")
    assert "SOTRA" in page.inner_text("main")
    page.click("button:has-text('Se déconnecter')")

    # 1. the employer lands on its own page: the missing period, the amount due
    login_in_browser(page, "sotra")
    page.wait_for_url("**/employer/")
    assert label in page.inner_text("#missing-declarations")
    amount_due = page.inner_text("#amount-due")
    assert amount_due.endswith("FCFA") and amount_due != fcfa(0)

    # 2. it declares the period from there (the form comes with the period filled in)
    page.click(f'#missing-declarations a[href$="period={missing}"]')
    page.wait_for_url("**/contributions/declarations/new/**")
    assert page.input_value("#id_period") == missing
    csv_file = tmp_path / "dns.csv"
    csv_file.write_text(
        "Numéro employeur;Période;Numéro salarié;Nom;Prénoms;Jours travaillés;Salaire brut\n"
        f"{employer.number};{missing};{person.number};Koné;Awa;90;300000\n",
        encoding="utf-8",
    )
    page.set_input_files("#id_file", str(csv_file))
    page.click("form.card button")
    page.wait_for_url("**/contributions/declarations/*/")
    page.goto("/employer/")
    assert page.locator("#missing-declarations").count() == 0 or label not in page.inner_text(
        "#missing-declarations"
    )

    # 3. the contributions manager's non-filers of that period no longer list it
    page.click("button:has-text('Se déconnecter')")
    login_in_browser(page, "cnps.recouvrement")
    page.goto(f"/collection/non-filers/?period={missing}")
    assert label in page.inner_text("main")  # the page of that period
    assert "SOTRA" not in page.inner_text("main")
