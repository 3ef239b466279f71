"""Ceiling: the best pairwise F1 any rule could reach on the fields the test records carry.

    .venv/bin/python bench/linkage_ceiling.py                   # 20,000 and 200,000 persons
    .venv/bin/python bench/linkage_ceiling.py --sizes 20000

For each size, the cached test set of bench/linkage.py (same SEED, same --cache; generated if
missing) is linked once by the linker's own run (`linker._Run`, what `link()` calls before closing
its engine, here on a DuckDB engine left open), so that the candidate pairs and their comparison
levels are the linker's own tables: `scores` (pairs of the blocking rules) and `hop_scores`
(pairs two links apart). Then, with the truth joined:

- blocking loss: true pairs that are never candidates (neither blocked nor two links apart);
- oracle A: candidate pairs grouped by their comparison vector (every `g_*` level and `swapped`;
  "A + tf" adds the order of magnitude of the family, given and place key frequencies that the
  term-frequency correction reads); a pattern is "match" when true pairs are its majority;
- oracle B: the same vote on a finer signature of raw agreement on the normalised fields
  (folded names, each given key, date parts and precision, place key, mother, id, sex, same
  organisation) plus how common the family + first given key is in the whole set;
- "+ context": the same with what clustering sees beyond the pair (each record's rivals weighing
  0 or more, whether the pair is its record's best candidate, homonyms born the same year).

Precision, recall and F1 are pairwise over ALL true pairs (never-candidates are missed) and ignore
clustering: a majority vote per pattern with the labels is the best any pairwise rule on that
signature can do on this set, and an optimistic one where patterns are small (a pattern of one
pair is always "right"; the share of pairs in patterns of fewer than HELD_OUT_SUPPORT is
printed). "held-out" decides each half of the pairs by the other half's votes (a learner, not a
bound). Kafo's F1 is its clusters scored with evaluation.py; its pairs are set against oracle B's
decisions. The ten patterns of oracle B that lose most F1 (F1 gained if the pattern alone could be
split perfectly) are the pairs these fields cannot tell apart.

The last line reads `ceiling_a_f1=F ceiling_b_f1=F never_compared=S kafo_f1=F` for the largest
size (A with term frequencies, B without context; never_compared: share of true pairs that are
never candidates).
"""

# SQL here is assembled from names and literals of this script and the linkage package only;
# record values reach DuckDB as loaded tables.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.linkage import SEED, ensure_test_set  # noqa: E402

MEMORY_LIMIT = "2500MB"  # as bench/linkage.py gives the linker

