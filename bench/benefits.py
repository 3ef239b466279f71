"""Benchmark: 20,000 old-age claims liquidated set-based, versus one claim at a time by the ORM.

    .venv/bin/python bench/benefits.py                       # SQLite (or DATABASE_URL's database)
    .venv/bin/python bench/benefits.py --pg postgres://kafo:kafo@127.0.0.1/kafo   # both
    .venv/bin/python bench/benefits.py --claims 200 --orm-sample 20            # the CI smoke size

Each database gets a fresh one (a temporary SQLite file, or a `kafo_bench_benefits` PostgreSQL
database created and dropped next to the given one) and two child processes:

- setup (not timed): the zone, its contribution and benefit rules; `--claims` insured persons of
  INPS-ML (`--organisation`), each with a career of 35 years (420 monthly lines, 1991-01 to
  2025-12: 8.4 million lines for 20,000) at one of claims/40 employers, salaries rising 2 % a
  year, about one month in eleven under the 18 days that make a month of insurance. One
  declaration in force per employer and month; the lines stored as the declaration import
  stores them (kafo/contributions/storage.py: `line_stage` + `LineInsert`, ADBC-staged on
  SQLite, COPY on PostgreSQL), by year. (Not through `import_frame` whole: the zone's
  contribution rates start in 2000, so the import refuses 1991; and the rates, ledger and
  audit work of the import is not what this benchmark measures.)
- measure, in one run, DEBUG off as in production: the set-based liquidation of every claim
  (read the claimants, `kafo.benefits.bulk.liquidate`: careers in one statement per 5,000
  claimants, Polars computes), then the same work one claim at a time through the ORM on
  `--orm-sample` claims drawn at random, seeded (per claim: the person, the rule in force, its
  lines read through the ORM, `compute_old_age`, which also writes the trace). Both answers
  are compared on the sample: the run fails if one differs. Peak memory is this process's.

The last line reads: claims_per_s=N orm_claims_per_s=N ratio=R peak_mib=M
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
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
BENCH_DB = "kafo_bench_benefits"  # its own name: other benchmarks may run on the same server
FIRST = 1991 * 12  # 1991-01
MONTHS = 420  # 35 years
PERSONS_PER_EMPLOYER = 40


def _django(db_url: str):
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("KAFO_DEBUG", "0")  # as in production: DEBUG keeps every SQL query
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def claim_date(i):
    """Claims are dated through January 2026, after the careers' last month (2025-12)."""
    return dt.date(2026, 1, 1 + i % 28)


