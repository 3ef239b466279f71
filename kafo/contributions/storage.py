"""Set-based reads and inserts for the bulk path: COPY on PostgreSQL, staged insert on SQLite.

Called only from services, inside their transaction. No Python loop of ORM saves, no model
instance per row. What was measured (1,000,000 lines on 2 loaded cores, bench/declarations.py)
and shaped this module:

- The line table is narrow: no computed amounts and no serial id, its primary key is
  (declaration, line_no), its only other full index `person` (hash on PostgreSQL), plus two
  partial indexes on the lines of unknown workers (see the models' docstrings). On PostgreSQL
  the deferred foreign-key checks alone cost 10-12 s per million lines at commit, the
  single-column indexes as much again, the serial id about 2 s.
- One of the two indexes receives keys scattered through the file: a file's lines, in any
  order, belong to many declarations and persons at once. SQLite: lines are inserted ordered by
  person, so the person index grows at its right edge and the primary key takes the scattered
  keys (5.7–7.7 s against 8.0–9.0 s the other way round in bench/declarations.py). PostgreSQL:
  the person index is a hash index (models.EqualityIndex), which takes scattered keys without
  descending a tree, so lines go in primary-key order (declaration, line_no), appended like the
  heap: 5.8–6.8 s against 7.4–7.7 s for person order into two b-trees (COPY of a million
  narrow rows, alternated runs).
- SQLite: a large frame goes first into a TEMP table without index or key (multi-row INSERTs,
  about 25 % less CPU than executemany of one row; constant columns not bound), then into the
  line table with one INSERT … SELECT, which updates the indexes in C, once, instead of per
  executed row (5.9 s against 8.5 s for multi-row INSERTs straight into the narrow table, per
  million rows). The page cache is enlarged for that statement only (the indexes of a
  million-row insert do not fit in the default 2 MiB), then set back. No PRAGMA touching
  durability.
- PostgreSQL: COPY in CSV (binary COPY written row by row from Python was measured no faster),
  sent by psycopg's writer thread while Polars formats the next chunk.
- Person look-ups read (key, id) pairs with one SQL statement returning two aggregated strings,
  split by Polars (fetchall cost one Python tuple per person; COPY TO STDOUT one iteration per
  row; psycopg arrays one Python object per value).
"""

from __future__ import annotations

import io
import itertools
import sqlite3

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
ROWS_PER_INSERT = 1_000  # rows per staged INSERT on SQLite (within its variable limit)
SEP = "\x1f"  # joins the keys of a person look-up (chr(31), not a character of any key)
SQLITE_IMPORT_CACHE_KIB = 256 * 1024


def insert_lines(frame: pl.DataFrame) -> int:
    """Insert `frame` (columns LINE_COLUMNS) into the declaration line table; return the count."""
    frame = frame.select(LINE_COLUMNS).sort(_insert_order(), nulls_last=True)
    _insert(DeclarationLine._meta.db_table, frame, derived=_derived_line_columns(frame))
    return frame.height


def _insert_order() -> list[str]:
    """The order that keeps the costlier index growing at its right edge (module docstring)."""
    if connection.vendor == "postgresql":
        return ["declaration_id", "line_no"]  # the primary key; person is a hash index there
    return ["person_id", "declaration_id", "line_no"]


def _derived_line_columns(frame: pl.DataFrame) -> dict[str, str]:
    """SQL expressions for the line columns the staged SQLite insert need not bind per row:
    the organisation when it is one (always, from the import). Checked here, not assumed."""
    org = frame["organisation_id"]
    if frame.height and org.null_count() == 0 and org.n_unique() == 1:
        return {"organisation_id": str(int(org[0]))}
    return {}


def insert_pending(frame: pl.DataFrame, *, created_at) -> int:
    """Insert pending registrations (PENDING_COLUMNS but created_at); return the count."""
    stamp = connection.ops.adapt_datetimefield_value(created_at)
    frame = frame.with_columns(pl.lit(str(stamp)).alias("created_at")).select(PENDING_COLUMNS)
    _insert(PendingRegistration._meta.db_table, frame)
    return frame.height


