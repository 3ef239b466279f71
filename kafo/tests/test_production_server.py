"""The servers Kafo ships, started for real on loopback against PostgreSQL: database
connections stay bounded, however many requests come (issue 12, finding 7).

runserver (`make run`, a thread per request) kept one connection per thread with
CONN_MAX_AGE=60: 9 open after 40 sequential requests, and schemathesis then met PostgreSQL's
"too many clients". Now runserver closes each request's connection, and gunicorn's fixed sync
workers keep at most one each.
"""

import urllib.request

import pytest
from django.db import connection

from kafo.accounts.models import ApiToken
from kafo.tests.servers import demo_server_command, free_loopback_port, gunicorn_command, serving

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="counts PostgreSQL's connections (pg_stat_activity)",
)

REQUESTS = 40


def _server_connections() -> int:
    """Connections to the test database other than this test's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"]],
        )
        return cursor.fetchone()[0]


@pytest.fixture
def bearer(transactional_db, zone, make_user):
    """A token committed for the server process to read (each request looks it up)."""
    user = make_user(zone["INPS-ML"], "registration_agent")
    return ApiToken.issue(user=user, name="connections")[1]


def _get_many(url: str, bearer: str) -> list[int]:
    statuses = []
    for _ in range(REQUESTS):
        request = urllib.request.Request(  # noqa: S310 (loopback)
            f"{url}/api/employers?q=SOMA",
            headers={"Authorization": f"Bearer {bearer}", "X-Forwarded-Proto": "https"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            statuses.append(response.status)
    return statuses


def test_the_demo_server_keeps_no_connection_after_its_requests(bearer):
    port = free_loopback_port()
    with serving(*demo_server_command(port), port) as url:
        assert _get_many(url, bearer) == [200] * REQUESTS
        # runserver's start-up migration check keeps its own: one, whatever the requests.
        assert _server_connections() <= 1


def test_gunicorn_keeps_at_most_one_connection_per_worker(bearer):
    port = free_loopback_port()
    with serving(*gunicorn_command(port), port) as url:
        assert _get_many(url, bearer) == [200] * REQUESTS
        assert _server_connections() <= 2  # KAFO_WORKERS=2
    assert _server_connections() == 0
