"""SQL engines the linkage model runs on: DuckDB on one machine, Spark when the zone outgrows it.

The model is written once as SQL that both dialects accept (equi-joins, CASE, levenshtein,
abs, least, min/count): an engine only has to load a table, materialise a query under a name,
and hand results back as a Polars frame.
"""

# SQL here is assembled from names and literals of this package only; record values reach
# the engines as loaded tables, never as SQL text.
# ruff: noqa: S608

from __future__ import annotations

import os

import polars as pl


class DuckDBEngine:
    """In-process DuckDB; `memory_limit` like '3GB' keeps big runs inside a budget."""

    name = "duckdb"

    def __init__(
        self,
        threads: int | None = None,
        memory_limit: str | None = None,
        temp_directory: str | None = None,
    ):
        import tempfile

        import duckdb

        self.connection = duckdb.connect(":memory:")
        if threads:
            self.connection.execute(f"SET threads = {int(threads)}")
        if memory_limit:
            self.connection.execute(f"SET memory_limit = '{memory_limit}'")
            # Past the limit, joins, aggregates and sorts spill here instead of failing.
            self._spill = tempfile.TemporaryDirectory(prefix="kafo-linkage-", dir=temp_directory)
            self.connection.execute(f"SET temp_directory = '{self._spill.name}'")
        self.connection.execute("SET preserve_insertion_order = false")

    def load(self, name: str, frame: pl.DataFrame) -> None:
        arrow = frame.to_arrow()  # noqa: F841 (read by DuckDB through the local name)
        self.connection.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM arrow")

    def create(self, name: str, sql: str) -> None:
        self.connection.execute(f"CREATE OR REPLACE TABLE {name} AS {sql}")

    def frame(self, sql: str) -> pl.DataFrame:
        return pl.from_arrow(self.connection.sql(sql).to_arrow_table())

    def scalar(self, sql: str):
        return self.connection.sql(sql).fetchall()[0][0]

    def drop(self, name: str) -> None:
        self.connection.execute(f"DROP TABLE IF EXISTS {name}")

    def close(self) -> None:
        self.connection.close()
        if getattr(self, "_spill", None) is not None:
            self._spill.cleanup()


class SparkEngine:
    """Spark SQL (local mode by default); tables are checkpointed DataFrames behind views."""

    name = "spark"

    def __init__(
        self,
        session=None,
        master: str = "local[2]",
        partitions: int = 8,
        small: bool = False,
    ):
        # Tiny inputs (tests, one organisation): one partition, one core; more only add tasks.
        self.small = small
        if small and session is None:
            master, partitions = "local[1]", 1
        self.session = session or _local_session(master, partitions, small)
        if small:
            # Tiny inputs: planning and code generation cost more than the data; turn them down.
            for key, value in SMALL_DATA_CONF.items():
                self.session.conf.set(key, value)

    def load(self, name: str, frame: pl.DataFrame) -> None:
        data = self.session.createDataFrame(frame.to_arrow())
        if self.small:
            data = data.coalesce(1)
        data.createOrReplaceTempView(name)

    def create(self, name: str, sql: str) -> None:
        # Checkpointing cuts the lineage so that iterative steps (clustering) stay cheap.
        self.session.sql(sql).localCheckpoint(eager=True).createOrReplaceTempView(name)

    def frame(self, sql: str) -> pl.DataFrame:
        return pl.from_arrow(self.session.sql(sql).toArrow())

    def scalar(self, sql: str):
        return self.session.sql(sql).collect()[0][0]

    def drop(self, name: str) -> None:
        self.session.catalog.dropTempView(name)

    def close(self) -> None:
        """Leave the session running: starting Spark costs seconds, callers may reuse it."""


SMALL_DATA_CONF = {
    "spark.sql.shuffle.partitions": "1",
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
}


def _local_session(master: str, partitions: int, small: bool = False):
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", os.sys.executable)
    builder = SparkSession.builder
    if small:
        # A short run on tiny data: the JVM's optimising compiler and parallel collector cost
        # more CPU than they save (only applies when this call starts the JVM).
        builder = builder.config(
            "spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
        )
    return (
        builder.master(master)
        .appName("kafo-linkage")
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.default.parallelism", str(partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", "2g")
        .config("spark.sql.ansi.enabled", "false")
        .getOrCreate()
    )


def make_engine(name: str, **options):
    """Return the engine called `name` ("duckdb" or "spark")."""
    if name == "duckdb":
        return DuckDBEngine(**options)
    if name == "spark":
        return SparkEngine(**options)
    raise ValueError(f"unknown engine: {name}")
