"""Search latency on the demo zone (50,000 persons), against a scan baseline, side by side.

    .venv/bin/python bench/search.py [--data-dir var/bench-search] [--persons 50000]

Builds (once) a SQLite demo database in --data-dir (or uses DATABASE_URL), then times person
searches as an agent of INPS-ML would type them: misspelt names, swapped names, numbers,
national ids. Baseline: what a plain implementation does — fold every name of the organisation
in Python and rank all of them with the same similarity. Last line:
`p50_ms=N p95_ms=N max_ms=N baseline_p50_ms=N speedup=R`.
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.demo_zone import demo_zone  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default="var/bench-search")
    parser.add_argument("--persons", type=int, default=50000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    total = demo_zone(args.data_dir, args.persons)
    from rapidfuzz import fuzz

    from kafo.organisations.models import Organisation
    from kafo.organisations.tenancy import tenant_scope
    from kafo.registry import selectors
    from kafo.registry.domain import names
    from kafo.registry.models import Person

    org = Organisation.objects.get(code="INPS-ML")
    rng = random.Random(7)
    with tenant_scope(org):
        sample = list(Person.objects.order_by("?")[: args.queries])
        queries = [_query_for(p, rng) for p in sample]
        selectors.person_search("warm up")
        timings, found = [], 0
        for q, target in queries:
            t0 = time.perf_counter()
            hits = selectors.person_search(q)
            timings.append((time.perf_counter() - t0) * 1000)
            found += any(h.person.pk == target.pk for h in hits)
        baseline = []
        everyone = None
        for q, _target in queries[:20]:
            t0 = time.perf_counter()
            everyone = list(Person.objects.values_list("pk", "family_name", "given_names"))
            folded = names.fold(q)
            ranked = sorted(
                everyone,
                key=lambda r: -fuzz.token_sort_ratio(folded, names.fold(f"{r[1]} {r[2]}")),
            )[:50]
            baseline.append((time.perf_counter() - t0) * 1000)
            del ranked
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    base = statistics.median(baseline)
    print(f"persons in zone: {total}; searched in INPS-ML: {len(everyone)}")
    print(f"queries: {len(queries)}; target found among the hits: {found}/{len(queries)}")
    print(
        f"p50_ms={p50:.1f} p95_ms={p95:.1f} max_ms={timings[-1]:.1f} "
        f"baseline_p50_ms={base:.1f} speedup={base / p50:.1f}"
    )


def _query_for(person, rng):
    """A query as typed at a counter: misspelt, swapped, partial, or an identifier."""
    from kafo.registry.domain import names

    kind = rng.choice(["exact", "swapped", "variant", "number", "family_only", "typo"])
    family, given = person.family_name, person.given_names.split(" ")[0]
    if kind == "swapped":
        return f"{given} {family}", person
    if kind == "variant":
        reverse = {}
        for variant, canonical in names.VARIANTS.items():
            reverse.setdefault(canonical, []).append(variant)
        folded = names.fold(family)
        options = reverse.get(names.VARIANTS.get(folded, folded), [folded])
        return f"{rng.choice(options)} {given}", person
    if kind == "number":
        return person.number, person
    if kind == "family_only":
        return f"{family} {given}".upper(), person
    if kind == "typo" and len(family) > 5:
        i = rng.randrange(2, len(family) - 1)
        return f"{family[:i]}{family[i]}{family[i:]} {given}", person
    return f"{family} {given}", person


if __name__ == "__main__":
    main()
