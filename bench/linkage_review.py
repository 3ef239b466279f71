"""Benchmark: three outcomes and the review queue, side by side with today's engine.

    .venv/bin/python bench/linkage_review.py                    # 20,000 and 200,000 persons
    .venv/bin/python bench/linkage_review.py --sizes 20000
    .venv/bin/python bench/linkage_review.py --baseline 94e1804  # today's engine = that commit
    .venv/bin/python bench/linkage_review.py --extra             # sets with the optional columns

For each size, in one run: today's engine (the linkage package of --baseline, extracted with
`git archive` into a temporary directory and imported from there), then the new one. For the
new engine: automatic pairwise precision, recall and F1; review items per 1,000 records; F1
after an oracle reviewer answered every review item from the truth ("same person" becomes a
must-link, "not the same" a cannot-link, and the index is rebuilt with them, as the system
does); seconds and peak RSS of the automatic run (the rebuild's seconds printed apart; its
memory is not counted: it runs after the peak is read).
Each engine runs in its own subprocess (peak RSS from os.wait4). Test sets: bench/linkage.py's.

The last line reads `precision=P f1=F f1_after_review=F items_per_1000=N seconds=S peak_mib=M
seconds_today=S peak_mib_today=M` for the largest size.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "94e180416a71ac05ec0e5d1de8ea4f86992240e2"  # the engine before issue 20


def _scores(clusters, truth) -> dict:
    from kafo.identity.linkage.evaluation import pairwise_scores

    s = pairwise_scores(clusters, truth)
    return {"precision": s.precision, "recall": s.recall, "f1": s.f1}


def worker(kind: str, records_path: str, truth_path: str, budget: str) -> None:
    import polars as pl

    from kafo.identity.linkage.linker import link

    options = {"threads": os.cpu_count(), "memory_limit": "2500MB"}
    started = time.perf_counter()
    records = pl.read_parquet(records_path)
    if kind == "today":
        result = link(records, engine_options=options)
        seconds = time.perf_counter() - started
        out = {"seconds": seconds, "records": records.height}
        print("RESULT " + json.dumps(out | _scores(result.clusters, pl.read_parquet(truth_path))))
        return
    result = link(records, engine_options=options, review_budget=float(budget))
    seconds = time.perf_counter() - started
    # peak RSS of the automatic run alone (the oracle's rebuild below runs in this process too)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    truth = pl.read_parquet(truth_path)
    person = dict(zip(truth["record_id"], truth["person_id"], strict=True))
    items = result.review.select("record_a", "record_b").rows()
    same = [(a, b) for a, b in items if person[a] == person[b]]
    differ = [(a, b) for a, b in items if person[a] != person[b]]
    out = {"seconds": seconds, "records": records.height, "peak_run_mib": peak}
    out |= _scores(result.clusters, truth)
    out |= {
        "items": len(items),
        "items_per_1000": 1000 * len(items) / records.height,
        "same": len(same),
        "reasons": dict(result.review.group_by("reason").len().rows()),
        "proposed": _scores(result.proposed, truth),
    }
    del result
    started = time.perf_counter()
    after = link(records, engine_options=options, must_link=same, cannot_link=differ)
    out["rebuild_seconds"] = time.perf_counter() - started
    out["after"] = _scores(after.clusters, truth)
    print("RESULT " + json.dumps(out), flush=True)


def _baseline_tree(commit: str) -> Path:
    target = Path(tempfile.gettempdir()) / f"kafo-baseline-{commit[:12]}"
    if not (target / "kafo" / "identity" / "linkage" / "linker.py").exists():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", commit, "kafo"], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def measure(kind: str, root: Path, records: Path, truth: Path, budget: float) -> dict:
    command = [
        sys.executable,
        __file__,
        "--worker",
        kind,
        str(records),
        str(truth),
        str(budget),
        "--root",
        str(root),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=root)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    lines = [line for line in output.splitlines() if line.startswith("RESULT ")]
    if code != 0 or not lines:
        return {"error": f"exit {code}", "peak_mib": usage.ru_maxrss / 1024}
    result = json.loads(lines[-1][7:])
    return result | {"peak_mib": result.get("peak_run_mib", usage.ru_maxrss / 1024)}


def _fmt(s: dict) -> str:
    return f"precision {s['precision']:.4f} recall {s['recall']:.4f} F1 {s['f1']:.4f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,200000", help="persons, comma separated")
    parser.add_argument("--budget", type=float, default=50, help="review items per 1,000")
    parser.add_argument("--baseline", default=BASELINE, help="commit of today's engine")
    parser.add_argument("--cache", default="/tmp/kafo-bench")  # noqa: S108
    parser.add_argument(
        "--extra",
        action="store_true",
        help="test sets with the optional columns (phone, employers, spouses, father)",
    )
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        sys.path.insert(0, args.root)
        worker(*args.worker)
        return
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    from linkage import ensure_test_set

    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    baseline = _baseline_tree(args.baseline)
    print(
        f"review benchmark, {os.cpu_count()} cores; today = {args.baseline[:7]}"
        + ("; sets with the optional columns" if args.extra else "")
    )
    today = new = {}
    for persons in [int(s) for s in args.sizes.split(",")]:
        records, truth = ensure_test_set(persons, cache, extra=args.extra)
        today = measure("today", baseline, records, truth, args.budget)
        new = measure("new", ROOT, records, truth, args.budget)
        for name, r in (("today", today), ("new", new)):
            if "error" in r:
                print(f"  {name:<5} {persons:>9,} persons: FAILED ({r['error']})")
                continue
            print(
                f"  {name:<5} {persons:>9,} persons {r['records']:>9,} records: automatic "
                f"{_fmt(r)}  {r['seconds']:.1f} s  peak {r['peak_mib']:.0f} MiB"
            )
        if "error" not in new:
            print(
                f"        review {new['items']:,} items ({new['items_per_1000']:.1f} per 1,000 "
                f"records, {new['same']:,} same person) {new['reasons']}\n"
                f"        after the oracle's answers: {_fmt(new['after'])} "
                f"(rebuild {new['rebuild_seconds']:.1f} s); proposed clusters: "
                f"{_fmt(new['proposed'])}",
                flush=True,
            )
    print(
        f"precision={new.get('precision', 0):.4f} f1={new.get('f1', 0):.4f} "
        f"f1_after_review={new.get('after', {}).get('f1', 0):.4f} "
        f"items_per_1000={new.get('items_per_1000', 0):.1f} seconds={new.get('seconds', 0):.1f} "
        f"peak_mib={new.get('peak_mib', 0):.0f} seconds_today={today.get('seconds', 0):.1f} "
        f"peak_mib_today={today.get('peak_mib', 0):.0f}"
    )


if __name__ == "__main__":
    main()
