"""Production-safe defaults (issue 12, findings 2 and 8): DEBUG off unless asked, the settings a
deployment needs, Kafo's own error pages that show no secret, a Content-Security-Policy the
pages pass, sessions that end.

Settings computed by config/settings.py for production are read from a subprocess started with
a production environment (no pytest marker): the tests check the real module, not a copy.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, RequestFactory, override_settings
from django.utils import translation

from config import errors
from conftest import TEST_PASSWORD
from kafo import http_security
from kafo.tests.servers import server_environment

PRODUCTION_SETTINGS = [
    "DEBUG",
    "KAFO_ENV",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_AGE",
    "KAFO_SESSION_IDLE_SECONDS",
    "KAFO_CSP",
    "KAFO_CSP_BY_PATH",
]
_PRINT_SETTINGS = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({n: getattr(s, n, None) for n in %r} | "
    "{'CONN_MAX_AGE': s.DATABASES['default']['CONN_MAX_AGE']}))"
)


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    environment = server_environment(DJANGO_SETTINGS_MODULE="config.settings", **env)
    environment.pop("DATABASE_URL")  # the default SQLite file: nothing here opens it
    # A data directory that does not exist, as on a fresh clone.
    environment["KAFO_DATA_DIR"] = str(Path(tempfile.gettempdir(), f"kafo-deploy-{os.getpid()}"))
    return subprocess.run(
        [sys.executable, *args],
        env=environment,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _settings_in(**env: str) -> dict:
    done = _run(["-c", _PRINT_SETTINGS % PRODUCTION_SETTINGS], **env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def production() -> dict:
    return _settings_in()


def test_production_is_the_default_with_debug_off_and_no_kept_connection(production):
    assert production["KAFO_ENV"] == "production"
    assert production["DEBUG"] is False
    assert production["CONN_MAX_AGE"] == 0
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] == 31536000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SESSION_COOKIE_AGE"] == 8 * 3600
    assert production["KAFO_SESSION_IDLE_SECONDS"] == 30 * 60


def test_debug_is_on_only_when_a_developer_asks_for_it():
    asked = _settings_in(KAFO_DEBUG="1", KAFO_ENV="development")
    assert (asked["DEBUG"], asked["KAFO_ENV"], asked["SESSION_COOKIE_SECURE"]) == (
        True,
        "development",
        False,
    )


def test_check_deploy_is_clean_with_the_production_environment():
    done = _run(["-m", "kafo.cli", "check", "--deploy", "--fail-level", "WARNING"])
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout


def test_the_server_refuses_to_start_in_production_with_the_development_key():
    code = "import config.wsgi"
    refused = _run(["-c", code], KAFO_SECRET_KEY="")
    assert refused.returncode == 1
    assert "ImproperlyConfigured: KAFO_SECRET_KEY n'est pas défini" in refused.stderr
    assert _run(["-c", code]).returncode == 0  # with a key of its own
    assert _run(["-c", code], KAFO_SECRET_KEY="", KAFO_ENV="development").returncode == 0


def _production_overrides(production: dict) -> dict:
    values = {k: v for k, v in production.items() if k not in ("DEBUG", "KAFO_ENV")}
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    values.pop("CONN_MAX_AGE")
    return values


def test_under_production_settings_answers_carry_the_security_headers(production, db):
    with override_settings(**_production_overrides(production)):
        client = Client()
        plain = client.get("/login/")
        assert (plain.status_code, plain["Location"]) == (301, "https://testserver/login/")
        page = client.get("/login/", secure=True)
    assert page.status_code == 200
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] == "same-origin"
    assert page["X-Frame-Options"] == "DENY"
    assert page["Content-Security-Policy"] == production["KAFO_CSP"]
    assert "script-src 'self';" in production["KAFO_CSP"]
    assert "'unsafe-inline'" not in production["KAFO_CSP"]


def test_under_production_settings_the_cookies_are_secure_and_http_only(
    production, zone, make_user
):
    make_user(zone["INPS-ML"], "registration_agent", username="awa")
    with override_settings(**_production_overrides(production)):
        client = Client()
        client.get("/login/", secure=True)
        csrf = client.cookies["csrftoken"]
        response = client.post(
            "/login/",
            {"username": "awa", "password": TEST_PASSWORD, "csrfmiddlewaretoken": csrf.value},
            secure=True,
            HTTP_REFERER="https://testserver/login/",
        )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert (session["secure"], session["httponly"], session["max-age"]) == (True, True, 28800)
    assert csrf["secure"] is True


def test_every_page_has_its_content_security_policy(client, db):
    assert client.get("/login/")["Content-Security-Policy"] == settings.KAFO_CSP
    admin_policy = client.get("/admin/login/")["Content-Security-Policy"]
    assert admin_policy == settings.KAFO_CSP_BY_PATH["/admin/"]
    assert "script-src 'self';" in admin_policy
    assert (
        client.get("/api/docs")["Content-Security-Policy"] == settings.KAFO_CSP_BY_PATH["/api/docs"]
    )


def test_the_api_docs_load_nothing_from_another_site(client, db):
    page = client.get("/api/docs").content.decode()
    assert re.findall(r'(?:src|href)="(https?:)?//', page) == []
    assert '<script src="/static/ninja/swagger-ui-bundle.js">' in page


# What the policy refuses: inline scripts, event-handler attributes, javascript: URLs,
# style elements and attributes. Static files hold the behaviours (kafo/static/kafo/kafo.js).
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*application/json)|\son[a-z]+\s*=|javascript:|<style|\sstyle\s*=",
    re.IGNORECASE,
)


def test_no_template_holds_what_the_policy_refuses():
    found = []
    for template in sorted(Path(settings.BASE_DIR, "kafo").rglob("templates/**/*.html")):
        text = re.sub(r"\{#.*?#\}", "", template.read_text())
        for number, line in enumerate(text.splitlines(), 1):
            if INLINE.search(line):
                found.append(f"{template.relative_to(settings.BASE_DIR)}:{number}")
    assert found == []


def test_an_unknown_address_answers_kafos_404_without_the_url_list(client, db):
    response = client.get("/pas-de-page-ici/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Page introuvable</h1>" in page
    assert '<a class="button" href="/">Retour à l’accueil</a>' in page
    assert "URLconf" not in page and "admin/" not in page
    api = client.get("/api/pas-de-route")
    assert (api.status_code, api.json()) == (
        404,
        {"errors": [{"field": None, "reason": "not found"}]},
    )


def test_the_500_page_needs_neither_the_database_nor_the_request_context():
    # No django_db mark: any database access here raises.
    request = RequestFactory().get("/contributions/")
    response = errors.server_error(request)
    page = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Erreur du serveur</h1>" in page
    assert '<a class="button" href="/">' in page
    assert settings.SECRET_KEY not in page
    with translation.override("en"):
        assert "<h1>Server error</h1>" in errors.server_error(request).content.decode()
    api = errors.server_error(RequestFactory().get("/api/persons"))
    assert json.loads(api.content) == {"errors": [{"field": None, "reason": "server error"}]}


def test_error_handlers_are_kafos():
    from config import urls

    assert (urls.handler400, urls.handler403, urls.handler404, urls.handler500) == (
        "config.errors.bad_request",
        "config.errors.permission_denied",
        "config.errors.not_found",
        "config.errors.server_error",
    )


def test_the_403_page_is_kafos(rf, db):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/governance/")
    request.user = AnonymousUser()
    response = errors.permission_denied(request, Exception("secret detail"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Accès refusé</h1>" in page
    assert "secret detail" not in page


@pytest.fixture
def clock(monkeypatch):
    """Seconds since the login, as the session middleware reads them."""
    now = {"t": 0.0}
    monkeypatch.setattr(http_security, "_now", lambda: 1_000_000.0 + now["t"])
    return now


def _status_at(client, clock, seconds: float) -> int:
    clock["t"] = seconds
    return client.get("/").status_code


def test_an_idle_session_ends_after_30_minutes(client, zone, make_user, clock):
    client.force_login(make_user(zone["INPS-ML"], "registration_agent"))
    assert _status_at(client, clock, 0) == 200
    assert _status_at(client, clock, 29 * 60) == 200
    assert _status_at(client, clock, 58 * 60) == 200  # 29 idle minutes again
    assert _status_at(client, clock, 58 * 60 + 30 * 60 + 1) == 302  # 30 min 1 s idle
    assert "_auth_user_id" not in client.session
    assert _status_at(client, clock, 90 * 60) == 302  # stays logged out


def test_a_session_ends_8_hours_after_login_however_active(client, zone, make_user, clock):
    client.force_login(make_user(zone["INPS-ML"], "registration_agent"))
    for minute in range(0, 8 * 60, 20):
        assert _status_at(client, clock, minute * 60) == 200
    assert _status_at(client, clock, 8 * 3600 + 1) == 302
    assert "_auth_user_id" not in client.session


def test_the_session_clock_starts_at_login_and_is_not_saved_on_every_request(
    client, zone, make_user, clock
):
    client.force_login(make_user(zone["INPS-ML"], "registration_agent"))
    assert client.session[http_security.SESSION_STARTED] == 1_000_000.0
    assert _status_at(client, clock, 30) == 200
    assert client.session[http_security.SESSION_SEEN] == 1_000_000.0  # not saved
    assert _status_at(client, clock, 61) == 200
    assert client.session[http_security.SESSION_SEEN] == 1_000_061.0
    assert client.session[http_security.SESSION_STARTED] == 1_000_000.0
