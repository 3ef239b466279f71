"""Schemathesis against /api/openapi.json: no 5xx, every answer as documented.

It generates requests for every operation of the API (registry and every app mounted since),
authenticated as a registration agent whose organisation holds a few records: in-process
through the WSGI application, and over the network against gunicorn started as the README's
"Production" section says (PostgreSQL only: the server process needs a database it can open).
"""

import datetime as dt

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from kafo.accounts.models import ApiToken
from kafo.registry import services
from kafo.tests.servers import free_loopback_port, gunicorn_command, serving

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_the_test_transaction_open():
    """Calls through the WSGI app fire request_started/finished, whose handler closes a
    connection older than CONN_MAX_AGE: the test's own transaction. Django's test client
    disconnects it the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def agent_token(zone, make_user):
    org = zone["INPS-ML"]
    user = make_user(org, "registration_agent", "contributions_manager", "director")
    employer = services.employer_register(organisation=org, data={"legal_name": "SOMAPIL"})
    person = services.person_register(
        organisation=org,
        data={
            "family_name": "Keita",
            "given_names": "Awa",
            "sex": "F",
            "birth_date": dt.date(1970, 1, 1),
        },
    )
    services.employment_add(
        person=person, data={"employer": employer, "start_date": dt.date(1995, 1, 1)}
    )
    return ApiToken.issue(user=user, name="schemathesis")[1]


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
@pytest.mark.django_db
def test_api_answers_as_documented(case, agent_token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {agent_token}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )


# The TLS proxy in front of gunicorn says the client came over https (README, "Production").
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


@pytest.fixture
def production_server(transactional_db, agent_token):
    """gunicorn on a free loopback port, over the test database (committed rows: transactional)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the server process opens the test database: PostgreSQL only")
    port = free_loopback_port()
    with serving(*gunicorn_command(port), port) as url:
        yield url


def test_the_production_server_answers_no_server_error(production_server, agent_token):
    """Every operation, a few generated requests each, over the network: no 5xx.

    (schemathesis' lazy pytest loader does not run under pytest 9: the operations are driven
    here with Hypothesis directly, and every failing operation is reported, not the first.)"""
    schema = schemathesis.openapi.from_url(
        f"{production_server}/api/openapi.json", headers=PROXY_HEADERS, timeout=30
    )
    headers = {"Authorization": f"Bearer {agent_token}", **PROXY_HEADERS}
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=8,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def call(case):
            case.call_and_validate(headers=headers, checks=[not_a_server_error], timeout=30)

        try:
            call()
        except Exception as failure:  # noqa: BLE001 (collected, reported below)
            failures.append(f"{operation.method.upper()} {operation.path}: {failure}")
    assert operations > 30
    assert failures == []
