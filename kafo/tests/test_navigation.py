"""The menu is built from what the user may open (kafo/navigation.py, issue 18): every link it
shows opens for that user, and the links of the morning of issue 18 that led to a 403 are gone."""

import re

import pytest
from django.urls import reverse

from kafo import navigation
from kafo.registry.tests.factories import employer, person

ROLES = (
    "registration_agent",
    "contributions_manager",
    "benefits_officer",
    "approver",
    "payment_officer",
    "director",
)


def _menu(client) -> list[str]:
    body = client.get(reverse("dashboard"), follow=True).content.decode()
    nav = re.search(r'<nav id="main-nav">(.*?)</nav>', body, re.S)
    return re.findall(r'href="([^"]+)"', nav.group(1)) if nav else []


def _users(zone, make_user):
    org = zone["INPS-ML"]
    company = employer(org)
    worker = person(org)
    users = [make_user(org, role) for role in ROLES]
    users.append(make_user(None, "zone_admin"))
    users.append(make_user(org, "employer", employer=company))
    users.append(make_user(org, "insured", person=worker))
    return users


def test_every_menu_link_opens_for_its_user(client, zone, make_user):
    refused = []
    for user in _users(zone, make_user):
        client.force_login(user)
        links = _menu(client)
        assert links, user.username
        for url in links:
            status = client.get(url).status_code
            if status >= 400:
                refused.append((user.username, url, status))
    assert refused == []


@pytest.mark.parametrize(
    ("role", "hidden"),
    [
        ("registration_agent", ["contributions-account-list"]),
        ("approver", ["contributions-declaration-list", "contributions-account-list"]),
        ("payment_officer", ["contributions-declaration-list", "contributions-account-list"]),
    ],
)
def test_links_a_role_cannot_open_are_not_shown(client, zone, make_user, role, hidden):
    user = make_user(zone["INPS-ML"], role)
    client.force_login(user)
    links = _menu(client)
    for name in hidden:
        assert reverse(name) not in links
        assert client.get(reverse(name)).status_code == 403


def test_the_employer_portal_user_has_no_header_search(client, zone, make_user):
    org = zone["INPS-ML"]
    client.force_login(make_user(org, "employer", employer=employer(org)))
    body = client.get(reverse("collection-employer-home")).content.decode()
    assert 'class="quicksearch"' not in body
    assert client.get(reverse("search")).status_code == 403
    agent = make_user(org, "registration_agent")
    client.force_login(agent)
    assert 'class="quicksearch"' in client.get(reverse("dashboard")).content.decode()


def test_pending_registrations_are_in_the_menu_and_paged(client, zone, make_user):
    import datetime as dt

    from django.utils import timezone

    from kafo.contributions.models import Declaration, PendingRegistration
    from kafo.contributions.views import PENDING_PAGE_SIZE

    org = zone["INPS-ML"]
    company = employer(org)
    declaration = Declaration.objects.create(
        organisation=org,
        employer=company,
        period="2026-03",
        status="in_force",
        file_hash="h",
        channel="web",
        submitted_at=timezone.now(),
        rules_on=dt.date(2026, 3, 1),
        line_count=1,
    )
    for i in range(PENDING_PAGE_SIZE + 3):
        PendingRegistration.objects.create(
            organisation=org,
            identity=f"n:{i}",
            employer=company,
            first_declaration=declaration,
            family_name=f"Diarra{i:03}",
            given_names="Moussa",
        )
    client.force_login(make_user(org, "contributions_manager"))
    assert reverse("contributions-pending-list") in _menu(client)
    first = client.get(reverse("contributions-pending-list")).content.decode()
    assert first.count("DIARRA") == PENDING_PAGE_SIZE
    assert "page 1 sur 2" in first
    second = client.get(reverse("contributions-pending-list") + "?page=2").content.decode()
    assert second.count("DIARRA") == 3


def test_every_entry_names_a_route_and_a_check():
    for entry in navigation.ENTRIES:
        assert reverse(entry.url_name).startswith("/")
        assert callable(entry.allowed)
