"""An insured user of an organisation against every route of that same organisation.

The tenant matrix (kafo/tests/test_tenant_isolation.py) proves an insured user of INPS-ML
reaches nothing of CNPS-CI. Here every app's isolation records are made in the insured user's
*own* organisation and every route is tried: only the insured space's own pages answer, and
the records of the organisation (another person's claim included) stay out of reach.
"""

from django.test import Client
from django.urls import NoReverseMatch, reverse

from kafo.accounts.models import ApiToken
from kafo.registry.tests.factories import person as make_person
from kafo.tests.test_tenant_isolation import (
    API_METHODS,
    PAGE_METHODS,
    REFUSED,
    _contracts,
    _fingerprint,
    _secret_words,
)

ORG = "CNPS-CI"
OWN_ROUTES = {
    "insured-career",
    "insured-retirement",
    "insured-retirement-pdf",
    "insured-claims",
    "insured-payments",
    "insured-payment-statement",
    "insured-voluntary",  # join and pay redirect there: CNPS-CI offers no voluntary insurance
    "api:api-me-career",
    "api:api-me-retirement",
    "api:api-me-payments",
    "api:api-me-payment-statement",
}


PUBLIC: set[str] = set()


def _urls(records):
    for contract in _contracts():
        for name, kwargs_of in contract.ROUTES.items():
            yield name, reverse(name, kwargs=kwargs_of(records))
        for name in contract.PUBLIC_ROUTES:
            PUBLIC.add(name)
            try:
                yield name, reverse(name)
            except NoReverseMatch:  # a public route with its own arguments (none today)
                continue


def test_an_insured_user_reaches_only_their_own_space(zone, make_user, client):
    org = zone[ORG]
    records: dict = {}
    for contract in _contracts():
        records |= contract.make_records(org, records)
    me = make_person(org, family_name="Assuré-Seul", given_names="Moi")
    user = make_user(org, "insured", username="cnps-ci.assure", person=me)
    _token, raw = ApiToken.issue(user=user, name="walk")
    client.force_login(user)
    before = _fingerprint(org)
    secrets = _secret_words()
    anonymous = Client()
    reached, leaks = set(), []
    for name, url in _urls(records):
        if anonymous.get(url).status_code == 200:
            continue  # open to anyone by design (the check of a certificate's printed code)
        is_api = name.startswith("api:")
        for method in API_METHODS if is_api else PAGE_METHODS:
            send = getattr(client, method)
            headers = [{}, {"HTTP_AUTHORIZATION": f"Bearer {raw}"}] if is_api else [{}]
            for extra in headers:
                response = send(url, content_type="application/json", data={}, **extra)
                body = response.content.decode(errors="replace")
                if any(word in body for word in secrets):
                    leaks.append((name, method, "secret in body"))
                if response.status_code in REFUSED or (is_api and response.status_code == 422):
                    continue
                if (
                    name in PUBLIC
                    and response.status_code
                    == getattr(anonymous, method)(
                        url, content_type="application/json", data={}
                    ).status_code
                ):
                    continue  # a public endpoint (SPDCI token, CRVS callback): as for anyone
                if name in OWN_ROUTES:
                    reached.add(name)
                else:
                    leaks.append((name, method, response.status_code))
    assert leaks == []
    assert reached == OWN_ROUTES
    assert _fingerprint(org) == before
