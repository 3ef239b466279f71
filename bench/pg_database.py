"""A benchmark's own PostgreSQL database, beside the one its URL names (shared by the benches)."""

from __future__ import annotations


def bench_database(url: str, name: str, *, drop: bool = False) -> str:
    """Create `name` afresh on the server of `url` (or only drop it) and return its URL."""
    import psycopg

    base, _, _name = url.rpartition("/")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        if not drop:
            conn.execute(f"CREATE DATABASE {name}")
    return f"{base}/{name}"
