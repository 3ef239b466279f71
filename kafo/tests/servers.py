"""Start Kafo's real servers in a subprocess, on a free loopback port, against the test database.

For tests that need what the test client cannot show: one process per server as deployed,
its own database connections, the network in between.
"""

import contextlib
import http.client
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

from django.conf import settings
from django.db import connection

STARTUP_SECONDS = 90


def free_loopback_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url_of_this_test() -> str:
    """DATABASE_URL of the database this test runs on (pytest-django's test database)."""
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        return f"sqlite:///{db['NAME']}"
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def server_environment(**extra: str) -> dict[str, str]:
    """The environment of a production server: no pytest marker (so KAFO_ENV is production
    unless extra says otherwise), a real secret key, the test database."""
    # Nor the test process's own switches (a browser test's DJANGO_ALLOW_ASYNC_UNSAFE fails
    # `check --deploy`).
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "KAFO_")) and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        DATABASE_URL=database_url_of_this_test(),
        KAFO_SECRET_KEY=secrets.token_urlsafe(50),
        KAFO_ALLOWED_HOSTS="127.0.0.1",
        KAFO_DATA_DIR=str(settings.DATA_DIR),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def gunicorn_command(port: int) -> tuple[list[str], dict[str, str]]:
    """gunicorn as the README's "Production" section starts it (2 workers, loopback)."""
    env = server_environment(KAFO_BIND=f"127.0.0.1:{port}", KAFO_WORKERS="2")
    return [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"], env


def demo_server_command(port: int) -> tuple[list[str], dict[str, str]]:
    """The server `kafo demo` runs (runserver, one thread per request), without the seeding."""
    env = server_environment(KAFO_ENV="development")
    cmd = [sys.executable, "-m", "kafo.cli", "runserver", f"127.0.0.1:{port}", "--noreload"]
    return cmd, env


@contextlib.contextmanager
def serving(cmd: list[str], env: dict[str, str], port: int) -> Iterator[str]:
    """Run the server until the block ends; yield its base URL once it answers."""
    log = tempfile.TemporaryFile()  # noqa: SIM115 (a file, not a pipe: it cannot fill up)
    proc = subprocess.Popen(
        cmd, env=env, cwd=settings.BASE_DIR, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"server exited: {log.read().decode()[-3000:]}")
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request("GET", "/login/")
                probe.getresponse().read()  # any answer (a redirect to https, say): it is up
                probe.close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()
