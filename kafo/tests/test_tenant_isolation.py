"""The tenant-isolation matrix: every route × every role of another organisation.

Each domain app declares, in its isolation.py, how to build one record of each kind its routes
take (`make_records`) and which URL kwargs reach them (`ROUTES`), or that a route takes no
tenant record (`PUBLIC_ROUTES`). A route that is in neither fails the test: a new page or API
operation cannot ship without being covered.
"""

import hashlib
import json
from importlib import import_module

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from config.domains import DOMAIN_APPS
from kafo.accounts.models import ApiToken, RoleCode
from kafo.audit.models import AuditEvent
from kafo.audit.services import snapshot
from kafo.organisations.tenancy import TenantModel

ATTACKER_ORG = "INPS-ML"
VICTIM_ORG = "CNPS-CI"
# Routes of the framework or of no tenant data at all.
INFRASTRUCTURE = {
    "login",
    "logout",
    "set_language",
    "dashboard",
    "api:openapi-json",
    "api:openapi-view",
    "api:api-root",
}
ROLES = [r for r in RoleCode.values if r != RoleCode.ZONE_ADMIN]
REFUSED = {302, 401, 403, 404, 405}
API_METHODS = ("get", "post", "put", "patch", "delete")
PAGE_METHODS = ("get", "post")


def _contracts():
    return [import_module(f"kafo.{app}.isolation") for app in DOMAIN_APPS]


def _walk(patterns, namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue  # Django admin: staff only, countries, organisations, users
            yield from _walk(p.url_patterns, p.namespace or namespace)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}:{p.name}" if namespace else p.name


def all_route_names() -> set[str]:
    return set(_walk(get_resolver().url_patterns))


def test_every_route_is_covered_by_the_matrix():
    covered = set(INFRASTRUCTURE)
    for contract in _contracts():
        covered |= set(contract.ROUTES) | set(contract.PUBLIC_ROUTES)
    missing = sorted(all_route_names() - covered)
    assert missing == [], f"routes without a tenant-isolation entry: {missing}"


def _fingerprint(organisation) -> str:
    """A digest of every tenant row of one organisation (the audit trail excepted)."""
    digest = hashlib.sha256()
    for model in apps.get_models():
        if not issubclass(model, TenantModel) or model is AuditEvent:
            continue
        for row in model.unscoped.filter(organisation=organisation).order_by("pk"):
            digest.update(json.dumps(snapshot(row), sort_keys=True, default=str).encode())
    return digest.hexdigest()


@pytest.fixture
def victim_records(zone):
    records: dict = {}
    for contract in _contracts():
        records |= contract.make_records(zone[VICTIM_ORG], records)
    return records


def _secret_words():
    words = []
    for contract in _contracts():
        words += list(getattr(contract, "SECRET_WORDS", ()))
    return words


def _foreign_urls(records):
    for contract in _contracts():
        for name, kwargs_of in contract.ROUTES.items():
            yield name, reverse(name, kwargs=kwargs_of(records))


@pytest.mark.parametrize("role", ROLES)
def test_no_role_of_another_organisation_reaches_a_record(
    role, zone, make_user, victim_records, client
):
    from kafo.registry.tests.factories import employer as make_employer
    from kafo.registry.tests.factories import person as make_person

    attacker_org = zone[ATTACKER_ORG]
    own_employer = make_employer(attacker_org) if role == RoleCode.EMPLOYER else None
    own_person = make_person(attacker_org) if role == RoleCode.INSURED else None
    user = make_user(attacker_org, role, employer=own_employer, person=own_person)
    _token, raw = ApiToken.issue(user=user, name="matrix")
    client.force_login(user)
    before = _fingerprint(zone[VICTIM_ORG])
    secrets = _secret_words()
    leaks = []
    for name, url in _foreign_urls(victim_records):
        is_api = name.startswith("api:")
        for method in API_METHODS if is_api else PAGE_METHODS:
            send = getattr(client, method)
            answers = [send(url, content_type="application/json", data={})]
            if is_api:
                answers.append(
                    send(
                        url,
                        content_type="application/json",
                        data={},
                        HTTP_AUTHORIZATION=f"Bearer {raw}",
                    )
                )
            for response in answers:
                body = response.content.decode(errors="replace")
                if response.status_code not in REFUSED and not (
                    is_api and response.status_code == 422 and method != "get"
                ):
                    leaks.append((name, method, response.status_code))
                if any(word in body for word in secrets):
                    leaks.append((name, method, "secret in body"))
    assert leaks == []
    assert _fingerprint(zone[VICTIM_ORG]) == before


def test_refused_access_is_logged_in_the_owners_trail(zone, make_user, victim_records, client):
    user = make_user(zone[ATTACKER_ORG], RoleCode.REGISTRATION_AGENT)
    client.force_login(user)
    person = victim_records["person"]
    assert client.get(reverse("person-detail", kwargs={"pk": person.pk})).status_code == 404
    event = AuditEvent.objects.get(action="denied", object_id=str(person.pk))
    assert event.organisation == zone[VICTIM_ORG]
    assert event.actor == user


def test_anonymous_reaches_nothing(zone, victim_records, client):
    for name, url in _foreign_urls(victim_records):
        response = client.get(url)
        assert response.status_code in {302, 401, 405}, name