# Oracle B: one signature column per field, raw agreement on the normalised fields. `a` is the
# left record, `o_*` the right record's fields oriented like the linker's (family and given
# names crosswise when `swapped`).
_SIGNATURE_B = {
    "swapped": "s.swapped",
    "family": """CASE WHEN a.fk IS NULL OR o_fk IS NULL THEN 'missing'
        WHEN a.ffold = o_ffold THEN 'same text' WHEN a.fam = o_fam THEN 'same keys'
        WHEN a.fk = o_fk THEN 'same first key' WHEN a.fsk = o_fsk THEN 'same skeleton'
        ELSE 'different' END""",
    "given_text": """CASE WHEN a.gfold IS NULL OR o_gfold IS NULL THEN 'missing'
        WHEN a.gfold = o_gfold THEN 'same text' ELSE 'other text' END""",
    "given1": """CASE WHEN a.gk1 IS NULL OR o_gk1 IS NULL THEN 'missing'
        WHEN a.gk1 = o_gk1 THEN 'same key' WHEN a.gk1 = o_gk2 OR a.gk2 = o_gk1 THEN 'crossed'
        WHEN a.gsk = o_gsk THEN 'same skeleton' ELSE 'different' END""",
    "given2": """CASE WHEN a.gk2 IS NULL AND o_gk2 IS NULL THEN 'none'
        WHEN a.gk2 IS NULL OR o_gk2 IS NULL THEN 'one side'
        WHEN a.gk2 = o_gk2 THEN 'same key' ELSE 'different' END""",
    "date": """CASE WHEN a.yr IS NULL OR b.yr IS NULL THEN 'missing'
        WHEN a.yr = b.yr AND a.rmo = b.rmo AND a.rdy = b.rdy THEN 'same date'
        WHEN a.yr = b.yr AND a.rmo = b.rdy AND a.rdy = b.rmo THEN 'day-month swapped'
        WHEN abs(a.yr - b.yr) = 1 AND a.rmo = b.rmo AND a.rdy = b.rdy THEN 'same d-m, year +-1'
        WHEN abs(a.yr - b.yr) = 2 AND a.rmo = b.rmo AND a.rdy = b.rdy THEN 'same d-m, year +-2'
        WHEN a.yr = b.yr THEN 'same year' WHEN abs(a.yr - b.yr) = 1 THEN 'year +-1'
        WHEN abs(a.yr - b.yr) = 2 THEN 'year +-2' ELSE 'years apart' END""",
    "date_kinds": "least(a.dkind, b.dkind) || '/' || greatest(a.dkind, b.dkind)",
    "place": """CASE WHEN a.place IS NULL OR b.place IS NULL THEN 'missing'
        WHEN a.place = b.place THEN 'same' ELSE 'different' END""",
    "mother": """CASE WHEN a.mother IS NULL AND b.mother IS NULL THEN 'both missing'
        WHEN a.mother IS NULL OR b.mother IS NULL THEN 'one missing'
        WHEN a.mother = b.mother THEN 'same' WHEN levenshtein(a.mother, b.mother) <= 3 THEN 'close'
        ELSE 'different' END""",
    "nid": """CASE WHEN a.nid IS NULL AND b.nid IS NULL THEN 'both missing'
        WHEN a.nid IS NULL OR b.nid IS NULL THEN 'one missing' WHEN a.nid = b.nid THEN 'same'
        WHEN length(a.nid) = length(b.nid) AND levenshtein(a.nid, b.nid) <= 2 THEN 'typo'
        ELSE 'different' END""",
    "sex": """CASE WHEN a.sex IS NULL OR b.sex IS NULL THEN 'missing'
        WHEN a.sex = b.sex THEN 'same' ELSE 'different' END""",
    "same_org": "a.source = b.source",
    "name_count": """CASE WHEN greatest(a.ncount, b.ncount) = 1 THEN '1'
        WHEN greatest(a.ncount, b.ncount) <= 5 THEN '2-5'
        WHEN greatest(a.ncount, b.ncount) <= 20 THEN '6-20'
        WHEN greatest(a.ncount, b.ncount) <= 100 THEN '21-100' ELSE '>100' END""",
}
_ORIENTED = {  # right record's column as compared with the left's, names crosswise if swapped
    "fk": ("fk", "gk1"),
    "fam": ("fam", "giv"),
    "fsk": ("fsk", "gsk"),
    "ffold": ("ffold", "gfold"),
    "gk1": ("gk1", "fk"),
    "gk2": ("gk2", "fk2"),
    "gsk": ("gsk", "fsk"),
    "gfold": ("gfold", "ffold"),
}


def _log10_bucket(column: str) -> str:
    return f"CAST(floor(log10({column})) AS INTEGER)"


def _signature_a(model, tf: bool) -> dict[str, str]:
    """Oracle A: the linker's levels; with `tf`, the magnitude of the key frequencies that the
    term-frequency correction reads, where it applies (the same keys and levels)."""
    columns = {f"g_{name}": f"s.g_{name}" for name in model.FIELDS} | {"swapped": "s.swapped"}
    if tf:
        for name, (_column, levels) in model.TF_FIELDS.items():
            applies = " OR ".join(f"s.g_{name} = {level}" for level in levels)
            columns[f"tf_{name}"] = (
                f"CASE WHEN {applies} THEN {_log10_bucket(f'tf_{name}.n')} ELSE -1 END"
            )
    return columns


def _extra_fields(records):
    """Per record, what normalise() does not keep: folded family and given names, the month and
    day as written (normalise drops them for "born about" dates) and the date's precision."""
    import polars as pl

    from kafo.registry.domain.names import fold

    def folded(column: str) -> pl.Expr:
        values = records.get_column(column).unique().drop_nulls().to_list()
        table = {v: fold(v) or None for v in values}
        return pl.col(column).replace_strict(table, default=None, return_dtype=pl.String)

    text = pl.col("birth_date").str.strip_chars()
    month = text.str.slice(5, 2).cast(pl.Int32, strict=False)
    day = text.str.slice(8, 2).cast(pl.Int32, strict=False)
    year = text.str.slice(0, 4).cast(pl.Int32, strict=False)
    conventional = ((month == 12) & (day == 31)) | ((month == 1) & (day == 1))
    kind = (
        pl.when(year.is_null())
        .then(pl.lit("none"))
        .when(day.is_null())
        .then(pl.lit("year"))
        .when(conventional)
        .then(pl.lit("31/12"))
        .otherwise(pl.lit("exact"))
    )
    return records.select(
        "record_id",
        folded("family_name").alias("ffold"),
        folded("given_names").alias("gfold"),
        month.alias("rmo"),
        day.alias("rdy"),
        kind.alias("dkind"),
    )


