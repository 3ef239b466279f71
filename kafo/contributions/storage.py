"""Set-based inserts of declaration lines: COPY on PostgreSQL, executemany on SQLite.

Called only from services, inside their transaction. No Python loop of ORM saves.
"""

from __future__ import annotations

import io

import polars as pl
from django.db import connection

from .models import DeclarationLine

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
CHUNK = 200_000


def insert_lines(frame: pl.DataFrame) -> int:
    """Insert `frame` (columns LINE_COLUMNS) into the declaration line table; return the count."""
    frame = frame.select(LINE_COLUMNS)
    table = DeclarationLine._meta.db_table
    cols = ", ".join(LINE_COLUMNS)
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
    else:
        marks = ", ".join(["%s"] * len(LINE_COLUMNS))
        with connection.cursor() as cur:
            for start in range(0, frame.height, CHUNK):
                cur.executemany(
                    f"INSERT INTO {table} ({cols}) VALUES ({marks})",  # noqa: S608 - constant names
                    frame.slice(start, CHUNK).rows(),
                )
    return frame.height
