"""Benchmark: the non-filers of one period and the partial-declaration flags, set-based, versus
one employer at a time through the ORM.

    .venv/bin/python bench/collection.py                      # SQLite (or DATABASE_URL's database)
    .venv/bin/python bench/collection.py --pg postgres://kafo:kafo@127.0.0.1/kafo   # both
    .venv/bin/python bench/collection.py --employers 2000 --orm-sample 100   # a quick check

Each database gets a fresh one (a temporary SQLite file, or a `kafo_bench_collection`
PostgreSQL database created and dropped next to the given one) and two child processes:

- setup (not timed): the zone and its rules; `--employers` employers of INPS-ML (monthly from 10
  workers, else quarterly; due the 15th), registered on 01/01/2025, with 12 periods of history
  (2025-01 to 2025-12; a quarterly employer's four quarters): about 55 % have 10 to 20 workers
  and declare monthly, the others 1 to 9 and declare quarterly, which makes about 100 lines per
  employer (5.3 million for 50,000). One employer in 20 skips its last period (the non-filers),
  one in 97 closed on 10/06/2025 (nothing after), one in 89 registered in 2026 (expected for
  nothing), one in 33 leaves out one worker in its last period with no end of employment (a
  partial declaration). Lines stored as the declaration import stores them
  (kafo/contributions/storage.py).
- measure, in one run, DEBUG off as in production: `kafo.collection.selectors.non_filers` for
  2025-12 (the month closing Q4: monthly employers owe December, quarterly ones Q4) and
  `partial_declarations` for 2025-12 and 2025-Q4, each one SQL statement; then the same answers
  one employer at a time on `--orm-sample` employers drawn at random (seeded): the app's
  per-employer path `selectors.missing_declarations(employer, as_of)` and, for the flags, the
  previous and current declarations' workers read through the ORM. Both answers are compared
  on the sample, and against what the set-up planted: the run fails if one differs.

The last line reads: employers_per_s=N orm_employers_per_s=N ratio=R peak_mib=M
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench_db import (  # bench/ is the script's own folder
    bench_database,
    bulk_insert,
    run_child,
    settle,
)

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "kafo_bench_collection"  # its own name: other benchmarks may run on the same server
ORG = "INPS-ML"
MONTHLY_FROM = 10  # INPS-ML's rule (kafo/reference/rules.yaml)
AS_OF = dt.date(2026, 1, 20)  # after 2025-12's and 2025-Q4's due date (15/01/2026)
CLOSED_ON = dt.date(2025, 6, 10)


def _django(db_url: str):
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("KAFO_DEBUG", "0")  # as in production: DEBUG keeps every SQL query
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def plan(employers: int):
    """The employers' frame: workforce, frequency and what each one does (see the docstring)."""
    import polars as pl

    e = pl.col("e")
    return (
        pl.DataFrame({"e": range(employers)})
        .with_columns(
            pl.when(e % 20 < 11).then(10 + e % 11).otherwise(1 + e % 9).alias("workforce"),
            (e % 20 == 7).alias("skips_last"),
            (e % 97 == 3).alias("closed"),
            (e % 89 == 5).alias("late"),
            (e % 33 == 1).alias("partial"),
        )
        .with_columns(
            (pl.col("workforce") >= MONTHLY_FROM).alias("monthly"),
            (pl.col("workforce").cum_sum() - pl.col("workforce")).alias("first_worker"),
        )
    )