# Context of a pair among the other candidates of its two records (what clustering reads and a
# pairwise rule does not): rivals (other candidates weighing SOLE_LINK_WEIGHT or more, Kafo's
# "sole link" test), whether the pair is its record's best candidate, and how many records of
# the same family and first given key were born that year (the homonyms around it).
_CONTEXT = {
    "rivals": """least(ra.rivals, rb.rivals) || '/' || greatest(ra.rivals, rb.rivals)""",
    "best": """least(ra.best, rb.best) || '/' || greatest(ra.best, rb.best)""",
    "year_crowd": """CASE WHEN greatest(a.crowd, b.crowd) = 1 THEN '1'
        WHEN greatest(a.crowd, b.crowd) <= 5 THEN '2-5'
        WHEN greatest(a.crowd, b.crowd) <= 15 THEN '6-15' ELSE '>15' END""",
}


def _side_context(side: str, rid: str, weight_floor: str) -> str:
    """Per pair and one of its records: that record's rivals (bucketed) and best status."""
    return (
        f"(SELECT CASE WHEN n - own = 0 THEN '0' WHEN n - own = 1 THEN '1' "
        f"WHEN n - own <= 3 THEN '2-3' ELSE '4+' END AS rivals, "
        f"CASE WHEN c.w < top THEN 'other' WHEN at_top = 1 THEN 'best' ELSE 'tied' END AS best "
        f"FROM recctx x, (SELECT CASE WHEN c.w >= {weight_floor} THEN 1 ELSE 0 END AS own) o "
        f"WHERE x.rid = c.{rid}) {side}"
    )


def _candidate_table(engine, model, linker) -> dict[str, list[str]]:
    """`cand`: every pair the linker compared (blocked or two links apart) with its truth, its
    Kafo cluster outcome, the columns of every signature, a hash per signature and a fold."""
    tf_joins = " ".join(
        f"LEFT JOIN (SELECT {model.TF_KEY_COLUMN[name]} AS key, count(*) AS n FROM rec "
        f"GROUP BY 1) tf_{name} ON tf_{name}.key = s.{column}"
        for name, (column, _) in model.TF_FIELDS.items()
    )
    oriented = ", ".join(
        f"CASE WHEN s.swapped THEN b.{crossed} ELSE b.{straight} END AS o_{name}"
        for name, (straight, crossed) in _ORIENTED.items()
    )
    a_tf = _signature_a(model, tf=True)
    select = [f"{sql} AS a_{name}" for name, sql in a_tf.items()]
    select += [f"{sql} AS b_{name}" for name, sql in _SIGNATURE_B.items()]
    threshold = repr(float(linker.DEFAULT_THRESHOLD))
    engine.create(
        "cand_fields",
        "SELECT s.l_rid, s.r_rid, s.hop, s.match_weight AS w, "
        "a.pid = b.pid AS is_true, a.kid = b.kid AS kafo, "
        "(s.l_rid * 7919 + s.r_rid) % 2 AS fold, "
        f"s.match_weight >= {threshold} AND NOT s.guard AS kafo_pairwise, "
        + ", ".join(select)
        + " FROM (SELECT *, false AS hop FROM scores UNION ALL "
        "SELECT *, true AS hop FROM hop_scores) s "
        "JOIN recx a ON a.rid = s.l_rid JOIN recx b ON b.rid = s.r_rid "
        f"CROSS JOIN LATERAL (SELECT {oriented}) o {tf_joins}",
    )
    floor = repr(float(model.SOLE_LINK_WEIGHT))
    both_ways = "SELECT l_rid AS rid, w FROM cand_fields UNION ALL SELECT r_rid, w FROM cand_fields"
    engine.create(
        "recctx",
        f"SELECT rid, count(*) FILTER (w >= {floor}) AS n, max(w) AS top, "
        "count(*) FILTER (w = top) AS at_top FROM "
        f"(SELECT rid, w, max(w) OVER (PARTITION BY rid) AS top FROM ({both_ways}) u) t "
        "GROUP BY rid, top",
    )
    context = [f"{sql} AS c_{name}" for name, sql in _CONTEXT.items()]
    engine.create(
        "cand_context",
        f"SELECT c.*, {', '.join(context)} FROM cand_fields c "
        "JOIN recx a ON a.rid = c.l_rid JOIN recx b ON b.rid = c.r_rid, "
        f"{_side_context('ra', 'l_rid', floor)}, {_side_context('rb', 'r_rid', floor)}",
    )
    engine.drop("cand_fields")
    levels = [f"a_{c}" for c in _signature_a(model, tf=False)]
    signatures = {
        "levels": levels,
        "levels_tf": [f"a_{c}" for c in a_tf],
        "b": [f"b_{c}" for c in _SIGNATURE_B],
        "context": [f"c_{c}" for c in _CONTEXT],
    }
    signatures |= {
        "levels_tf_b": signatures["levels_tf"] + signatures["b"],
        "levels_tf_context": signatures["levels_tf"] + signatures["context"],
        "b_context": signatures["b"] + signatures["context"],
    }
    hashes = ", ".join(f"hash({', '.join(cols)}) AS h_{name}" for name, cols in signatures.items())
    engine.create("cand", f"SELECT *, {hashes} FROM cand_context")
    engine.drop("cand_context")
    return signatures


