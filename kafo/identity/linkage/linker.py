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

from kafo.identity.linkage import model, review
from kafo.identity.linkage.engines import make_engine
from kafo.identity.linkage.normalise import normalise

# Link a pair when its match weight reaches this (probability about 0.9).
DEFAULT_THRESHOLD = 3.0
# Pairs kept in `pairs` for review start here (probability about 0.1).
REVIEW_FLOOR = -3.0
# From this many candidate pairs, clustering first finds the connected components of the links
# so that it reads only the cannot-link pairs inside one (below, the components cost more jobs
# than they save; the clusters are the same either way).
COMPONENTS_FROM = 1_000_000
MAX_MERGE_ROUNDS = 64  # each round merges at least one pair; clusters are small
STEPS = ("normalise", "block", "train", "compare", "score", "cluster")
# Candidate pairs are in `scores`; pairs two links apart that no rule compared, in `hop_scores`.
ALL_SCORES = "(SELECT * FROM scores UNION ALL SELECT * FROM hop_scores)"


@dataclass
class LinkResult:
    """`clusters`: what is linked automatically (near certain); `proposed`: the engine's whole
    clustering (today's two outcomes); `review`: the pairs to ask a person about, most useful
    first (record_a, record_b, probability, reason, reason_code, value); the rest stays apart."""

    clusters: pl.DataFrame
    pairs: pl.DataFrame
    parameters: model.Parameters
    seconds: dict[str, float] = field(default_factory=dict)
    candidate_pairs: int = 0
    proposed: pl.DataFrame | None = None
    review: pl.DataFrame | None = None


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
    auto_threshold: float = review.AUTO_THRESHOLD,
    review_budget: float = review.DEFAULT_REVIEW_BUDGET,
    must_link: list[tuple[str, str]] | tuple = (),
    cannot_link: list[tuple[str, str]] | tuple = (),
) -> LinkResult:
    """Return the clusters of `records`, the review items and the scored pairs behind them.

    `must_link` / `cannot_link`: pairs of record_ids a reviewer answered "same person" / "not
    the same"; every rebuild keeps them (a cannot-link is never crossed, a must-link always
    joins, whatever the scores; an unknown record_id is ignored)."""
    runner = _Run(make_engine(engine, **(engine_options or {})), on_step)
    runner.constraints = (list(must_link), list(cannot_link))
    try:
        result = runner.run(records, threshold)
    finally:
        runner.engine.close()
    must, cannot = _constraint_frame(must_link), _constraint_frame(cannot_link)
    decided = pl.concat([must, cannot])
    result.proposed = result.clusters
    result.clusters = review.automatic_clusters(
        result.proposed, result.pairs, auto_threshold, must_link=must, cannot_link=cannot
    )
    result.review = review.select_review(
        result.pairs,
        result.proposed,
        result.clusters,
        result.clusters.height,
        review_budget,
        decided=decided,
    )
    return result


def _constraint_frame(pairs) -> pl.DataFrame:
    rows = [(min(a, b), max(a, b)) for a, b in pairs if a != b]
    return pl.DataFrame(
        rows, schema={"l_record_id": pl.String, "r_record_id": pl.String}, orient="row"
    )


