"""Link person records into persons: the entry point the command line and the system call.

    result = link(records)                    # DuckDB, in process
    result = link(records, engine="spark")    # the same SQL on Spark
    result.clusters   # record_id, person_id (one row per input record)
    result.pairs      # scored candidate pairs above the review floor, with agreement levels
    explain(row)      # a pair's agreements in words, for the review queue

`records` is a Polars frame, an Arrow table or a list of dicts with the columns record_id,
source, family_name, given_names, sex, birth_date, birth_place, mother_name, national_id.
"""

# SQL here is assembled from names and literals of this package only; record values reach
# the engines as loaded tables, never as SQL text.
# ruff: noqa: S608

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from kafo.identity.linkage import model
from kafo.identity.linkage.engines import make_engine
from kafo.identity.linkage.normalise import normalise

# Link a pair when its match weight reaches this (probability about 0.9).
DEFAULT_THRESHOLD = 3.0
# Pairs kept in `pairs` for review start here (probability about 0.1).
REVIEW_FLOOR = -3.0
MAX_CUT_ROUNDS = 50
STEPS = ("normalise", "block", "compare", "train", "score", "cluster")


@dataclass
class LinkResult:
    clusters: pl.DataFrame
    pairs: pl.DataFrame
    parameters: model.Parameters
    seconds: dict[str, float] = field(default_factory=dict)
    candidate_pairs: int = 0


def probability(weight: float) -> float:
    return 1 / (1 + 2.0 ** (-weight))


def explain(pair: dict) -> list[str]:
    """Return, field by field, how the two records of a scored pair agree."""
    lines = []
    for name, levels in model.LEVELS.items():
        level = pair.get(f"g_{name}")
        lines.append(f"{name}: {'missing' if level is None or level < 0 else levels[level]}")
    if pair.get("swapped"):
        lines.append("names: family and given names entered the other way round")
    if pair.get("guard"):
        lines.append("guard: never linked (different national ids, or twins)")
    return lines


def link(
    records,
    *,
    engine: str = "duckdb",
    threshold: float = DEFAULT_THRESHOLD,
    engine_options: dict | None = None,
    on_step: Callable[[str], None] | None = None,
) -> LinkResult:
    """Return the clusters of `records` and the scored pairs behind them."""
    runner = _Run(make_engine(engine, **(engine_options or {})), on_step)
    try:
        return runner.run(records, threshold)
    finally:
        runner.engine.close()


