"""What the benchmarks share: their own PostgreSQL database, a plain bulk insert of a Polars
frame (COPY on PostgreSQL, executemany on SQLite) for the data they set up, the database left
settled before timing, and the set-up / measure steps run as child processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def settle(connection) -> None:
    """Leave the database as a long-running one is: analysed, its setup writes checkpointed
    (CHECKPOINT needs a superuser or pg_checkpoint: skipped without)."""
    from django.db import DatabaseError

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("VACUUM (ANALYZE)")
            try:
                cur.execute("CHECKPOINT")
            except DatabaseError:
                pass
        else:
            cur.execute("ANALYZE")
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def run_child(script: str, *args: str) -> dict:
    """Run `script` with `args` in a fresh Python (its own memory peak) and return the JSON
    object of its last output line."""
    out = subprocess.run(
        [sys.executable, script, *args], check=False, capture_output=True, text=True, cwd=ROOT
    )
    if out.returncode:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"{args[1]} failed (exit {out.returncode})")
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_database(url: str, name: str, *, drop: bool = False) -> str:
    """Create `name` afresh on the server of `url` (or only drop it) and return its URL."""
    import psycopg

    base, _, _name = url.rpartition("/")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        if not drop:
            conn.execute(f"CREATE DATABASE {name}")
    return f"{base}/{name}"


def bulk_insert(connection, table: str, frame) -> None:
    """Insert the frame's rows into `table` through Django's `connection` (set-up, not timed)."""
    import io

    cols = ", ".join(frame.columns)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            buf = io.BytesIO()
            frame.write_csv(buf, include_header=False, quote_style="non_numeric")
            with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv)") as cp:
                cp.write(buf.getvalue())
        else:
            marks = ", ".join(["%s"] * len(frame.columns))
            sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608 - constant names
            cur.executemany(sql, frame.rows())