def setup(db_url: str, employers: int) -> dict:
    _django(db_url)
    import polars as pl
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from kafo.contributions.models import Declaration
    from kafo.contributions.storage import LineInsert, line_stage, person_ids
    from kafo.organisations.models import Organisation
    from kafo.organisations.services import zone_seed
    from kafo.organisations.tenancy import zone_scope
    from kafo.registry.models import Employer, Person
    from kafo.rules.services import rules_seed

    t = time.perf_counter()
    with zone_scope():
        zone_seed()
        rules_seed()
    org = Organisation.objects.get(code=ORG)
    frame = plan(employers)
    e = pl.col("e")
    employer_rows = frame.select(
        pl.lit(org.pk).alias("organisation_id"),
        ("C" + e.cast(pl.Utf8).str.zfill(7)).alias("number"),
        ("Entreprise " + e.cast(pl.Utf8)).alias("legal_name"),
        pl.lit("").alias("trade_register_id"),
        pl.lit("").alias("tax_id"),
        pl.when(e % 3 == 0).then(pl.lit("Commerce")).otherwise(pl.lit("BTP")).alias("sector"),
        pl.lit(1).alias("risk_class"),
        pl.lit("").alias("address"),
        pl.when(e % 2 == 0).then(pl.lit("Bamako")).otherwise(pl.lit("Sikasso")).alias("city"),
        pl.lit("").alias("phone"),
        pl.when(pl.col("closed"))
        .then(pl.lit("closed"))
        .otherwise(pl.lit("active"))
        .alias("status"),
        pl.when(pl.col("closed"))
        .then(pl.lit(CLOSED_ON.isoformat()))
        .otherwise(pl.lit("2025-01-01"))
        .alias("status_since"),
        pl.when(pl.col("late"))
        .then(pl.lit("2026-01-05"))
        .otherwise(pl.lit("2025-01-01"))
        .alias("registered_on"),
        ("entreprise " + e.cast(pl.Utf8)).alias("search_name"),
    )
    workers = int(frame["workforce"].sum())
    i = pl.col("i")
    persons = pl.DataFrame({"i": range(workers)}).select(
        pl.lit(org.pk).alias("organisation_id"),
        ("W" + i.cast(pl.Utf8).str.zfill(9)).alias("number"),
        pl.lit("TRAORE").alias("family_name"),
        pl.lit("Awa").alias("given_names"),
        pl.lit("F").alias("sex"),
        pl.lit("1980-01-01").alias("birth_date"),
        pl.lit("day").alias("birth_date_precision"),
        pl.lit("").alias("birth_place"),
        pl.lit("").alias("mother_name"),
        pl.lit("").alias("national_id"),
        pl.lit("").alias("phone"),
        pl.lit("").alias("address"),
        pl.lit("2025-01-01").alias("registered_on"),
    )
    with transaction.atomic():
        bulk_insert(connection, Employer._meta.db_table, employer_rows)
        bulk_insert(connection, Person._meta.db_table, persons)
    employer_ids = pl.DataFrame(
        list(Employer.unscoped.filter(organisation=org).values_list("number", "pk")),
        schema={"number": pl.Utf8, "employer_id": pl.Int64},
        orient="row",
    )
    frame = frame.with_columns(("C" + e.cast(pl.Utf8).str.zfill(7)).alias("number")).join(
        employer_ids, on="number"
    )
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    quarters = [f"2025-Q{q}" for q in range(1, 5)]
    decls = pl.concat(
        [
            frame.filter(pl.col("monthly")).join(
                pl.DataFrame(
                    {"period": months, "index": range(12), "last": [False] * 11 + [True]}
                ).with_columns((pl.col("index") >= 6).alias("after_closure")),
                how="cross",
            ),
            frame.filter(~pl.col("monthly")).join(
                pl.DataFrame(
                    {"period": quarters, "index": range(4), "last": [False] * 3 + [True]}
                ).with_columns((pl.col("index") >= 2).alias("after_closure")),
                how="cross",
            ),
        ]
    ).filter(
        ~pl.col("late")
        & ~(pl.col("closed") & pl.col("after_closure"))
        & ~(pl.col("skips_last") & pl.col("last"))
    )
    decls = decls.with_columns(
        (pl.col("workforce") - (pl.col("partial") & pl.col("last")).cast(pl.Int64)).alias(
            "line_count"
        )
    ).sort("index", "employer_id")
    now = dt.datetime(2026, 1, 10, tzinfo=dt.UTC).isoformat()
    with transaction.atomic():
        bulk_insert(
            connection,
            Declaration._meta.db_table,
            decls.select(
                pl.lit(org.pk).alias("organisation_id"),
                "employer_id",
                "period",
                pl.lit("original").alias("kind"),
                pl.lit("in_force").alias("status"),
                ("bench-" + pl.col("employer_id").cast(pl.Utf8) + "-" + pl.col("period")).alias(
                    "file_hash"
                ),
                pl.lit("bulk").alias("channel"),
                pl.lit(now).alias("submitted_at"),
                pl.lit("2025-01-01").alias("rules_on"),
                pl.lit(1).alias("risk_class"),
                "line_count",
                pl.lit(0).alias("pending_count"),
                pl.lit(0).alias("total_salary"),
                pl.lit(0).alias("employer_total"),
                pl.lit(0).alias("employee_total"),
                pl.lit(0).alias("total"),
                pl.lit("{}").alias("branch_totals"),
            ),
        )
    decl_ids = pl.DataFrame(
        list(
            Declaration.unscoped.filter(organisation=org).values_list("employer_id", "period", "pk")
        ),
        schema={"employer_id": pl.Int64, "period": pl.Utf8, "declaration_id": pl.Int64},
        orient="row",
    )
    ids = person_ids(org.pk, "number").rename({"number": "worker_number", "id": "person_id"})
    decls = decls.join(decl_ids, on=["employer_id", "period"])
    lines = 0
    for index in range(12):
        chunk = (
            decls.filter(pl.col("index") == index)
            .with_columns(pl.int_ranges(0, pl.col("line_count")).alias("k"))
            .explode("k")
            .with_columns(
                ("W" + (pl.col("first_worker") + pl.col("k")).cast(pl.Utf8).str.zfill(9)).alias(
                    "worker_number"
                )
            )
            .join(ids, on="worker_number")
            .select(
                pl.lit(org.pk, dtype=pl.Int64).alias("organisation_id"),
                "declaration_id",
                (pl.col("k") + 2).alias("line_no"),  # line 1 is the file's header
                "person_id",
                "worker_number",
                pl.lit("").alias("national_id"),
                pl.lit("TRAORE").alias("family_name"),
                pl.lit("Awa").alias("given_names"),
                pl.lit("standard").alias("category"),
                pl.lit(26).alias("days_worked"),
                pl.lit(100_000).alias("gross_salary"),
            )
        )
        if chunk.height == 0:
            continue
        with line_stage(chunk.height) as stage, transaction.atomic():
            lines += LineInsert(chunk, stage).finish()
    settle(connection)
    return {
        "lines": lines,
        "declarations": decls.height,
        "employers": employers,
        "setup_s": round(time.perf_counter() - t, 1),
    }