class _Run:
    """One linkage run on one engine; each method is one step of the model."""

    def __init__(self, engine, on_step: Callable[[str], None] | None):
        self.engine = engine
        self.on_step = on_step or (lambda step: None)
        self.seconds: dict[str, float] = {}
        self._started = time.perf_counter()

    def _done(self, step: str) -> None:
        now = time.perf_counter()
        self.seconds[step] = round(now - self._started, 3)
        self._started = now
        self.on_step(step)

    def run(self, records, threshold: float) -> LinkResult:
        rec = normalise(records)
        self.engine.load("rec", rec)
        self._done("normalise")
        self.engine.create("pairs", model.blocked_pairs_sql())
        self._done("block")
        self.engine.create("comparisons", model.comparison_sql("pairs"))
        self._done("compare")
        params = self._train(rec.height)
        self._done("train")
        self.engine.create("scores", model.score_sql("comparisons", params))
        self._done("score")
        clusters = self._cluster(threshold)
        self._done("cluster")
        return LinkResult(
            clusters=clusters,
            pairs=self._pairs(threshold),
            parameters=params,
            seconds=self.seconds,
            candidate_pairs=self.engine.scalar("SELECT count(*) FROM pairs"),
        )

    def _train(self, record_count: int) -> model.Parameters:
        self.engine.create("random_pairs", model.random_pairs_sql(record_count))
        self.engine.create("random_comparisons", model.comparison_sql("random_pairs"))
        u = model.estimate_u(self._patterns("random_comparisons"))
        sessions: dict = {}
        start = None
        for name, (condition, fields) in model.TRAINING_SESSIONS.items():
            size = int(self.engine.scalar(model.session_size_sql(condition)) or 0)
            modulus = max(1, -(-size // model.TRAINING_PAIRS))
            self.engine.create("training_pairs", model.session_pairs_sql(condition, modulus))
            self.engine.create("training_comparisons", model.comparison_sql("training_pairs"))
            m, share = model.expectation_maximisation(
                self._patterns("training_comparisons"), u, fields, start
            )
            sessions[name] = (m, share, size)
            start = {f: m[f] for f in fields}  # the next session starts from what was learnt
        params = model.combine_sessions(u, sessions, record_count)
        counts = {
            name: self.engine.frame(model.tf_counts_sql(name)).sort("key").to_dicts()
            for name in model.TF_FIELDS
        }
        params.tf_adjustments = model.tf_adjustments(params, counts)
        for name, by_level in params.tf_adjustments.items():
            self._load_tf_table(name, by_level)
        for table in ("random_pairs", "random_comparisons", "training_pairs"):
            self.engine.drop(table)
        self.engine.drop("training_comparisons")
        return params

    def _patterns(self, table: str) -> list[dict]:
        # Sorted so that EM sums in the same order on every engine: identical parameters.
        cols = [f"g_{f}" for f in model.FIELDS]
        return self.engine.frame(model.pattern_counts_sql(table)).sort(cols).to_dicts()

    def _load_tf_table(self, name: str, by_level: dict[int, list[tuple[str, float]]]) -> None:
        levels = sorted(by_level)
        keys = [key for key, _ in by_level[levels[0]]]
        columns: dict[str, list] = {"key": keys}
        for level in levels:
            columns[f"adj{level}"] = [adj for _, adj in by_level[level]]
        self.engine.load(f"tf_{name}", pl.DataFrame(columns))

    def _cluster(self, threshold: float) -> pl.DataFrame:
        self.engine.create("edges", model.edges_sql("scores", threshold))
        self._components()
        for _ in range(MAX_CUT_ROUNDS):
            self.engine.create("conflicts", model.conflicts_sql("scores", "labels"))
            if self.engine.scalar("SELECT count(*) FROM conflicts") == 0:
                break
            self.engine.create("edges_cut", model.cut_weakest_sql("edges", "labels", "conflicts"))
            self.engine.create("edges", "SELECT * FROM edges_cut")
            self._components()
        return self.engine.frame(model.clusters_sql("labels")).sort("record_id")

    def _components(self) -> None:
        """Connected components of `edges` into `labels` (rid, cid = smallest rid)."""
        self.engine.create("labels", model.initial_labels_sql("edges"))
        for _ in range(64):  # cluster diameters are small; 64 is a safety stop
            self.engine.create("labels_next", model.propagate_sql("labels", "edges"))
            changed = self.engine.scalar(model.changed_sql("labels_next", "labels"))
            self.engine.create("labels", "SELECT * FROM labels_next")
            if changed == 0:
                break

    def _pairs(self, threshold: float) -> pl.DataFrame:
        levels = ", ".join(f"s.g_{f}" for f in model.FIELDS)
        frame = self.engine.frame(
            "SELECT a.record_id AS l_record_id, b.record_id AS r_record_id, "
            f"s.match_weight, s.guard, s.swapped, {levels} FROM scores s "
            "JOIN rec a ON a.rid = s.l_rid JOIN rec b ON b.rid = s.r_rid "
            f"WHERE s.match_weight >= {REVIEW_FLOOR}"
        )
        return frame.with_columns(
            pl.col("match_weight").round(9),
            (1 / (1 + (2.0 ** (-pl.col("match_weight"))))).round(9).alias("match_probability"),
            ((pl.col("match_weight") >= threshold) & ~pl.col("guard")).alias("linked"),
        ).sort("l_record_id", "r_record_id")


__all__ = ["link", "explain", "probability", "LinkResult", "STEPS"]