def _f1(correct: int, predicted: int, true_pairs: int) -> tuple[float, float, float]:
    precision = correct / predicted if predicted else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


# Held out, a pattern needs this many pairs in the other half to decide (else: back off).
HELD_OUT_SUPPORT = 5


def _held_out_f1(engine, chain: list[str], true_pairs: int, where: str) -> float:
    """F1 when each half of the pairs is decided by the other half's majority vote: on the first
    signature of `chain` whose pattern has HELD_OUT_SUPPORT pairs in the other half, backing off
    to the next (coarser) ones, then to the coarsest seen at all; a pattern never seen there is
    decided by Kafo's own pairwise rule (weight >= threshold, no guard)."""
    votes = [
        f"LEFT JOIN (SELECT h_{name} AS h, fold, count(*) FILTER (is_true) AS t, "
        f"count(*) FILTER (NOT is_true) AS f FROM cand WHERE {where} GROUP BY ALL) v{i} "
        f"ON v{i}.h = c.h_{name} AND v{i}.fold = 1 - c.fold"
        for i, name in enumerate(chain)
    ]
    last = len(chain) - 1
    cases = " ".join(
        f"WHEN v{i}.t + v{i}.f >= {HELD_OUT_SUPPORT} THEN v{i}.t > v{i}.f"
        for i in range(len(chain))
    )
    cases += f" WHEN v{last}.t + v{last}.f > 0 THEN v{last}.t > v{last}.f"
    correct, predicted = engine.frame(
        "SELECT count(*) FILTER (d AND is_true), count(*) FILTER (d) FROM ("
        f"SELECT c.is_true, CASE {cases} ELSE c.kafo_pairwise END AS d FROM cand c "
        f"{' '.join(votes)} WHERE {where}) x"
    ).row(0)
    return _f1(correct, predicted, true_pairs)[2]


def _oracle(
    engine, chain: list[str], true_pairs: int, where: str = "true", columns: list[str] = ()
) -> dict:
    """Majority vote per pattern of the signature `chain[0]` over the candidates matching
    `where` (the rest of `chain` is the back-off of the held-out estimate). With `columns`
    (the signature's own), the patterns come back with them."""
    group = ", ".join(columns) if columns else f"h_{chain[0]}"
    patterns = engine.frame(
        f"SELECT {group}, count(*) FILTER (is_true) AS t, count(*) FILTER (NOT is_true) AS f "
        f"FROM cand WHERE {where} GROUP BY {group}"
    )
    t, f = patterns.get_column("t").to_list(), patterns.get_column("f").to_list()
    match = [ti > fi for ti, fi in zip(t, f, strict=True)]
    correct = sum(ti for ti, m in zip(t, match, strict=True) if m)
    predicted = sum(ti + fi for ti, fi, m in zip(t, f, match, strict=True) if m)
    # best cut on pattern purity (F1's optimum need not be at exactly one half)
    best, cum_t, cum_n = 0.0, 0, 0
    for ti, fi in sorted(zip(t, f, strict=True), key=lambda x: -x[0] / (x[0] + x[1])):
        cum_t, cum_n = cum_t + ti, cum_n + ti + fi
        best = max(best, _f1(cum_t, cum_n, true_pairs)[2])
    precision, recall, f1 = _f1(correct, predicted, true_pairs)
    small = sum(ti + fi for ti, fi in zip(t, f, strict=True) if ti + fi < HELD_OUT_SUPPORT)
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "held_out_f1": _held_out_f1(engine, chain, true_pairs, where),
        "best_cut_f1": best,
        "patterns": patterns.height,
        "small_share": small / max(sum(t) + sum(f), 1),
        "frame": patterns,
        "correct": correct,
        "predicted": predicted,
    }


