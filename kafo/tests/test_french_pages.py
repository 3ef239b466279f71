"""Every page a role opens reads in French: no raw code, no English word (issue 18).

One small zone (CNPS-CI with its rules, an employer, a worker, a declaration), one user per
role; each user opens every page without a parameter in the URL plus the employer, person and
declaration pages; a page that opens (200, HTML) must hold nothing of kafo/tests/i18n_words.py.
"""

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from kafo.accounts.models import RoleCode
from kafo.contributions.models import Declaration
from kafo.registry.services import employer_register, person_register
from kafo.rules.services import rules_seed
from kafo.tests.i18n_words import forbidden_in

SKIPPED = ("logout", "export", "csv", "xlsx", "pdf", "template", "set_language", "health")


def _plain_routes(resolver=None, prefix=""):
    """Yield "/path/" for every page route without a parameter, outside the admin and the API."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if "<" in route or "(?P" in route or route.startswith(("admin/", "api/", "i18n/", "^")):
            continue
        if isinstance(entry, URLResolver):
            yield from _plain_routes(entry, route)
        elif isinstance(entry, URLPattern) and not any(s in route.lower() for s in SKIPPED):
            if not any(s in (entry.name or "").lower() for s in SKIPPED):
                yield "/" + route


@pytest.fixture
def small_zone(zone, client, make_user):
    rules_seed()
    org = zone["CNPS-CI"]
    employer = employer_register(organisation=org, data={"legal_name": "SOTRA", "risk_class": 3})
    person = person_register(
        organisation=org,
        data={
            "family_name": "Kouassi",
            "given_names": "Yao",
            "sex": "M",
            "birth_date": dt.date(1985, 3, 2),
        },
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kafo.contributions.tests.conftest import csv_of

    client.force_login(make_user(org, "employer", employer=employer, username="ci.employeur"))
    dns = SimpleUploadedFile("dns.csv", csv_of(employer, person), "text/csv")
    resp = client.post(
        "/contributions/declarations/new/", {"period": "2025-03", "kind": "original", "file": dns}
    )
    assert resp.status_code == 302
    client.logout()
    declaration = Declaration.objects.get(employer=employer)
    return {"org": org, "employer": employer, "person": person, "declaration": declaration}


@pytest.mark.parametrize("role", RoleCode.values)
def test_every_page_of_a_role_reads_in_french(role, small_zone, client, make_user):
    org = small_zone["org"]
    extra = {
        "employer": {"employer": small_zone["employer"]},
        "insured": {"person": small_zone["person"]},
    }.get(role, {})
    client.force_login(make_user(org, role, **extra))
    pages = sorted(set(_plain_routes())) + [
        f"/contributions/declarations/{small_zone['declaration'].pk}/",
    ]
    found, opened = {}, 0
    for path in pages:
        resp = client.get(path, HTTP_ACCEPT_LANGUAGE="fr")
        if resp.status_code != 200 or "text/html" not in resp.get("Content-Type", ""):
            continue
        opened += 1
        words = forbidden_in(resp.content.decode())
        if words:
            found[path] = words
    assert opened >= 3
    assert found == {}
