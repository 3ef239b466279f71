import pytest
from django.urls import reverse

from kafo.audit.models import AuditEvent
from kafo.registry.models import Employer, Person

from .factories import employer, person


@pytest.fixture
def agent_client(client, zone, make_user):
    client.force_login(make_user(zone["INPS-ML"], "registration_agent"))
    return client


def test_person_form_shows_field_errors_and_saves_nothing(agent_client):
    response = agent_client.post(
        reverse("person-create"),
        {
            "family_name": "Diallo",
            "given_names": "Awa",
            "sex": "F",
            "birth": "31/02/1990",
            "national_id": "999",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "birth" in errors
    assert Person.objects.count() == 0


def test_person_born_in_the_future_is_refused_on_the_page(agent_client):
    response = agent_client.post(
        reverse("person-create"),
        {"family_name": "Diallo", "given_names": "Awa", "sex": "F", "birth": "01/01/2999"},
    )
    assert response.context["form"].errors["birth"] == [
        "La date de naissance ne peut pas être dans le futur."
    ]
    assert Person.objects.count() == 0


def test_invalid_national_id_is_a_field_error(agent_client):
    response = agent_client.post(
        reverse("person-create"),
        {
            "family_name": "Diallo",
            "given_names": "Awa",
            "sex": "F",
            "birth": "1990",
            "national_id": "ABC",
        },
    )
    assert "national_id" in response.context["form"].errors
    assert Person.objects.count() == 0


def test_register_then_edit_shows_in_history(agent_client):
    response = agent_client.post(
        reverse("person-create"),
        {"family_name": "Diallo", "given_names": "Awa", "sex": "F", "birth": "03/1990"},
        REMOTE_ADDR="10.1.2.3",
    )
    p = Person.objects.get()
    assert response.url == reverse("person-detail", kwargs={"pk": p.pk})
    assert p.birth_date_precision == "month"
    agent_client.post(
        reverse("person-edit", kwargs={"pk": p.pk}),
        {"family_name": "Diallo", "given_names": "Awa Binta", "sex": "F", "birth": "03/1990"},
    )
    page = agent_client.get(reverse("person-detail", kwargs={"pk": p.pk}) + "?tab=history")
    events = list(page.context["events"])
    assert [e.action for e in events] == ["update", "create"]
    assert events[0].changes == {"given_names": ["Awa", "Awa Binta"]}
    assert events[1].ip_address == "10.1.2.3"
    assert "Awa Binta" in page.content.decode()
    # the changed field by its name, not its code (issue 18)
    assert "<b>prénoms</b> : Awa → Awa Binta" in page.content.decode()
    assert "given_names" not in page.content.decode()


def test_child_before_parent_is_a_field_error_on_the_page(agent_client, zone):
    p = person(zone["INPS-ML"])
    response = agent_client.post(
        reverse("dependant-add", kwargs={"pk": p.pk}),
        {
            "relationship": "child",
            "family_name": "Coulibaly",
            "given_names": "Issa",
            "sex": "M",
            "birth": "1960",
            "filiation": "legitimate",
        },
    )
    assert "birth" in response.context["form"].errors
    assert p.dependants.count() == 0


def test_duplicate_employer_number_is_a_field_error(agent_client, zone):
    e = employer(zone["INPS-ML"])
    response = agent_client.post(
        reverse("employer-create"),
        {"number": e.number, "legal_name": "Autre SARL", "risk_class": 1, "status": "active"},
    )
    assert "number" in response.context["form"].errors
    assert Employer.objects.count() == 1


def test_read_only_roles_cannot_register(client, zone, make_user):
    client.force_login(make_user(zone["INPS-ML"], "director"))
    assert client.get(reverse("search")).status_code == 200
    assert client.get(reverse("person-create")).status_code == 403
    assert client.post(reverse("person-create"), {"family_name": "X"}).status_code == 403
    assert Person.objects.count() == 0


def test_portal_user_sees_only_their_own_employer(client, zone, make_user):
    own = employer(zone["INPS-ML"])
    other = employer(zone["INPS-ML"], "Autre Entreprise")
    client.force_login(make_user(zone["INPS-ML"], "employer", employer=own))
    assert client.get(reverse("employer-detail", kwargs={"pk": own.pk})).status_code == 200
    assert client.get(reverse("employer-detail", kwargs={"pk": other.pk})).status_code == 403
    assert client.get(reverse("search") + "?q=x").status_code == 403


def test_dashboard_counts_only_own_organisation(client, zone, make_user):
    person(zone["INPS-ML"])
    person(zone["CNPS-CI"])
    person(zone["CNPS-CI"], given_names="Awa", sex="F")
    client.force_login(make_user(zone["CNPS-CI"], "director"))
    response = client.get(reverse("dashboard"))
    assert response.context["person_count"] == 2


def test_login_is_throttled_after_five_failures(client, zone, make_user, settings):
    make_user(zone["INPS-ML"], "director", username="moussa")
    for _ in range(5):
        client.post(reverse("login"), {"username": "moussa", "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": "moussa", "password": "kafo-test-pass-2026"}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_login_with_right_password(client, zone, make_user):
    make_user(zone["INPS-ML"], "director", username="fanta")
    response = client.post(
        reverse("login"), {"username": "fanta", "password": "kafo-test-pass-2026"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_passwords_are_hashed_with_argon2(zone, make_user):
    user = make_user(zone["INPS-ML"], "director")
    assert user.password.startswith("argon2$")


def test_english_is_available(agent_client):
    agent_client.cookies["django_language"] = "en"
    response = agent_client.get(reverse("dashboard"))
    assert response.context["LANGUAGE_CODE"] == "en"
    assert "<h1>Dashboard" in response.content.decode()
    agent_client.cookies["django_language"] = "fr"
    assert "<h1>Tableau de bord" in agent_client.get(reverse("dashboard")).content.decode()
    assert AuditEvent.objects.count() == 0


def test_live_search_answers_only_the_results_fragment(agent_client, zone):
    person(zone["INPS-ML"], "Coulibaly", "Mamadou")
    response = agent_client.get(reverse("search") + "?q=kulibali", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "COULIBALY Mamadou" in body
    assert "<html" not in body
    assert "Assurés (1)" in body


def test_a_full_page_of_hits_says_there_may_be_more(agent_client, zone, monkeypatch):
    from kafo.registry import selectors

    monkeypatch.setattr(selectors, "SEARCH_LIMIT", 3)
    for given in ("Awa", "Fanta", "Mariam", "Kadiatou"):
        person(zone["INPS-ML"], "Coulibaly", given, sex="F")
    body = agent_client.get(reverse("search") + "?q=coulibaly", HTTP_HX_REQUEST="true")
    assert "Assurés (3+)" in body.content.decode()