def _lost_patterns(result: dict, columns: list[str], true_pairs: int, top: int = 10):
    """Mixed patterns by the F1 gained if each alone could be split perfectly."""
    base = result["f1"]
    correct, predicted = result["correct"], result["predicted"]
    rows = []
    for row in result["frame"].iter_rows(named=True):
        t, f = row["t"], row["f"]
        if not (t and f):
            continue
        if t > f:  # decided match: its false pairs would leave the predictions
            gain = _f1(correct, predicted - f, true_pairs)[2] - base
        else:  # decided non-match: its true pairs would join them
            gain = _f1(correct + t, predicted + t, true_pairs)[2] - base
        rows.append((gain, t, f, {c: row[c] for c in columns}))
    rows.sort(key=lambda r: -r[0])
    return rows[:top]


def _errors_by_date(result: dict) -> dict[str, list[int]]:
    """Oracle B's errors among candidates by the precision of the two dates: [missed true
    pairs, false pairs kept]."""
    out: dict[str, list[int]] = {}
    for row in result["frame"].iter_rows(named=True):
        kinds = set(row["b_date_kinds"].split("/"))
        if "none" in kinds:
            key = "a date missing"
        elif kinds == {"exact"}:
            key = "both dates exact"
        elif "exact" in kinds:
            key = "one date approximate"
        else:
            key = "both dates approximate"
        errors = out.setdefault(key, [0, 0])
        if row["t"] > row["f"]:
            errors[1] += row["f"]
        else:
            errors[0] += row["t"]
    return out


# Oracles: name -> signature, then its back-off for the held-out estimate (coarser last).
ORACLES = {
    "oracle A: levels": (["levels"], "true"),
    "oracle A + tf": (["levels_tf", "levels"], "true"),
    "oracle B": (["b", "levels_tf", "levels"], "true"),
    "oracle B, blocked pairs only": (["b", "levels_tf", "levels"], "NOT hop"),
    "oracle A + tf and B together": (["levels_tf_b", "b", "levels_tf", "levels"], "true"),
    "oracle A + tf + context": (["levels_tf_context", "levels_tf", "levels"], "true"),
    "oracle B + context": (["b_context", "b", "levels_tf", "levels"], "true"),
}


