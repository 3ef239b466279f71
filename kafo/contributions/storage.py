"""Set-based reads and inserts for the bulk path: COPY on PostgreSQL, staged insert on SQLite.

Called only from services, inside their transaction. No Python loop of ORM saves, no model
instance per row. What was measured (1,000,000 lines on 2 loaded cores, bench/declarations.py)
and shaped this module:

- Lines are inserted ordered by person, then declaration and line number. The person index is
  the only one whose keys are scattered through the file; in that order its B-tree grows at the
  right edge instead of touching every leaf for each employer (PostgreSQL: person index
  +6.4 s → +0.4 s, (organisation, person) +4.1 s → +1.5 s per million rows).
- The line table has no foreign-key constraint and only two composite indexes (see the
  DeclarationLine docstring): on PostgreSQL the deferred foreign-key checks alone cost 10-12 s
  per million lines at commit, and the single-column indexes as much again.
- SQLite: a large frame goes first into a TEMP table without index or key (executemany), then
  into the line table with one INSERT … SELECT, which updates the indexes and the AUTOINCREMENT
  counter in C, once, instead of per executed row (about 20 % less CPU than executemany into the
  table). The page cache is enlarged for that statement only (the indexes of a million-row
  insert do not fit in the default 2 MiB), then set back. No PRAGMA touching durability.
- PostgreSQL: COPY in CSV (binary COPY written row by row from Python was measured no faster).
- Person look-ups read (key, id) pairs with one SQL statement (two arrays on PostgreSQL,
  loaded in C; COPY TO STDOUT cost one Python iteration per row) straight into Polars.
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
STAGE = "kafo_bulk_stage"
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
    marks = ", ".join("?" * len(frame.columns))
    if frame.height <= CHUNK // 10:
        sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608 - constant names
        raw.executemany(sql, frame.iter_rows())
        return
    # Large frames: executemany into a temporary table without index, key or constraint, then
    # one INSERT … SELECT: the indexes and the AUTOINCREMENT counter are updated in one
    # statement, in C, instead of once per executed row.
    (cache,) = raw.execute("PRAGMA cache_size").fetchone()
    raw.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
    try:
        raw.execute(f"DROP TABLE IF EXISTS temp.{STAGE}")
        raw.execute(f"CREATE TEMP TABLE {STAGE} ({cols})")
        try:
            stage = f"INSERT INTO temp.{STAGE} VALUES ({marks})"  # noqa: S608 - constant names
            for start in range(0, frame.height, CHUNK):
                raw.executemany(stage, frame.slice(start, CHUNK).iter_rows())
            raw.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM temp.{STAGE}")  # noqa: S608
        finally:
            raw.execute(f"DROP TABLE temp.{STAGE}")
    finally:
        raw.execute(f"PRAGMA cache_size = {int(cache)}")


def person_ids(organisation_id: int, key: str) -> pl.DataFrame:
    """Every (key value, person id) of the organisation, for key "number" or "national_id".

    Columns `key` (str) and `id` (i64), empty keys left out. One statement; on PostgreSQL two
    arrays in one row (array_agg), loaded by psycopg in C: a million persons in about 1 s,
    where COPY TO STDOUT cost one Python iteration per row (4 s).
    """
    if key not in ("number", "national_id"):
        raise ValueError(key)
    table = Person._meta.db_table
    schema = {key: pl.Utf8, "id": pl.Int64}
    where = f"FROM {table} WHERE organisation_id = %s AND {key} <> ''"  # noqa: S608 - constant names
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Both aggregates of one plain aggregation see the same rows in the same order.
            cur.execute(f"SELECT array_agg({key}), array_agg(id) {where}", [organisation_id])  # noqa: S608
            keys, ids = cur.fetchone()
            return pl.DataFrame({key: keys or [], "id": ids or []}, schema=schema)
        cur.execute(f"SELECT {key}, id {where}", [organisation_id])  # noqa: S608 - constant names
        rows = cur.fetchall()
    return pl.DataFrame(rows, schema=schema, orient="row")
