"""What the benchmarks share: their own PostgreSQL database, and a plain bulk insert of a
Polars frame (COPY on PostgreSQL, executemany on SQLite) for the data they set up."""

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