def expected_answers(employers: int) -> tuple[int, int]:
    """(non-filers of 2025-12, partial flags) that the set-up planted."""
    import polars as pl

    f = plan(employers)
    active = ~pl.col("late") & ~pl.col("closed")
    non_filers = f.filter(active & pl.col("skips_last")).height
    partial = f.filter(active & ~pl.col("skips_last") & pl.col("partial")).height
    return non_filers, partial


def measure(db_url: str, employers: int, orm_sample: int) -> dict:
    _django(db_url)
    from django.db import connection

    from kafo.collection import selectors
    from kafo.organisations.models import Organisation
    from kafo.organisations.tenancy import tenant_scope, zone_scope
    from kafo.registry.models import Employer

    with zone_scope():
        org = Organisation.objects.get(code=ORG)
    cpu = time.process_time()
    t = time.perf_counter()
    with tenant_scope(org):
        non_filers = set(
            selectors.non_filers(org, "2025-12").values_list("pk", flat=True).order_by()
        )
        partial = set(selectors.partial_declarations(org, "2025-12")) | set(
            selectors.partial_declarations(org, "2025-Q4")
        )
    bulk_s = time.perf_counter() - t
    cpu_s = time.process_time() - cpu
    want = expected_answers(employers)
    assert (len(non_filers), len(partial)) == want, ((len(non_filers), len(partial)), want)

    with tenant_scope(org):
        ids = sorted(Employer.objects.values_list("pk", flat=True))
    sample = random.Random(16).sample(ids, min(orm_sample, len(ids)))
    t = time.perf_counter()
    with tenant_scope(org):
        orm = [_orm_employer(pk) for pk in sample]
    orm_s = time.perf_counter() - t
    agree = 0
    for pk, (missing, flags) in zip(sample, orm, strict=True):
        got = (pk in non_filers, {p for e, p in partial if e == pk})
        assert got == (missing, flags), (pk, got, (missing, flags))
        agree += 1
    return {
        "vendor": connection.vendor,
        "employers": len(ids),
        "non_filers": len(non_filers),
        "partial": len(partial),
        "bulk_s": round(bulk_s, 2),
        "cpu_s": round(cpu_s, 2),
        "employers_per_s": int(len(ids) / bulk_s),
        "orm_employers": len(orm),
        "orm_s": round(orm_s, 2),
        "orm_employers_per_s": int(len(orm) / orm_s),
        "agree": agree,
        "peak_mib": int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load": round(os.getloadavg()[0], 1),  # other work on the machine skews the figures
    }