class _Run:
    """One linkage run on one engine; each method is one step of the model."""

    def __init__(self, engine, on_step: Callable[[str], None] | None):
        self.engine = engine
        self.constraints: tuple[list, list] = ([], [])
        self.extra: tuple[str, ...] = model.EXTRA_FIELDS
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
        record_count = rec.height
        # extra evidence that some record has: the others are not compared at all
        self.extra = tuple(
            name
            for name, columns in model.EXTRA_RECORD_FIELDS.items()
            if rec.get_column(columns[0]).null_count() < record_count
        )
        del rec  # the engine holds its own copy; a million records' frame is worth freeing
        self._done("normalise")
        for name, sql in model.BLOCKING_TABLES.items():
            self.engine.create(name, sql)
        self.engine.create("blocked", model.blocked_pairs_sql())
        for name in model.BLOCKING_TABLES:
            self.engine.drop(name)
        # oriented in a statement of its own: in the blocking one, the join ran beside the
        # rules' distinct pairs (200,000 persons: blocking's peak 844 -> 973 MiB; 857 this way)
        self.engine.create("pairs", model.oriented_pairs_sql("blocked"))
        self.engine.drop("blocked")
        self._done("block")
        candidate_pairs = self.engine.scalar("SELECT count(*) FROM pairs")
        # Training reads its own pairs, so the candidate pairs are compared and weighed in one
        # statement: the largest table of a run is written once.
        params = self._train(record_count)
        self._done("train")
        self.engine.create("scores", model.score_sql(f"({self._comparison('pairs')})", params))
        self._done("compare")
        hops = f"({model.hop_pairs_sql('scores', 'pairs', threshold)})"
        self.engine.create("hops", model.oriented_pairs_sql(hops))
        self.engine.drop("pairs")
        self.engine.create("hop_scores", model.score_sql(f"({self._comparison('hops')})", params))
        self.engine.drop("hops")
        self._done("score")
        clusters = self._cluster(threshold, candidate_pairs)
        self._done("cluster")
        pairs = self._pairs()
        self.engine.drop("links")
        return LinkResult(
            clusters=clusters,
            pairs=pairs,
            parameters=params,
            seconds=self.seconds,
            candidate_pairs=candidate_pairs,
        )

    def _train(self, record_count: int) -> model.Parameters:
        # Training pairs are stored only as rid pairs and their orientation: their pattern
        # counts come back, never their comparisons (fewer jobs on Spark, less memory on DuckDB).
        random_pairs = f"({model.random_pairs_sql(record_count)})"
        u = model.estimate_u(self._training_patterns(random_pairs))
        sessions: dict = {}
        start = None
        for name, (condition, fields) in model.TRAINING_SESSIONS.items():
            size = int(self.engine.scalar(model.session_size_sql(condition)) or 0)
            modulus = max(1, -(-size // model.TRAINING_PAIRS))
            session_pairs = f"({model.session_pairs_sql(condition, modulus)})"
            m, share = model.expectation_maximisation(
                self._training_patterns(session_pairs), u, fields, start
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
        return params

    def _training_patterns(self, pairs_sql: str) -> list[dict]:
        """The pattern counts of training pairs, oriented in a table of their own (three
        columns, dropped at once) and compared."""
        self.engine.create("training_pairs", model.oriented_pairs_sql(pairs_sql))
        patterns = self._patterns(self._comparison("training_pairs"))
        self.engine.drop("training_pairs")
        return patterns

    def _comparison(self, pairs_table: str) -> str:
        return model.comparison_sql(pairs_table, self.extra)

    def _patterns(self, comparisons_sql: str) -> list[dict]:
        # Sorted so that EM sums in the same order on every engine: identical parameters.
        cols = [f"g_{f}" for f in model.FIELDS]
        counts = model.pattern_counts_sql(f"({comparisons_sql}) c")
        return self.engine.frame(counts).sort(cols).to_dicts()

    def _load_tf_table(self, name: str, by_level: dict[int, list[tuple[str, float]]]) -> None:
        levels = sorted(by_level)
        keys = [key for key, _ in by_level[levels[0]]]
        columns: dict[str, list] = {"key": keys}
        for level in levels:
            columns[f"adj{level}"] = [adj for _, adj in by_level[level]]
        self.engine.load(f"tf_{name}", pl.DataFrame(columns))

    def _cluster(self, threshold: float, candidate_pairs: int) -> pl.DataFrame:
        """Merge clusters that pick each other as best neighbour, round after round."""
        links = model.links_sql(f"{ALL_SCORES} s", threshold)
        constrained = self._load_constraints()
        if constrained:
            links = model.constrained_links_sql(links, "cannot_pairs")
        self.engine.create("links", links)
        if candidate_pairs >= COMPONENTS_FROM:
            # Keep only the cannot-link pairs inside a connected component of the links.
            self._components()
            components = "components"
        else:  # few pairs: every record in one component, the same clusters for fewer jobs
            components = "(SELECT rid, 0 AS comp FROM rec)"
        edges = model.edges_sql(f"{ALL_SCORES} s", "links", components)
        if constrained:
            edges = model.constrained_edges_sql(edges, "must_pairs", "cannot_pairs")
        self.engine.create("edges", edges)
        self.engine.drop("components")  # `links` is read again by `_pairs`
        labels, spare = "labels", "labels_next"
        self.engine.create(labels, model.initial_labels_sql("edges"))
        self.rounds = 0
        for _ in range(MAX_MERGE_ROUNDS):
            self.rounds += 1
            self.engine.create("cluster_links", model.cluster_links_sql("edges", labels))
            self.engine.create("ranked", model.ranked_sql("cluster_links"))
            self.engine.create("ambiguous", model.ambiguous_sql("ranked", "cluster_links"))
            self.engine.create("choices", model.choices_sql("ranked", "ambiguous"))
            merges = model.merges_sql("choices")
            if self.engine.scalar(f"SELECT count(*) FROM ({merges}) m") == 0:
                break
            self.engine.create(spare, model.relabel_sql(labels, "choices"))
            labels, spare = spare, labels
        clusters = self.engine.frame(model.clusters_sql(labels)).sort("record_id")
        for table in ("cluster_links", "ranked", "ambiguous", "choices", "edges"):
            self.engine.drop(table)
        for table in ("labels", "labels_next", "must_pairs", "cannot_pairs"):
            self.engine.drop(table)
        return clusters

    def _load_constraints(self) -> bool:
        """Load the reviewers' answers as rid pairs (must_pairs, cannot_pairs); False if none."""
        must, cannot = self.constraints
        if not (must or cannot):
            return False
        rids = self.engine.frame("SELECT record_id, rid FROM rec")
        index = dict(zip(rids["record_id"], rids["rid"], strict=True))
        for name, pairs in (("must_pairs", must), ("cannot_pairs", cannot)):
            rows = sorted(
                {
                    (min(index[a], index[b]), max(index[a], index[b]))
                    for a, b in pairs
                    if a in index and b in index and a != b
                }
            )
            frame = pl.DataFrame(rows, schema={"l_rid": pl.Int64, "r_rid": pl.Int64}, orient="row")
            self.engine.load(name, frame)
        return True

    def _components(self) -> None:
        """Connected components of `links` into `components` (rid, comp = smallest rid)."""
        self.engine.create("components", model.component_start_sql("links"))
        for _ in range(64):  # component diameters are small; 64 is a safety stop
            self.engine.create("components_next", model.propagate_sql("components", "links"))
            changed = self.engine.scalar(model.changed_sql("components_next", "components"))
            self.engine.create("components", "SELECT * FROM components_next")
            if changed == 0:
                break
        self.engine.drop("components_next")

    def _pairs(self) -> pl.DataFrame:
        levels = ", ".join(f"s.g_{f}" for f in model.FIELDS)
        frame = self.engine.frame(
            "SELECT a.record_id AS l_record_id, b.record_id AS r_record_id, "
            f"s.match_weight, s.guard, s.swapped, {levels}, "
            "k.l_rid IS NOT NULL AS linked "
            f"FROM {ALL_SCORES} s "
            "JOIN rec a ON a.rid = s.l_rid JOIN rec b ON b.rid = s.r_rid "
            "LEFT JOIN (SELECT DISTINCT l_rid, r_rid FROM links) k "
            "ON k.l_rid = s.l_rid AND k.r_rid = s.r_rid "
            f"WHERE s.match_weight >= {REVIEW_FLOOR}"
        )
        return (
            frame.with_columns(pl.col(f"g_{f}").cast(pl.Int32) for f in model.FIELDS)
            .with_columns(
                pl.col("match_weight").round(9),
                (1 / (1 + (2.0 ** (-pl.col("match_weight"))))).round(9).alias("match_probability"),
            )
            .select(pl.exclude("linked"), "linked")
            .sort("l_record_id", "r_record_id")
        )


__all__ = ["link", "explain", "probability", "LinkResult", "STEPS"]