def analyse(persons: int, cache: Path, threads: int) -> dict:
    import polars as pl

    from kafo.identity.linkage import linker, model
    from kafo.identity.linkage.engines import DuckDBEngine
    from kafo.identity.linkage.evaluation import pairwise_scores

    records_path, truth_path = ensure_test_set(persons, cache)
    records = pl.read_parquet(records_path)
    truth = pl.read_parquet(truth_path)
    engine = DuckDBEngine(threads=threads, memory_limit=MEMORY_LIMIT)
    started = time.perf_counter()
    try:
        # The linker's own run (link() is this plus closing the engine); the engine stays open
        # so that its tables (`rec`, `scores`, `hop_scores`) can be read afterwards.
        result = linker._Run(engine, None).run(records, linker.DEFAULT_THRESHOLD)
        link_seconds = time.perf_counter() - started
        kafo = pairwise_scores(result.clusters, truth)
        engine.load("extra", _extra_fields(records))
        engine.load("truth", truth)
        engine.load("kafo_clusters", result.clusters)
        del result
        # per record: the fields of rec, the extra ones, the true person, Kafo's cluster, how
        # many records share its family + first given key, and how many that birth year too
        engine.create(
            "recx",
            "SELECT r.*, x.ffold, x.gfold, x.rmo, x.rdy, x.dkind, "
            "dense_rank() OVER (ORDER BY t.person_id) AS pid, "
            "dense_rank() OVER (ORDER BY k.person_id) AS kid, "
            "count(*) OVER (PARTITION BY r.fk, r.gk1) AS ncount, "
            "count(*) OVER (PARTITION BY r.fk, r.gk1, r.yr) AS crowd "
            "FROM rec r JOIN extra x USING (record_id) JOIN truth t USING (record_id) "
            "JOIN kafo_clusters k USING (record_id)",
        )
        for table in ("extra", "truth", "kafo_clusters"):
            engine.drop(table)
        signatures = _candidate_table(engine, model, linker)
        for table in ("scores", "hop_scores"):
            engine.drop(table)
        true_pairs = engine.scalar(
            "SELECT sum(n * (n - 1) // 2) FROM (SELECT count(*) AS n FROM recx GROUP BY pid) g"
        )
        counts = engine.frame(
            "SELECT count(*) FILTER (NOT hop) AS blocked, count(*) FILTER (hop) AS hops, "
            "count(*) FILTER (is_true AND NOT hop) AS blocked_true, "
            "count(*) FILTER (is_true) AS compared_true FROM cand"
        ).row(0, named=True)
        oracles = {
            name: _oracle(
                engine,
                chain,
                true_pairs,
                where,
                signatures["b"] if name == "oracle B" else (),
            )
            for name, (chain, where) in ORACLES.items()
        }
        # True pairs one of whose records has a false candidate with the very same signature B:
        # from that record, its person and another look the same on every field.
        sides = (
            "SELECT l_rid AS rid, h_b, is_true FROM cand "
            "UNION ALL SELECT r_rid AS rid, h_b, is_true FROM cand"
        )
        tied = engine.scalar(
            f"WITH mixed AS (SELECT rid, h_b FROM ({sides}) s GROUP BY rid, h_b "
            "HAVING bool_or(is_true) AND bool_or(NOT is_true)) "
            "SELECT count(*) FROM cand c WHERE c.is_true AND ("
            "EXISTS (SELECT 1 FROM mixed m WHERE m.rid = c.l_rid AND m.h_b = c.h_b) OR "
            "EXISTS (SELECT 1 FROM mixed m WHERE m.rid = c.r_rid AND m.h_b = c.h_b))"
        )
        pairwise = engine.frame(
            "SELECT count(*) FILTER (kafo_pairwise AND is_true) AS c, "
            "count(*) FILTER (kafo_pairwise) AS p FROM cand"
        ).row(0)
        # Kafo's clusters against oracle B's decisions, pair by pair
        crosstab = engine.frame(
            "SELECT c.is_true, c.kafo, v.t > v.f AS oracle, count(*) AS n FROM cand c JOIN ("
            "SELECT h_b, count(*) FILTER (is_true) AS t, count(*) FILTER (NOT is_true) AS f "
            "FROM cand GROUP BY h_b) v USING (h_b) GROUP BY ALL ORDER BY ALL"
        )
        # Kafo's pairs in one cluster that were never candidates (joined by transitivity)
        kafo_outside = engine.frame(
            "SELECT count(*) FILTER (a.pid = b.pid) AS t, count(*) FILTER (a.pid <> b.pid) AS f "
            "FROM recx a JOIN recx b ON a.kid = b.kid AND a.rid < b.rid "
            "WHERE NOT EXISTS (SELECT 1 FROM cand c WHERE c.l_rid = a.rid AND c.r_rid = b.rid)"
        ).row(0, named=True)
    finally:
        engine.close()
    return {
        "persons": persons,
        "records": records.height,
        "true_pairs": true_pairs,
        "blocked_pairs": counts["blocked"],
        "hop_pairs": counts["hops"],
        "never_blocked": 1 - counts["blocked_true"] / true_pairs,
        "never_compared": 1 - counts["compared_true"] / true_pairs,
        "never_compared_pairs": true_pairs - counts["compared_true"],
        "oracles": oracles,
        "b_columns": signatures["b"],
        "tied": tied,
        "kafo_pairwise": _f1(pairwise[0], pairwise[1], true_pairs),
        "kafo": kafo,
        "crosstab": crosstab,
        "kafo_outside": kafo_outside,
        "link_seconds": link_seconds,
        "seconds": time.perf_counter() - started,
    }


