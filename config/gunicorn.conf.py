"""gunicorn settings for Kafo in production: `.venv/bin/gunicorn -c config/gunicorn.conf.py`.

Environment: KAFO_BIND (default 127.0.0.1:8000, loopback: a TLS reverse proxy faces the
network), KAFO_WORKERS (default 3), KAFO_CONN_MAX_AGE (default 60 here). Every Django setting
comes from the environment as well (README, "Production").

PostgreSQL connections: each worker is one process with one thread (sync worker class), so it
holds at most one database connection, reused for KAFO_CONN_MAX_AGE seconds and checked before
reuse. The whole server holds at most KAFO_WORKERS connections: keep KAFO_WORKERS (summed over
every server and `kafo` command sharing the database) below PostgreSQL's max_connections minus
its reserved superuser slots.
"""

import os
from pathlib import Path

chdir = str(Path(__file__).resolve().parent.parent)
wsgi_app = "config.wsgi:application"
bind = [os.environ.get("KAFO_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("KAFO_WORKERS", "3"))
# sync, one thread: one connection per worker (a thread pool would multiply it).
worker_class = "sync"
threads = 1
timeout = int(os.environ.get("KAFO_WORKER_TIMEOUT", "120"))
graceful_timeout = 30
# A worker replaced after this many requests (with jitter) returns any memory it grew.
max_requests = 2000
max_requests_jitter = 200
# Header limits: refuse oversized request lines and headers before Django sees them.
limit_request_line = 8190
limit_request_fields = 100
accesslog = "-"
errorlog = "-"
# The proxy on the same machine sets X-Forwarded-For/-Proto; no one else can reach loopback.
forwarded_allow_ips = "127.0.0.1"

# Workers inherit this: persistent connections are bounded here, unlike under runserver.
os.environ.setdefault("KAFO_CONN_MAX_AGE", "60")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