def setup(db_url: str, claims: int, org_code: str) -> dict:
    _django(db_url)
    import polars as pl
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from kafo.benefits.services import benefits_seed
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
        benefits_seed()
    org = Organisation.objects.get(code=org_code)
    employers = max(1, claims // PERSONS_PER_EMPLOYER)
    Employer.unscoped.bulk_create(
        [
            Employer(
                organisation=org,
                number=f"B{e:07d}",
                legal_name=f"Entreprise {e}",
                search_name=f"entreprise {e}",
                risk_class=1 + e % 4,
                status_since="1990-01-01",
                registered_on="1990-01-01",
            )
            for e in range(employers)
        ],
        batch_size=5000,
    )
    i = pl.col("i")
    persons = pl.DataFrame({"i": range(claims)}).select(
        pl.lit(org.pk).alias("organisation_id"),
        ("W" + i.cast(pl.Utf8).str.zfill(9)).alias("number"),
        pl.lit("TRAORE").alias("family_name"),
        pl.lit("Awa").alias("given_names"),
        pl.when(i % 2 == 0).then(pl.lit("F")).otherwise(pl.lit("M")).alias("sex"),
        # born 1956-1975: 50 to 70 at the claim, too young, early or at the normal age
        pl.date(1956 + i % 20, 1 + i % 12, 1 + i % 28).cast(pl.Utf8).alias("birth_date"),
        pl.lit("day").alias("birth_date_precision"),
        pl.lit("").alias("birth_place"),
        pl.lit("").alias("mother_name"),
        pl.lit("").alias("national_id"),
        pl.lit("").alias("phone"),
        pl.lit("").alias("address"),
        pl.lit("1990-01-01").alias("registered_on"),
    )
    with transaction.atomic():
        bulk_insert(connection, Person._meta.db_table, persons)
    ids = person_ids(org.pk, "number").rename({"number": "worker_number", "id": "person_id"})
    employer_ids = pl.DataFrame(
        list(Employer.unscoped.filter(organisation=org).values_list("number", "pk", "risk_class")),
        schema={"employer_number": pl.Utf8, "employer_id": pl.Int64, "risk_class": pl.Int64},
        orient="row",
    )
    # careers: person i at employer i % employers, every month of 35 years
    m = pl.col("month")
    careers = (
        pl.DataFrame({"i": range(claims)})
        .with_columns(
            ("W" + i.cast(pl.Utf8).str.zfill(9)).alias("worker_number"),
            ("B" + (i % employers).cast(pl.Utf8).str.zfill(7)).alias("employer_number"),
            pl.int_ranges(FIRST, FIRST + MONTHS).alias("month"),
        )
        .explode("month")
        .join(ids, on="worker_number")
        .join(employer_ids, on="employer_number")
        .with_columns(
            # a level of 40,000 to 1,020,000 a month, 2 % more each year, to the hundred, and
            # overtime of 0 to 6,100 francs that varies month to month
            (
                (40_000 + (i * 7919 % 50) * 20_000) * (100 + (m - FIRST) // 12 * 2) // 10_000 * 100
                + (i * 13 + m * 7) % 62 * 100
            )
            .cast(pl.Int64)
            .alias("gross_salary"),
            pl.when((i * 31 + m * 17) % 11 == 0)
            .then(10)
            .otherwise(26 + (i + m) % 6)
            .cast(pl.Int64)
            .alias("days_worked"),
            ((m // 12).cast(pl.Utf8) + "-" + (m % 12 + 1).cast(pl.Utf8).str.zfill(2)).alias(
                "period"
            ),
        )
    )
    now = dt.datetime.now(dt.UTC).isoformat()
    declarations = (
        careers.group_by("employer_id", "risk_class", "period", "month")
        .agg(pl.len().alias("line_count"), pl.col("gross_salary").sum().alias("total_salary"))
        .sort("month", "employer_id")
        .select(
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
            (pl.col("period") + "-01").alias("rules_on"),
            "risk_class",
            "line_count",
            pl.lit(0).alias("pending_count"),
            "total_salary",
            pl.lit(0).alias("employer_total"),
            pl.lit(0).alias("employee_total"),
            pl.lit(0).alias("total"),
            pl.lit("{}").alias("branch_totals"),
        )
    )
    with transaction.atomic():
        bulk_insert(connection, Declaration._meta.db_table, declarations)
    decl_ids = pl.DataFrame(
        list(
            Declaration.unscoped.filter(organisation=org).values_list("employer_id", "period", "pk")
        ),
        schema={"employer_id": pl.Int64, "period": pl.Utf8, "declaration_id": pl.Int64},
        orient="row",
    )
    careers = careers.join(decl_ids, on=["employer_id", "period"])
    lines = 0
    for year in range(FIRST // 12, (FIRST + MONTHS) // 12):
        chunk = careers.filter(m // 12 == year).select(
            pl.lit(org.pk, dtype=pl.Int64).alias("organisation_id"),
            "declaration_id",
            (pl.col("i") + 2).alias("line_no"),  # line 1 is the file's header
            "person_id",
            "worker_number",
            pl.lit("").alias("national_id"),
            pl.lit("TRAORE").alias("family_name"),
            pl.lit("Awa").alias("given_names"),
            pl.lit("standard").alias("category"),
            "days_worked",
            "gross_salary",
        )
        with line_stage(chunk.height) as stage, transaction.atomic():
            lines += LineInsert(chunk, stage).finish()
    settle(connection)
    return {"lines": lines, "employers": employers, "setup_s": round(time.perf_counter() - t, 1)}


def measure(db_url: str, org_code: str, orm_sample: int) -> dict:
    _django(db_url)
    import polars as pl
    from django.db import connection

    from kafo.benefits.bulk import liquidate
    from kafo.organisations.models import Organisation
    from kafo.organisations.tenancy import tenant_scope, zone_scope
    from kafo.registry.models import Person

    with zone_scope():
        org = Organisation.objects.get(code=org_code)

    # set-based: every claim of the organisation's insured persons
    cpu = time.process_time()
    t = time.perf_counter()
    with tenant_scope(org):
        persons = list(Person.objects.values_list("pk", "birth_date", "sex").order_by("pk"))
        claims = pl.DataFrame(
            persons,
            schema={"person_id": pl.Int64, "birth_date": pl.Date, "sex": pl.Utf8},
            orient="row",
        ).with_columns(
            pl.date(2026, 1, 1 + pl.int_range(0, pl.len()) % 28).alias("on"),
        )
        result = liquidate(organisation=org, claims=claims)
    bulk_s = time.perf_counter() - t
    cpu_s = time.process_time() - cpu
    n = result.height
    assert n == len(persons) and set(result["path"]) == {"set"}, result["path"].value_counts()
    counts = dict(result.group_by("benefit").len().iter_rows())

    # one claim at a time through the ORM, on a sample spread over the claims
    sample = claims.with_row_index("claim").sample(n=min(orm_sample, n), seed=13)
    t = time.perf_counter()
    with tenant_scope(org):
        orm = [_orm_claim(org, pid, on) for pid, on in sample.select("person_id", "on").iter_rows()]
    orm_s = time.perf_counter() - t
    agree = 0
    for (claim,), r in zip(sample.select("claim").iter_rows(), orm, strict=True):
        row = result.row(claim, named=True)
        got = (
            row["eligible"],
            row["benefit"],
            row["monthly_amount"],
            row["lump_sum_amount"],
            row["insured_months"],
            row["reference_salary"],
            row["rate"],
        )
        want = (
            r.eligible,
            r.benefit,
            r.monthly_amount,
            r.lump_sum_amount,
            r.insured_months,
            r.reference_salary,
            r.rate,
        )
        assert got == want, (claim, got, want)
        agree += 1
    return {
        "vendor": connection.vendor,
        "claims": n,
        "benefits": counts,
        "bulk_s": round(bulk_s, 2),
        "cpu_s": round(cpu_s, 2),
        "claims_per_s": int(n / bulk_s),
        "orm_claims": len(orm),
        "orm_s": round(orm_s, 2),
        "orm_claims_per_s": int(len(orm) / orm_s),
        "agree": agree,
        "peak_mib": int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load": round(os.getloadavg()[0], 1),  # other work on the machine skews the figures
    }


def _orm_claim(org, person_id: int, on: dt.date):
    """The per-claim path: the person, the rule in force, the lines through the ORM, then the
    domain function with its trace."""
    from kafo.benefits.bulk import career_lines_of
    from kafo.benefits.domain.pension import Claimant, compute_old_age
    from kafo.benefits.selectors import rule_in_force
    from kafo.contributions.models import DeclarationLine, DeclarationStatus
    from kafo.registry.models import Person

    person = Person.objects.get(pk=person_id)
    rules = rule_in_force(organisation=org, kind="old_age", on=on).rules()
    rows = DeclarationLine.objects.filter(
        person_id=person.pk, declaration__status=DeclarationStatus.IN_FORCE
    ).values_list("declaration__period", "gross_salary", "days_worked")
    career = career_lines_of(org.code, rows)
    return compute_old_age(rules, career, Claimant(person.birth_date, person.sex), on=on)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument(
        "--pg", help="PostgreSQL URL: also run there (in a kafo_bench_benefits database)"
    )
    p.add_argument("--claims", type=int, default=20_000)
    p.add_argument("--orm-sample", type=int, default=500)
    p.add_argument("--organisation", default="INPS-ML")
    p.add_argument("--child", choices=("setup", "measure"))
    p.add_argument("--db")
    args = p.parse_args()
    if args.child == "setup":
        print(json.dumps(setup(args.db, args.claims, args.organisation)))
        return
    if args.child == "measure":
        print(json.dumps(measure(args.db, args.organisation, args.orm_sample)))
        return
    workdir = Path(tempfile.mkdtemp(prefix="kafo-bench-benefits-"))
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
            common = ["--db", url, "--organisation", args.organisation]
            s = run_child(__file__, "--child", "setup", "--claims", str(args.claims), *common)
            r = run_child(
                __file__, "--child", "measure", "--orm-sample", str(args.orm_sample), *common
            )
            results.append(r)
            print(
                f"{name:>10}: {r['claims']:,} claims from {s['lines']:,} career lines in "
                f"{r['bulk_s']} s = {r['claims_per_s']:,} claims/s (CPU {r['cpu_s']} s) | "
                f"per-claim ORM {r['orm_claims']:,} claims in {r['orm_s']} s = "
                f"{r['orm_claims_per_s']:,} claims/s | agree {r['agree']}/{r['orm_claims']} | "
                f"ratio {r['claims_per_s'] / r['orm_claims_per_s']:.1f}x | "
                f"peak {r['peak_mib']} MiB | load {r['load']} on {os.cpu_count()} CPUs"
            )
            print(f"{'':>10}  benefits: {r['benefits']} | setup (not timed) {s['setup_s']} s")
    finally:
        if pg:
            bench_database(pg, BENCH_DB, drop=True)
        shutil.rmtree(workdir, ignore_errors=True)
    worst = min(results, key=lambda r: r["claims_per_s"])
    print(
        f"claims_per_s={worst['claims_per_s']} orm_claims_per_s={worst['orm_claims_per_s']} "
        f"ratio={worst['claims_per_s'] / worst['orm_claims_per_s']:.1f} "
        f"peak_mib={max(r['peak_mib'] for r in results)}"
    )


if __name__ == "__main__":
    main()