def report(r: dict) -> None:
    print(
        f"\n{r['persons']:,} persons, {r['records']:,} records, {r['true_pairs']:,} true pairs "
        f"(link() {r['link_seconds']:.0f} s, analysis {r['seconds'] - r['link_seconds']:.0f} s)"
    )
    print(
        f"  candidates: {r['blocked_pairs']:,} blocked + {r['hop_pairs']:,} two links apart; "
        f"true pairs never candidates: {100 * r['never_blocked']:.2f} % of blocked pairs, "
        f"{100 * r['never_compared']:.2f} % with the pairs two links apart "
        f"({r['never_compared_pairs']:,})"
    )
    print(
        f"  {'':<31}precision recall F1     held-out best-cut patterns "
        f"(pairs in patterns of < {HELD_OUT_SUPPORT})"
    )
    for name, o in r["oracles"].items():
        print(
            f"  {name:<31}{o['precision']:.4f}    {o['recall']:.4f} {o['f1']:.4f} "
            f"{o['held_out_f1']:.4f}   {o['best_cut_f1']:.4f}   {o['patterns']:>9,} "
            f"({100 * o['small_share']:.1f} %)"
        )
    p, rc, f1 = r["kafo_pairwise"]
    print(f"  {'Kafo pairs (w >= 3, no guard)':<31}{p:.4f}    {rc:.4f} {f1:.4f}")
    k = r["kafo"]
    print(f"  {'Kafo link() clusters':<31}{k.precision:.4f}    {k.recall:.4f} {k.f1:.4f}")
    print(
        "  Oracle B is an upper bound for a pairwise classifier that sees the name frequency and "
        "these field agreements\n  (majority vote with the labels, per signature, on this set; "
        "clustering and transitivity ignored; context = rivals, best candidate, year crowd)."
    )
    tied = r["tied"]
    recall = 1 - r["never_compared"] - tied / r["true_pairs"]
    print(
        f"  true pairs with, on one of their records, a false candidate of the same signature B: "
        f"{tied:,} ({100 * tied / r['true_pairs']:.2f} %);\n  losing them and the never "
        f"candidates, all else perfect: recall {recall:.4f}, F1 {2 * recall / (1 + recall):.4f}"
    )
    print("  oracle B's errors among candidates by date precision (missed true / false kept):")
    for key, (missed, false) in sorted(_errors_by_date(r["oracles"]["oracle B"]).items()):
        print(f"    {key:<24}{missed:>9,} {false:>9,}")
    print("  Kafo's clusters against oracle B, candidate pairs:")
    for row in r["crosstab"].iter_rows(named=True):
        kind = "true " if row["is_true"] else "false"
        kafo = "joined" if row["kafo"] else "apart "
        oracle = "match" if row["oracle"] else "non-match"
        print(f"    {kind} pairs, Kafo {kafo}, B {oracle:<9}: {row['n']:>9,}")
    out = r["kafo_outside"]
    print(
        f"    never candidates, joined by Kafo through other links: {out['t']:,} true, "
        f"{out['f']:,} false"
    )
    b = r["oracles"]["oracle B"]
    print("  oracle B, the 10 patterns losing most F1 (true / false pairs, F1 gained if split):")
    for gain, t, f, pattern in _lost_patterns(b, r["b_columns"], r["true_pairs"]):
        fields = ", ".join(f"{c[2:]}={v}" for c, v in pattern.items())
        print(f"    {t:>7,} / {f:>7,}  +{gain:.4f}  {fields}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,200000", help="persons, comma separated")
    cache_help = "where generated test sets are kept (as bench/linkage.py)"
    parser.add_argument("--cache", default="/tmp/kafo-bench", help=cache_help)  # noqa: S108
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"linkage ceiling, {os.cpu_count()} cores; sizes {sizes}; seed {SEED}")
    last = None
    for persons in sizes:
        last = analyse(persons, cache, args.threads)
        report(last)
        sys.stdout.flush()
    oracles = last["oracles"]
    print(
        f"ceiling_a_f1={oracles['oracle A + tf']['f1']:.4f} "
        f"ceiling_b_f1={oracles['oracle B']['f1']:.4f} "
        f"never_compared={last['never_compared']:.4f} kafo_f1={last['kafo'].f1:.4f}"
    )


if __name__ == "__main__":
    main()
