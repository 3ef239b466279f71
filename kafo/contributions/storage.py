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
- SQLite: a large frame goes first into a table without index or key, then into the line
  table with one INSERT … SELECT, which updates the indexes in C, once, instead of per
  executed row (5.9 s against 8.5 s for multi-row INSERTs straight into the narrow table, per
  million rows). The page cache is enlarged for that statement only (the indexes of a
  million-row insert do not fit in the default 2 MiB), then set back. No PRAGMA touching
  durability. That first table is
  - when the import opens its own transaction (the command, the benchmark): a scratch SQLite
    file written by ADBC (Arrow's database connectivity, in C: no Python object per value,
    Python's lock released) on another thread while the account and audit entries are made,
    then loaded whole into an in-memory database attached before the transaction
    (`line_stage`). The lines step of bench/declarations.py took 4.2 and 3.7 s this way,
    8.2 and 9.0 s with the TEMP table below (alternated runs). This connection never opens
    the file itself: ADBC links its own copy of SQLite, and two copies in one process do not
    see each other's file locks (measured: a stale read of the file), so the file is read
    only once ADBC has closed it;
  - inside a caller's transaction (SQLite cannot ATTACH there): a TEMP table filled by
    multi-row INSERTs (about 25 % less CPU than executemany of one row; constant columns
    not bound).
- PostgreSQL: COPY in CSV (binary COPY written row by row from Python was measured no faster),
  sent by psycopg's writer thread while Polars formats the next chunk.
- Person look-ups read (key, id) pairs with one SQL statement returning two aggregated strings,
  split by Polars (fetchall cost one Python tuple per person; COPY TO STDOUT one iteration per
  row; psycopg arrays one Python object per value).
"""

from __future__ import annotations

import io
import itertools
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

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
STAGE_DB = "kafo_line_stage"  # the scratch database attached for a large SQLite import
ROWS_PER_INSERT = 1_000  # rows per staged INSERT on SQLite (within its variable limit)
SEP = "\x1f"  # joins the keys of a person look-up (chr(31), not a character of any key)
SQLITE_IMPORT_CACHE_KIB = 256 * 1024


@dataclass
class LineStage:
    """The scratch SQLite file ADBC writes on `thread`, loaded whole into the in-memory
    database attached to Django's connection as STAGE_DB (see line_stage)."""

    path: Path
    thread: threading.Thread | None = None
    error: BaseException | None = None


@contextmanager
def line_stage(rows: int) -> Iterator[LineStage | None]:
    """For a large SQLite import, attach an in-memory scratch database that a `LineInsert`
    fills through ADBC, outside Python's lock, while the caller does its own work; else yield
    None.

    Enter it before the import's transaction: SQLite cannot ATTACH within one (inside a caller's
    transaction this yields None and the lines go through the TEMP-table stage instead).
    """
    if connection.vendor != "sqlite" or rows <= CHUNK // 10 or connection.in_atomic_block:
        yield None
        return
    directory = Path(tempfile.mkdtemp(prefix="kafo-lines-"))
    stage = LineStage(directory / "stage.sqlite3")
    try:
        connection.ensure_connection()
        raw = connection.connection
        raw.execute(f"ATTACH DATABASE ':memory:' AS {STAGE_DB}")
        try:
            yield stage
        finally:
            if stage.thread is not None:
                stage.thread.join()  # never remove a file ADBC may still be writing
            raw.execute(f"DETACH DATABASE {STAGE_DB}")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


class LineInsert:
    """An insert of declaration lines (`frame`, columns LINE_COLUMNS), started when created,
    completed by `finish()` inside the import's transaction, which returns the number of lines.

    With a `stage` (line_stage), a thread sorts the lines and writes them through ADBC (C, no
    Python object per value, Python's lock released) while the caller goes on; `finish()` then
    copies them into the line table with one INSERT … SELECT. Without, all of it happens in
    `finish()`: COPY on PostgreSQL, the TEMP-table stage on SQLite.
    """

    def __init__(self, frame: pl.DataFrame, stage: LineStage | None = None):
        self.frame = frame.select(LINE_COLUMNS)
        self.stage = stage
        if stage is not None:
            order = _insert_order()  # here: the thread has no database connection of its own
            stage.thread = threading.Thread(target=_fill_stage, args=(stage, self.frame, order))
            stage.thread.start()

    def finish(self) -> int:
        table = DeclarationLine._meta.db_table
        if self.stage is None:
            lines = self.frame.sort(_insert_order(), nulls_last=True)
            _insert(table, lines, derived=_derived_line_columns(lines))
            return self.frame.height
        self.stage.thread.join()
        self.stage.thread = None
        if self.stage.error is not None:
            raise self.stage.error
        raw = connection.connection
        # The file ADBC wrote and closed becomes the attached database's content, whole: this
        # connection never reads the file while another SQLite library (ADBC's own) writes it.
        raw.deserialize(self.stage.path.read_bytes(), name=STAGE_DB)
        with _sqlite_import_cache(raw):
            _insert_select(raw, table, LINE_COLUMNS, f"{STAGE_DB}.lines", {})
        return self.frame.height


def _fill_stage(stage: LineStage, frame: pl.DataFrame, order: list[str]) -> None:
    """Write the sorted lines into a new SQLite file, table `lines`, and close it."""
    import adbc_driver_sqlite.dbapi as adbc

    try:
        table = frame.sort(order, nulls_last=True).to_arrow()
        with adbc.connect(str(stage.path)) as conn:
            with conn.cursor() as cur:
                cur.adbc_ingest("lines", table, mode="create")
            conn.commit()
    except BaseException as exc:  # noqa: BLE001 - handed to finish(), on the caller's thread
        stage.error = exc


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


PENDING_STAGE = "kafo_pending_stage"


def insert_pending(frame: pl.DataFrame, *, created_at) -> int:
    """Insert pending registrations (PENDING_COLUMNS but created_at); return the count."""
    stamp = connection.ops.adapt_datetimefield_value(created_at)
    frame = frame.with_columns(pl.lit(str(stamp)).alias("created_at")).select(PENDING_COLUMNS)
    table = PendingRegistration._meta.db_table
    if connection.vendor != "postgresql" or frame.height == 0:
        # SQLite: one writer at a time, and the caller read the pending ones in this transaction.
        _insert(table, frame)
        return frame.height
    # PostgreSQL: two imports for different employers may declare the same unknown worker at
    # once; the second skips what the first inserted (waiting for it to commit, in identity
    # order so two imports cannot deadlock) instead of failing on uniq_pending_identity.
    cols = ", ".join(frame.columns)
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {PENDING_STAGE}")
        cur.execute(
            f"CREATE TEMP TABLE {PENDING_STAGE} ON COMMIT DROP AS "  # noqa: S608 - constant names
            f"SELECT {cols} FROM {table} WITH NO DATA"
        )
    _insert(PENDING_STAGE, frame.sort("identity"))
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {PENDING_STAGE} "  # noqa: S608
            "ORDER BY identity ON CONFLICT (organisation_id, identity) DO NOTHING"
        )
        inserted = cur.rowcount
        cur.execute(f"DROP TABLE {PENDING_STAGE}")
    return inserted


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
    with _sqlite_import_cache(raw):
        raw.execute(f"DROP TABLE IF EXISTS temp.{STAGE}")
        derived = derived or {}
        staged = frame.drop(list(derived))
        raw.execute(f"CREATE TEMP TABLE {STAGE} ({', '.join(staged.columns)})")
        try:
            _stage_rows(raw, staged)
            _insert_select(raw, table, frame.columns, f"temp.{STAGE}", derived)
        finally:
            raw.execute(f"DROP TABLE temp.{STAGE}")


@contextmanager
def _sqlite_import_cache(raw) -> Iterator[None]:
    """Enlarge SQLite's page cache for one large insert (the indexes of a million-row insert do
    not fit in the default 2 MiB), then set it back."""
    (cache,) = raw.execute("PRAGMA cache_size").fetchone()
    raw.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA cache_size = {int(cache)}")


def _insert_select(raw, table: str, columns, source: str, derived: dict[str, str]) -> None:
    """INSERT INTO table (columns) the rows of `source`, which has every column but the
    `derived` ones (computed by SQL), in the source's row order."""
    values = ", ".join(f"({derived[c]})" if c in derived else c for c in columns)
    cols = ", ".join(columns)
    raw.execute(f"INSERT INTO {table} ({cols}) SELECT {values} FROM {source}")  # noqa: S608


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
