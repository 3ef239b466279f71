"""Fixtures shared by every app's tests: the seeded zone, users with roles, scopes."""

import os
import shutil
from pathlib import Path

import pytest

from kafo.accounts.models import Role, User
from kafo.organisations.services import zone_seed
from kafo.organisations.tenancy import zone_scope

TEST_PASSWORD = "kafo-test-pass-2026"  # noqa: S105


@pytest.fixture(autouse=True)
def _french_for_every_test():
    """Each test starts in French, the zone's language: a request answered in English (cookie or
    Accept-Language on the API) leaves English active in this thread, and later tests of the
    same worker would read English messages."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _zone_scope_for_test_setup():
    """Tests build their data zone-wide; requests made by the test client set their own scope."""
    with zone_scope():
        yield


@pytest.fixture
def zone(db):
    """The organisations of the reference file (kafo/reference/zone.yaml), by code."""
    return {o.code: o for o in zone_seed()}


@pytest.fixture
def make_user(db):
    def _make(
        organisation, *roles, username=None, employer=None, person=None, password=TEST_PASSWORD
    ):
        org_code = organisation.code.lower() if organisation else "zone"
        username = username or f"{org_code}.{'-'.join(roles) or 'norole'}"
        user = User.objects.create_user(
            username=username,
            password=password,
            organisation=organisation,
            employer=employer,
            person=person,
        )
        # Role rows come from a data migration, which a transactional test's flush empties.
        user.roles.set([Role.objects.get_or_create(code=code)[0] for code in roles])
        return user

    return _make


CHROMIUM = Path("/usr/bin/chromium")


def require_tool(present: bool, what: str, package: str) -> None:
    """Skip a test whose outside tool is missing, with the one line that says what to install.

    `make test` installs the tools when it can (Makefile, test-tools); CI (CI=true) must have
    them, so there a missing tool is a failure, never a skip.
    """
    if present:
        return
    message = f"{what} absent : sudo apt-get install {package}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def java_runtime():
    require_tool(shutil.which("java") is not None, "Java", "openjdk-17-jre-headless")


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture
def browser_page(live_server, monkeypatch):
    """A headless Debian Chromium page driven by Playwright, against the live test server."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    require_tool(CHROMIUM.exists(), "Chromium (tests du navigateur)", "chromium")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # between page actions are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live_server.url, locale="fr-FR")
        page = context.new_page()
        page.set_default_timeout(30000)
        yield page
        # ORM calls made while Playwright's loop runs get their own connection (asgiref's Local
        # is context-bound then): close it here, or PostgreSQL refuses to drop the test database.
        connections.close_all()
        context.close()
        browser.close()


def login_in_browser(page, username, password=TEST_PASSWORD):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: not url.rstrip("/").endswith("/login"))
