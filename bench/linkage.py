"""Benchmark: Kafo's linker and a tuned Splink model, side by side, on generated test sets.

    .venv/bin/python bench/linkage.py                       # 20,000 and 200,000 persons + 1M
    .venv/bin/python bench/linkage.py --quick               # 5,000 persons, no 1M run
    .venv/bin/python bench/linkage.py --sizes 20000 --no-million

Each engine runs in its own subprocess so that its peak memory (peak RSS from os.wait4, which
counts native memory of DuckDB and Spark, unlike tracemalloc) is its own. Test sets are generated
once per size (seeded) and cached as Parquet under --cache. Seconds cover linking only (reading
the records, normalising, blocking, training, scoring, clustering), not generating or scoring
the result against the truth.

KAFO_BENCH_SPLINK_MODEL=path.json saves the trained Splink model (match weights) for inspection.

The last line reads `f1=F f1_splink=F seconds=S seconds_splink=S peak_mib=M` for the largest
size run side by side (200,000 persons by default); peak_mib is Kafo's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = 5


# --- test sets ---------------------------------------------------------------------------------


def ensure_test_set(persons: int, cache: Path, extra: bool = False) -> tuple[Path, Path]:
    """The test set of `persons` (with the optional columns when `extra`), generated once."""
    from kafo.identity.linkage.testsets import generate

    name = f"linkage-{persons}-{SEED}{'-extra' if extra else ''}"
    records = cache / f"{name}-records.parquet"
    truth = cache / f"{name}-truth.parquet"
    if not (records.exists() and truth.exists()):
        started = time.perf_counter()
        test_set = generate(persons, seed=SEED, extra_columns=extra)
        test_set.records.write_parquet(records)
        test_set.truth.write_parquet(truth)
        print(f"  generated {persons:,} persons in {time.perf_counter() - started:.0f} s")
    return records, truth


# --- workers (run in a subprocess) --------------------------------------------------------------


def run_kafo(records_path: str) -> tuple[object, float]:
    import polars as pl

    from kafo.identity.linkage.linker import link

    started = time.perf_counter()
    records = pl.read_parquet(records_path)
    result = link(records, engine_options={"threads": os.cpu_count(), "memory_limit": "2500MB"})
    return result.clusters, time.perf_counter() - started


def _splink_input(records_path: str):
    """What a careful Splink user prepares: folded names, phonetic keys, clean places and ids."""
    import polars as pl

    from kafo.identity.linkage.normalise import name_keys, place_key
    from kafo.registry.domain.names import fold

    raw = pl.read_parquet(records_path)

    def mapped(column: str, function) -> pl.Expr:
        values = raw.get_column(column).unique().drop_nulls().to_list()
        table = dict(zip(values, map(function, values), strict=True))
        return pl.col(column).replace_strict(table, default=None, return_dtype=pl.String)

    def first_key(text):
        keys = name_keys(text)
        return keys[0] if keys else None

    def first_word(text):
        words = fold(text).split(" ")
        return words[0] or None

    frame = raw.select(
        pl.col("record_id").alias("unique_id"),
        mapped("family_name", lambda t: fold(t) or None).alias("family"),
        mapped("given_names", first_word).alias("given"),
        mapped("family_name", first_key).alias("family_key"),
        mapped("given_names", first_key).alias("given_key"),
        mapped("birth_place", place_key).alias("place"),
        mapped("mother_name", lambda t: fold(t) or None).alias("mother"),
        pl.col("national_id").str.replace_all(r"[\s.\-]", "").alias("nid"),
        pl.col("sex"),
        pl.col("birth_date").str.slice(0, 4).cast(pl.Int32, strict=False).alias("birth_year"),
        pl.when(pl.col("birth_date").str.len_chars() == 10)
        .then(pl.col("birth_date"))
        .alias("birth_date"),
    )
    return frame.with_columns(
        [pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in ("nid", "sex")]
        + [pl.concat_str("family", "given", separator=" ").alias("full_name")]
    )


def _splink_settings():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    names = cl.CustomComparison(
        output_column_name="names",
        comparison_levels=[
            cll.CustomLevel(
                "(family_l IS NULL OR given_l IS NULL) OR (family_r IS NULL OR given_r IS NULL)"
            ).configure(is_null_level=True),
            cll.ExactMatchLevel("full_name", term_frequency_adjustments=True),
            cll.CustomLevel(
                "family_key_l = family_key_r AND given_key_l = given_key_r", "keys equal"
            ).configure(tf_adjustment_column="family_key", tf_adjustment_weight=1.0),
            cll.CustomLevel(
                "family_key_l = given_key_r AND given_key_l = family_key_r", "names swapped"
            ),
            cll.CustomLevel(
                "jaro_winkler_similarity(family_l, family_r) >= 0.88 "
                "AND jaro_winkler_similarity(given_l, given_r) >= 0.88",
                "both close",
            ),
            cll.CustomLevel("family_key_l = family_key_r", "family key only").configure(
                tf_adjustment_column="family_key", tf_adjustment_weight=1.0
            ),
            cll.CustomLevel("given_key_l = given_key_r", "given key only"),
            cll.ElseLevel(),
        ],
    )
    dates = cl.CustomComparison(
        output_column_name="birth",
        comparison_levels=[
            cll.CustomLevel("birth_year_l IS NULL OR birth_year_r IS NULL").configure(
                is_null_level=True
            ),
            cll.CustomLevel("birth_date_l = birth_date_r", "same date"),
            cll.CustomLevel(
                "substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4) AND "
                "substr(birth_date_l, 6, 2) = substr(birth_date_r, 9, 2) AND "
                "substr(birth_date_l, 9, 2) = substr(birth_date_r, 6, 2)",
                "day and month swapped",
            ),
            cll.CustomLevel(
                "birth_year_l = birth_year_r AND (birth_date_l IS NULL OR birth_date_r IS NULL "
                "OR substr(birth_date_l, 6, 5) IN ('12-31', '01-01') "
                "OR substr(birth_date_r, 6, 5) IN ('12-31', '01-01'))",
                "same year, one approximate",
            ),
            cll.CustomLevel("abs(birth_year_l - birth_year_r) <= 1", "year within one"),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            names,
            dates,
            cl.JaroWinklerAtThresholds("place", [0.9]).configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("mother", [0.9, 0.8]),
            cl.LevenshteinAtThresholds("nid", [2]),
            cl.ExactMatch("sex"),
        ],
        # Bounded rules only (each joins on a name or place key *and* a date or id), so that
        # the number of comparisons grows with the blocks, not with the square of a common
        # name; the year-off-by-one rules keep the pairs whose date drifted.
        blocking_rules_to_generate_predictions=[
            block_on("nid"),
            block_on("family_key", "given_key", "birth_year"),
            "l.family_key = r.family_key AND l.given_key = r.given_key "
            "AND l.birth_year = r.birth_year + 1",
            "l.family_key = r.family_key AND l.given_key = r.given_key "
            "AND l.birth_year + 1 = r.birth_year",
            "l.family_key = r.given_key AND l.given_key = r.family_key "
            "AND l.birth_year = r.birth_year",
            block_on("family_key", "birth_date"),
            block_on("given_key", "birth_date"),
            block_on("place", "birth_date"),
            block_on("mother", "birth_year"),
        ],
        retain_intermediate_calculation_columns=False,
    )


def run_splink(records_path: str) -> tuple[object, float]:
    import logging

    import polars as pl
    from splink import DuckDBAPI, Linker, block_on

    logging.disable(logging.WARNING)
    started = time.perf_counter()
    frame = _splink_input(records_path)
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(frame.to_arrow()), _splink_settings())
    # Prior from national-id pairs (Splink's direct estimate): a deterministic rule with no
    # false positives, divided by its recall. Its recall is estimated without labels as the
    # chance that both records of a pair carry an id, the square of the share of records that
    # have one (about 0.07 on these sets, where the true recall is about 0.10).
    id_share = frame.get_column("nid").is_not_null().mean()
    linker.training.estimate_probability_two_random_records_match(
        [block_on("nid")], recall=id_share**2
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    # Two EM sessions (as Splink's docs recommend), each blocking on fields whose comparisons
    # it cannot learn: together they train every comparison.
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("birth_date"), record_sample_proportion=1.0
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("family_key", "given_key", "birth_year"), record_sample_proportion=1.0
    )
    if os.environ.get("KAFO_BENCH_SPLINK_MODEL"):
        linker.misc.save_model_to_json(os.environ["KAFO_BENCH_SPLINK_MODEL"], overwrite=True)
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=0.9
    )
    table = pl.from_arrow(clusters.as_duckdbpyrelation().arrow())
    result = table.select(
        pl.col("unique_id").alias("record_id"),
        pl.col("cluster_id").cast(pl.String).alias("person_id"),
    )
    return result, time.perf_counter() - started


def worker(engine: str, records_path: str, truth_path: str) -> None:
    import polars as pl

    from kafo.identity.linkage.evaluation import pairwise_scores

    clusters, seconds = (run_kafo if engine == "kafo" else run_splink)(records_path)
    truth = pl.read_parquet(truth_path) if truth_path else None
    out = {"seconds": seconds, "records": clusters.height}
    if truth is not None:
        scores = pairwise_scores(clusters, truth)
        out |= {"precision": scores.precision, "recall": scores.recall, "f1": scores.f1}
    print("RESULT " + json.dumps(out), flush=True)


# --- driver -------------------------------------------------------------------------------------


def measure(engine: str, records: Path, truth: Path | None) -> dict:
    """Run one engine in a subprocess; return its result and its own peak RSS."""
    command = [sys.executable, __file__, "--worker", engine, str(records), str(truth or "")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    lines = [line for line in output.splitlines() if line.startswith("RESULT ")]
    if process.returncode != 0 or not lines:
        return {"error": f"exit {process.returncode}", "peak_mib": usage.ru_maxrss / 1024}
    return json.loads(lines[-1][7:]) | {"peak_mib": usage.ru_maxrss / 1024}


def _line(engine: str, persons: int, result: dict) -> str:
    if "error" in result:
        return f"  {engine:<7} {persons:>9,} persons: FAILED ({result['error']})"
    scored = (
        f"precision {result['precision']:.4f} recall {result['recall']:.4f} F1 {result['f1']:.4f}  "
        if "f1" in result
        else ""
    )
    return (
        f"  {engine:<7} {persons:>9,} persons {result['records']:>9,} records: {scored}"
        f"{result['seconds']:.1f} s  peak {result['peak_mib']:.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,200000", help="persons, comma separated")
    parser.add_argument("--quick", action="store_true", help="5,000 persons, no 1M run")
    parser.add_argument("--no-million", action="store_true", help="skip the 1M-person run")
    parser.add_argument("--no-splink", action="store_true", help="Kafo only")
    cache_help = "where generated test sets are kept"
    parser.add_argument("--cache", default="/tmp/kafo-bench", help=cache_help)  # noqa: S108
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    sizes = [5000] if args.quick else [int(s) for s in args.sizes.split(",")]
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    print(f"linkage benchmark, {os.cpu_count()} cores; sizes {sizes}")
    last: dict[str, dict] = {}
    for persons in sizes:
        records, truth = ensure_test_set(persons, cache)
        last = {"kafo": measure("kafo", records, truth)}
        print(_line("kafo", persons, last["kafo"]), flush=True)
        if not args.no_splink:
            last["splink"] = measure("splink", records, truth)
            print(_line("splink", persons, last["splink"]), flush=True)
    if not (args.quick or args.no_million):
        records, truth = ensure_test_set(1_000_000, cache)
        print(_line("kafo", 1_000_000, measure("kafo", records, None)), flush=True)
    kafo, splink = last["kafo"], last.get("splink", {})
    print(
        f"f1={kafo.get('f1', 0):.4f} f1_splink={splink.get('f1', 0):.4f} "
        f"seconds={kafo.get('seconds', 0):.1f} seconds_splink={splink.get('seconds', 0):.1f} "
        f"peak_mib={kafo.get('peak_mib', 0):.0f}"
    )


if __name__ == "__main__":
    main()
