"""Benchmark: the daily collection run (`kafo collection daily`) on one organisation, its search
for the periods each employer has not declared set-based versus one employer at a time.

    .venv/bin/python bench/collection_daily.py                   # SQLite (or DATABASE_URL's)
    .venv/bin/python bench/collection_daily.py --pg postgres://kafo:kafo@127.0.0.1/kafo  # both
    .venv/bin/python bench/collection_daily.py --employers 2000 --orm-sample 200   # quick

Set-up (not timed): bench/collection.py's organisation (`--employers` employers of INPS-ML, 12
periods of 2025 declared, one in 20 skipping its last period, closures, late registrations) and
the collection rules (`kafo collection seed`). Measured on 20/01/2026 (2025-12 and 2025-Q4 due
on 15/01: the silent employers get their overdue notice):

- set-based: `services.missing_by_employer` for the whole organisation (three queries and the
  pure rules per distinct schedule);
- per employer: what the daily run did before (kafo/collection/selectors `expected_for` and
  `declared_periods`, about four queries an employer) on `--orm-sample` employers drawn at
  random (seeded); both answers compared on the sample;
- the whole daily run, twice: the first creates the notices, the second (same day) nothing.

The last line reads: employers_per_s=N orm_employers_per_s=N ratio=R daily_s=S again_s=S
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

from bench_db import bench_database, run_child  # bench/ is the script's own folder

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "kafo_bench_collection_daily"
ORG = "INPS-ML"
ON = dt.date(2026, 1, 20)


def setup(db_url: str, employers: int) -> dict:
    import collection  # bench/collection.py: the organisation and its 12 periods

    out = collection.setup(db_url, employers)
    from kafo.collection.services import collection_rules_seed
    from kafo.organisations.tenancy import zone_scope

    with zone_scope():
        collection_rules_seed()
    return out


def measure(db_url: str, orm_sample: int) -> dict:
    import collection

    collection._django(db_url)
    from django.db import connection

    from kafo.collection import selectors, services
    from kafo.collection.domain import expected
    from kafo.collection.models import Notice
    from kafo.organisations.models import Organisation
    from kafo.organisations.tenancy import tenant_scope, zone_scope
    from kafo.registry.models import Employer

    with zone_scope():
        org = Organisation.objects.get(code=ORG)
    with tenant_scope(org):
        _row, rules = services.rules_in_force(organisation_id=org.pk, on=ON)
        since = services._months_before(ON, rules.history_months)
        until = ON + dt.timedelta(days=rules.reminder_days_before_due + 1)

        t = time.perf_counter()
        found = services.missing_by_employer(organisation=org, on=ON, until=until, since=since)
        bulk_s = time.perf_counter() - t
        ids = sorted(Employer.objects.values_list("pk", flat=True))

        sample = random.Random(16).sample(ids, min(orm_sample, len(ids)))
        t = time.perf_counter()
        per_employer = {}
        for pk in sample:  # the daily run's former path, one employer at a time
            employer = Employer.objects.select_related("organisation").get(pk=pk)
            expected_ = [
                e for e in selectors.expected_for(employer, as_of=until) if e.due_date >= since
            ]
            missing = expected.missing_periods(expected_, selectors.declared_periods(employer))
            if missing:
                per_employer[pk] = missing
        orm_s = time.perf_counter() - t
        for pk in sample:
            got = found[pk][1] if pk in found else None
            assert got == per_employer.get(pk), (pk, got, per_employer.get(pk))

        t = time.perf_counter()
        first = services.collection_daily(organisation=org, on=ON)
        daily_s = time.perf_counter() - t
        t = time.perf_counter()
        again = services.collection_daily(organisation=org, on=ON)
        again_s = time.perf_counter() - t
        assert again.notice_count == 0 and not again.assessments
        notices = Notice.objects.count()
    return {
        "vendor": connection.vendor,
        "employers": len(ids),
        "with_missing": len(found),
        "bulk_s": round(bulk_s, 2),
        "employers_per_s": int(len(ids) / bulk_s),
        "orm_employers": len(sample),
        "orm_s": round(orm_s, 2),
        "orm_employers_per_s": int(len(sample) / orm_s),
        "daily_s": round(daily_s, 2),
        "notices": notices,
        "first_notices": first.notice_count,
        "again_s": round(again_s, 2),
        "load": round(os.getloadavg()[0], 1),
    }


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--pg", help="PostgreSQL URL: also run there (in its own bench database)")
    p.add_argument("--employers", type=int, default=20_000)
    p.add_argument("--orm-sample", type=int, default=1000)
    p.add_argument("--child", choices=("setup", "measure"))
    p.add_argument("--db")
    args = p.parse_args()
    if args.child == "setup":
        print(json.dumps(setup(args.db, args.employers)))
        return
    if args.child == "measure":
        print(json.dumps(measure(args.db, args.orm_sample)))
        return
    workdir = Path(tempfile.mkdtemp(prefix="kafo-bench-daily-"))
    targets = []
    env_url = os.environ.get("DATABASE_URL", "")
    if args.pg or not env_url.startswith("postgres"):
        targets.append(("sqlite", f"sqlite:///{workdir / 'bench.sqlite3'}"))
    pg = args.pg or (env_url if env_url.startswith("postgres") else None)
    if pg:
        targets.append(("postgresql", bench_database(pg, BENCH_DB)))
    results = []
    try:
        for name, url in targets:
            s = run_child(
                __file__, "--child", "setup", "--db", url, "--employers", str(args.employers)
            )
            r = run_child(
                __file__, "--child", "measure", "--db", url, "--orm-sample", str(args.orm_sample)
            )
            results.append(r)
            print(
                f"{name:>10}: {r['employers']:,} employers ({s['lines']:,} lines): missing "
                f"periods of all ({r['with_missing']:,} with some) in {r['bulk_s']} s = "
                f"{r['employers_per_s']:,}/s | per employer {r['orm_employers']:,} in "
                f"{r['orm_s']} s = {r['orm_employers_per_s']:,}/s | ratio "
                f"{r['employers_per_s'] / r['orm_employers_per_s']:.0f}x | daily run "
                f"{r['daily_s']} s ({r['first_notices']:,} notices), again the same day "
                f"{r['again_s']} s | load {r['load']} | setup (not timed) {s['setup_s']} s"
            )
    finally:
        if pg:
            bench_database(pg, BENCH_DB, drop=True)
        shutil.rmtree(workdir, ignore_errors=True)
    worst = min(results, key=lambda r: r["employers_per_s"])
    print(
        f"employers_per_s={worst['employers_per_s']} "
        f"orm_employers_per_s={worst['orm_employers_per_s']} "
        f"ratio={worst['employers_per_s'] / worst['orm_employers_per_s']:.0f} "
        f"daily_s={max(r['daily_s'] for r in results)} "
        f"again_s={max(r['again_s'] for r in results)}"
    )


if __name__ == "__main__":
    main()
