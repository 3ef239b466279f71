"""Set-based reads and inserts for the bulk path: COPY on PostgreSQL, executemany on SQLite.

Called only from services, inside their transaction. No Python loop of ORM saves, no model
instance per row. What was measured (1,000,000 lines on 2 loaded cores, bench/declarations.py)
and shaped this module:

- Lines are inserted ordered by person, then declaration and line number. The person indexes
  are the only ones whose keys are scattered through the file; in that order their B-trees grow
  at the right edge instead of touching every leaf for each employer (PostgreSQL: person index
  +6.4 s → +0.4 s, (organisation, person) +4.1 s → +1.5 s per million rows).
- SQLite gets a larger page cache for the duration of the insert only (the indexes of a
  million-row insert do not fit in the default 2 MiB), then its previous size back.
- Person look-ups read (key, id) pairs with one SQL statement (COPY TO STDOUT on PostgreSQL)
  straight into Polars instead of a million ORM tuples.
"""

from __future__ import annotations

import io

import polars as pl
from django.db import connection

from kafo.registry.models import Person

from .models import DeclarationLine, PendingRegistration

LINE_COLUMNS = (
    "organisation_id",
    "declaration_id",
    "line_no",
    "person_id",
    "worker_number",
    "national_id",
    "family_name",
    "given_names",
    "category",
    "days_worked",
    "gross_salary",
    "old_age_er",
    "old_age_ee",
    "family_er",
    "family_ee",
    "work_injury_er",
    "work_injury_ee",
    "health_er",
    "health_ee",
    "employer_total",
    "employee_total",
)
PENDING_COLUMNS = (
    "organisation_id",
    "identity",
    "employer_id",
    "first_declaration_id",
    "worker_number",
    "national_id",
    "family_name",
    "given_names",
    "status",
    "created_at",
)
CHUNK = 200_000
SQLITE_IMPORT_CACHE_KIB = 256 * 1024


def insert_lines(frame: pl.DataFrame) -> int:
    """Insert `frame` (columns LINE_COLUMNS) into the declaration line table; return the count."""
    frame = frame.select(LINE_COLUMNS).sort(
        ["person_id", "declaration_id", "line_no"], nulls_last=True
    )
    _insert(DeclarationLine._meta.db_table, frame)
    return frame.height


def insert_pending(frame: pl.DataFrame, *, created_at) -> int:
    """Insert pending registrations (PENDING_COLUMNS but created_at); return the count."""
    stamp = connection.ops.adapt_datetimefield_value(created_at)
    frame = frame.with_columns(pl.lit(str(stamp)).alias("created_at")).select(PENDING_COLUMNS)
    _insert(PendingRegistration._meta.db_table, frame)
    return frame.height


def _insert(table: str, frame: pl.DataFrame) -> None:
    cols = ", ".join(frame.columns)
    if connection.vendor == "postgresql":
        raw = connection.connection  # psycopg 3 connection, inside Django's transaction
        with raw.cursor() as cur:
            with cur.copy(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy:
                for start in range(0, frame.height, CHUNK):
                    buf = io.BytesIO()
                    frame.slice(start, CHUNK).write_csv(
                        buf, include_header=False, quote_style="non_numeric", null_value=""
                    )
                    copy.write(buf.getvalue())
        return
    connection.ensure_connection()
    raw = connection.connection  # sqlite3 connection, inside Django's transaction
    sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * len(frame.columns))})"  # noqa: S608 - constant names
    (cache,) = raw.execute("PRAGMA cache_size").fetchone()
    if frame.height > CHUNK // 10:
        raw.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
    try:
        for start in range(0, frame.height, CHUNK):
            raw.executemany(sql, frame.slice(start, CHUNK).iter_rows())
    finally:
        raw.execute(f"PRAGMA cache_size = {int(cache)}")


def person_ids(organisation_id: int, key: str) -> pl.DataFrame:
    """Every (key value, person id) of the organisation, for key "number" or "national_id".

    Columns `key` (str) and `id` (i64), empty keys left out. One statement; on PostgreSQL the
    rows come as one CSV stream (COPY TO STDOUT), read by Polars.
    """
    if key not in ("number", "national_id"):
        raise ValueError(key)
    table = Person._meta.db_table
    schema = {key: pl.Utf8, "id": pl.Int64}
    query = f"SELECT {key}, id FROM {table} WHERE organisation_id = {int(organisation_id)} AND {key} <> ''"  # noqa: S608, E501 - constant names, int
    if connection.vendor == "postgresql":
        buf = io.BytesIO()
        with connection.cursor() as cur:
            with cur.cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
                for block in copy:
                    buf.write(block)
        if not buf.tell():
            return pl.DataFrame(schema=schema)
        buf.seek(0)
        return pl.read_csv(buf, has_header=False, new_columns=list(schema), schema=schema)
    with connection.cursor() as cur:
        cur.execute(query)
        rows = cur.fetchall()
    return pl.DataFrame(rows, schema=schema, orient="row")