def _orm_employer(pk: int) -> tuple[bool, set[int]]:
    """One employer: whether its declaration of 2025-12 (or Q4) is missing, through the app's
    per-employer path, and the workers its last declaration left out, through the ORM."""
    from django.db.models import Q

    from kafo.collection import selectors
    from kafo.contributions.domain import periods
    from kafo.contributions.models import Declaration, DeclarationLine, DeclarationStatus
    from kafo.registry.models import Employer, Employment

    employer = Employer.objects.get(pk=pk)
    missing = {p.period for p in selectors.missing_declarations(employer, AS_OF)}
    is_missing = bool(missing & {"2025-12", "2025-Q4"})
    flags: set[int] = set()
    for period, before in (("2025-12", "2025-11"), ("2025-Q4", "2025-Q3")):
        now = Declaration.objects.filter(
            employer=employer,
            status=DeclarationStatus.IN_FORCE,
            period__in=periods.overlapping(period),
        )
        prev = Declaration.objects.filter(
            employer=employer, status=DeclarationStatus.IN_FORCE, period=before
        ).first()
        if prev is None or not now.exists():
            continue
        declared = set(
            DeclarationLine.objects.filter(declaration=prev, person__isnull=False).values_list(
                "person_id", flat=True
            )
        )
        kept = set(
            DeclarationLine.objects.filter(declaration__in=now).values_list("person_id", flat=True)
        )
        end = periods.parse(period)[1]
        ended = set(
            Employment.objects.filter(employer=employer, person_id__in=declared - kept)
            .filter(Q(end_date__lte=end))
            .values_list("person_id", flat=True)
        )
        flags |= declared - kept - ended
    return is_missing, flags


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--pg", help="PostgreSQL URL: also run there (in a kafo_bench_collection db)")
    p.add_argument("--employers", type=int, default=50_000)
    p.add_argument("--orm-sample", type=int, default=500)
    p.add_argument("--child", choices=("setup", "measure"))
    p.add_argument("--db")
    args = p.parse_args()
    if args.child == "setup":
        print(json.dumps(setup(args.db, args.employers)))
        return
    if args.child == "measure":
        print(json.dumps(measure(args.db, args.employers, args.orm_sample)))
        return
    workdir = Path(tempfile.mkdtemp(prefix="kafo-bench-collection-"))
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
            common = ["--db", url, "--employers", str(args.employers)]
            s = run_child(__file__, "--child", "setup", *common)
            r = run_child(
                __file__, "--child", "measure", "--orm-sample", str(args.orm_sample), *common
            )
            results.append(r)
            print(
                f"{name:>10}: {r['employers']:,} employers, {s['declarations']:,} declarations, "
                f"{s['lines']:,} lines: non-filers of 2025-12 ({r['non_filers']:,}) and "
                f"partial flags ({r['partial']:,}) in {r['bulk_s']} s = "
                f"{r['employers_per_s']:,} employers/s (CPU {r['cpu_s']} s) | per-employer ORM "
                f"{r['orm_employers']:,} in {r['orm_s']} s = {r['orm_employers_per_s']:,}/s | "
                f"agree {r['agree']}/{r['orm_employers']} | "
                f"ratio {r['employers_per_s'] / r['orm_employers_per_s']:.1f}x | "
                f"peak {r['peak_mib']} MiB | load {r['load']} on {os.cpu_count()} CPUs | "
                f"setup (not timed) {s['setup_s']} s"
            )
    finally:
        if pg:
            bench_database(pg, BENCH_DB, drop=True)
        shutil.rmtree(workdir, ignore_errors=True)
    worst = min(results, key=lambda r: r["employers_per_s"])
    print(
        f"employers_per_s={worst['employers_per_s']} "
        f"orm_employers_per_s={worst['orm_employers_per_s']} "
        f"ratio={worst['employers_per_s'] / worst['orm_employers_per_s']:.1f} "
        f"peak_mib={max(r['peak_mib'] for r in results)}"
    )


if __name__ == "__main__":
    main()
