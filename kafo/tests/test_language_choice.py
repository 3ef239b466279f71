"""French stays the default for a browser set to English; the user's choice wins; the API asks."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_browser_set_to_english_still_gets_french_pages(client):
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="fr">' in page
    assert "Se connecter" in page or "Connexion" in page


def test_the_language_chosen_in_the_menu_wins(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="en">' in page


def test_each_language_is_named_in_itself_in_the_menu(client):
    page = client.get("/login/").content.decode()
    assert ">English</option>" in page
    assert ">Français</option>" in page
    assert "Anglais" not in page


def test_the_api_answers_in_the_language_the_client_asks(client):
    response = client.get("/api/search?q=%00", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["errors"][0]["reason"].startswith("NUL character")