def _insert(table: str, frame: pl.DataFrame, derived: dict[str, str] | None = None) -> None:
    """COPY (PostgreSQL) or insert (SQLite) the frame. `derived`: {column: SQL expression over
    the other columns or a constant}, computed by SQLite's staged insert instead of bound."""
    cols = ", ".join(frame.columns)
    if connection.vendor == "postgresql":
        from psycopg.copy import QueuedLibpqWriter

        raw = connection.connection  # psycopg 3 connection, inside Django's transaction
        copy_sql = f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv)"
        with raw.cursor() as cur:
            # A writer thread sends each chunk while Polars (GIL released) writes the next one:
            # the server parses and indexes while the client formats.
            with cur.copy(copy_sql, writer=QueuedLibpqWriter(cur)) as copy:
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
    # one INSERT … SELECT: the indexes (and an AUTOINCREMENT counter) are updated in one
    # statement, in C, instead of once per executed row.
    (cache,) = raw.execute("PRAGMA cache_size").fetchone()
    raw.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
    try:
        raw.execute(f"DROP TABLE IF EXISTS temp.{STAGE}")
        derived = derived or {}
        staged = frame.drop(list(derived))
        raw.execute(f"CREATE TEMP TABLE {STAGE} ({', '.join(staged.columns)})")
        try:
            _stage_rows(raw, staged)
            values = ", ".join(f"({derived[c]})" if c in derived else c for c in frame.columns)
            raw.execute(f"INSERT INTO {table} ({cols}) SELECT {values} FROM temp.{STAGE}")  # noqa: S608
        finally:
            raw.execute(f"DROP TABLE temp.{STAGE}")
    finally:
        raw.execute(f"PRAGMA cache_size = {int(cache)}")


def _stage_rows(raw, frame: pl.DataFrame) -> None:
    """Fill the TEMP stage with multi-row INSERTs: one statement per ROWS_PER_INSERT rows binds
    all their values at once (about 25 % less CPU than one executed statement per row)."""
    width = len(frame.columns)
    limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per = max(1, min(ROWS_PER_INSERT, limit // width))
    row = "(" + ", ".join("?" * width) + ")"
    many = f"INSERT INTO temp.{STAGE} VALUES " + ", ".join([row] * per)  # noqa: S608
    chain = itertools.chain.from_iterable
    for start in range(0, frame.height, CHUNK):
        rows = frame.slice(start, CHUNK).rows()
        full = len(rows) - len(rows) % per
        raw.executemany(many, (list(chain(rows[i : i + per])) for i in range(0, full, per)))
        if full < len(rows):
            rest = rows[full:]
            tail = f"INSERT INTO temp.{STAGE} VALUES " + ", ".join([row] * len(rest))  # noqa: S608
            raw.execute(tail, list(chain(rest)))


def person_ids(organisation_id: int, key: str) -> pl.DataFrame:
    """Every (key value, person id) of the organisation, for key "number" or "national_id".

    Columns `key` (str) and `id` (i64), empty keys left out. One statement returning two
    strings (the keys joined by a unit separator, the ids by commas), split by Polars in C: no
    Python object per person (fetchall of a million rows cost 2-3 s on SQLite, psycopg's
    arrays 1-2 s on PostgreSQL). Both aggregates of one plain aggregation see the same rows in
    the same order; a key containing the separator (never in practice) falls back to rows.
    """
    if key not in ("number", "national_id"):
        raise ValueError(key)
    table = Person._meta.db_table
    schema = {key: pl.Utf8, "id": pl.Int64}
    where = f"FROM {table} WHERE organisation_id = %s AND {key} <> ''"  # noqa: S608 - constant names
    if connection.vendor == "postgresql":
        agg = f"string_agg({key}, chr(31)), string_agg(id::text, ','), count(*)"
    else:
        agg = f"group_concat({key}, char(31)), group_concat(id, ','), count(*)"
    with connection.cursor() as cur:
        cur.execute(f"SELECT {agg} {where}", [organisation_id])  # noqa: S608 - constant names
        keys, ids, count = cur.fetchone()
        if not count:
            return pl.DataFrame(schema=schema)
        key_values = pl.Series(key, [keys]).str.split(SEP).explode()
        if key_values.len() == count:
            ids_ = pl.Series("id", [ids]).str.split(",").explode().cast(pl.Int64)
            return pl.DataFrame([key_values, ids_])
        cur.execute(f"SELECT {key}, id {where}", [organisation_id])  # noqa: S608 - constant names
        rows = cur.fetchall()
    return pl.DataFrame(rows, schema=schema, orient="row")
