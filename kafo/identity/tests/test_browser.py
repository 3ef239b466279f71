"""An agent registering a worker already known in another country sees it while typing, with
nothing of the other record but its organisation's code; then decides a review item."""

import datetime as dt

import pytest

from conftest import login_in_browser
from kafo.identity import services
from kafo.identity.models import ReviewItem, ZoneLink
from kafo.registry.tests.factories import person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hint_while_registering_then_review_decision(browser_page, zone, make_user):
    known = person(
        zone["INPS-ML"],
        "Coulibaly",
        "Mamadou Lamine",
        birth_date=dt.date(1975, 3, 12),
        national_id="12345678901234K",
        mother_name="Awa Diarra",
    )
    make_user(zone["CNSS-BF"], "registration_agent", username="issa.agent")
    page = browser_page
    login_in_browser(page, "issa.agent")
    page.goto("/persons/new/")
    page.fill("#id_family_name", "KOULIBALY")
    page.fill("#id_given_names", "Mamadou")
    page.select_option("#id_sex", "M")
    page.fill("#id_birth", "12/03/1975")
    page.fill("#id_birth_place", "Bamako")
    page.press("#id_birth_place", "Tab")
    hint = page.wait_for_selector("#zone-hints .hint")
    text = hint.inner_text()
    assert "Un dossier de cette personne existe probablement à INPS-ML." in text
    assert "naissance" not in text and "probabilité" not in text
    for secret in ("Lamine", "12345678901234K", "Awa Diarra", known.number):
        assert secret not in page.content()

    page.click("button[type=submit]")
    page.wait_for_selector("text=Assuré immatriculé")
    new = known.__class__.unscoped.get(organisation=zone["CNSS-BF"])
    mine = ReviewItem.unscoped.create(
        organisation=zone["CNSS-BF"],
        person=new,
        other_person=known,
        other_organisation_code="INPS-ML",
        weight=1.5,
        agreements=["fam: same family name key", "date: same date"],
    )
    theirs = ReviewItem.unscoped.create(
        organisation=zone["INPS-ML"],
        person=known,
        other_person=new,
        other_organisation_code="CNSS-BF",
        weight=1.5,
        agreements=mine.agreements,
        twin=mine,
    )
    mine.twin = theirs
    mine.save()
    page.goto("/")
    page.click("nav >> text=Index de zone")
    page.click(f"a[href$='/{mine.pk}/']")
    assert "nom : même clé phonétique" in page.inner_text("main")
    page.click("button[value=same]")
    page.wait_for_selector("text=Les dossiers seront liés quand INPS-ML aura aussi répondu")
    theirs.refresh_from_db()
    assert theirs.status == "pending"  # INPS-ML answers for its own record
    assert not ZoneLink.unscoped.filter(person=known).exists()
    services.review_decide(item=theirs, same_person=True, user=None)
    assert (
        ZoneLink.unscoped.get(person=new).zone_person_id
        == ZoneLink.unscoped.get(person=known).zone_person_id
    )


def test_past_the_hint_limit_the_box_says_why(browser_page, zone, make_user, settings):
    """The refusal (a 429) is shown in the hints box, not silently dropped by htmx."""
    settings.KAFO_HINTS_PER_MINUTE = 1
    make_user(zone["CNSS-BF"], "registration_agent", username="awa.agent")
    page = browser_page
    login_in_browser(page, "awa.agent")
    page.goto("/persons/new/")
    page.fill("#id_family_name", "TRAORE")
    page.fill("#id_given_names", "Awa")
    page.select_option("#id_sex", "F")
    page.fill("#id_birth", "01/01/1990")
    page.press("#id_birth", "Tab")
    page.wait_for_load_state("networkidle")  # the look-ups of the first entry, answered
    with page.expect_response(lambda r: "hints" in r.url and r.status == 429, timeout=15_000):
        page.fill("#id_given_names", "Aminata")
        page.press("#id_given_names", "Tab")
    box = page.wait_for_selector("#zone-hints :text('Trop de recherches')", timeout=10_000)
    assert "Réessayez" in box.inner_text()
