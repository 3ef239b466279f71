"""Benchmark: a 1,000,000-line DNS file imported end to end, versus a per-line ORM path.

    .venv/bin/python bench/declarations.py                 # SQLite (or DATABASE_URL's database)
    .venv/bin/python bench/declarations.py --pg postgres://kafo:kafo@127.0.0.1/kafo   # both

Each database runs in its own child process on a fresh database (a temporary SQLite file, or a
`kafo_bench_decl` PostgreSQL database created and dropped next to the given one). Setup
(employers and persons, inserted in bulk) is not timed. Timed: parse + validate + compute +
store of the whole file through `kafo declarations_import`'s code path (the time of each step
is printed too), and the same work line by line through the ORM (csv module, Decimal
computation, one `save()` per line) on a 20,000-line sample. Both run with DEBUG off, as in
production (KAFO_DEBUG=0 unless set): in DEBUG mode Django keeps and formats every SQL query.
The last line reads: lines_per_s=N orm_lines_per_s=N ratio=R peak_mib=M
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_db import bench_database, bulk_insert  # bench/ is the script's own folder

ROOT = Path(__file__).resolve().parents[1]
ORG = "CNPS-CI"
PERIOD = "2025-03"
BENCH_DB = "kafo_bench_decl"  # its own name: other benchmarks may run on the same server


def generate(path: Path, lines: int, employers: int) -> None:
    """Write a deterministic DNS file (';' separator) of `lines` lines over `employers`."""
    import polars as pl

    i = pl.int_range(0, lines, dtype=pl.Int64)
    mix = (i * 2654435761 + 12345) % 4294967296  # a cheap deterministic scramble
    frame = pl.select(
        ("B" + (i % employers).cast(pl.Utf8).str.zfill(7)).alias("employer_number"),
        pl.lit(PERIOD).alias("period"),
        ("W" + i.cast(pl.Utf8).str.zfill(9)).alias("worker_number"),
        pl.lit("").alias("national_id"),
        pl.lit("TRAORE").alias("family_name"),
        pl.lit("Awa").alias("given_names"),
        (mix % 32).cast(pl.Utf8).alias("days_worked"),
        (40_000 + mix % 4_960_000).cast(pl.Utf8).alias("gross_salary"),
        pl.when(mix % 10 == 0)
        .then(pl.lit("executive"))
        .otherwise(pl.lit("standard"))
        .alias("category"),
    )
    frame.write_csv(path, separator=";")


def child(db_url: str, lines: int, employers: int, orm_sample: int, workdir: Path) -> dict:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("KAFO_DEBUG", "0")  # as in production: DEBUG keeps every SQL query
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    import polars as pl

    from kafo.contributions.models import DeclarationLine
    from kafo.organisations.models import Organisation
    from kafo.organisations.services import zone_seed
    from kafo.organisations.tenancy import tenant_scope, zone_scope
    from kafo.registry.models import Employer, Person
    from kafo.rules.services import rules_seed

    with zone_scope():
        zone_seed()
        rules_seed()
    org = Organisation.objects.get(code=ORG)
    big = workdir / "dns-1m.csv"
    if not big.exists():
        generate(big, lines, employers)
    # setup, not timed: employers and (98 % of) the workers are registered
    t = time.perf_counter()
    Employer.unscoped.bulk_create(
        [
            Employer(
                organisation=org,
                number=f"B{e:07d}",
                legal_name=f"Entreprise {e}",
                search_name=f"entreprise {e}",
                risk_class=1 + e % 4,
                status_since="2020-01-01",
                registered_on="2020-01-01",
            )
            for e in range(employers)
        ],
        batch_size=5000,
    )
    persons = (
        pl.DataFrame({"i": range(lines)})
        .filter(pl.col("i") % 50 != 0)
        .select(
            pl.lit(org.pk).alias("organisation_id"),
            ("W" + pl.col("i").cast(pl.Utf8).str.zfill(9)).alias("number"),
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
            pl.lit("2020-01-01").alias("registered_on"),
        )
    )
    bulk_insert(connection, Person._meta.db_table, persons)
    _settle(connection)
    setup_s = time.perf_counter() - t

    # the set-based path, end to end (read + parse + validate + compute + store)
    from kafo.contributions.domain import dns
    from kafo.contributions.services import import_frame

    steps: dict[str, float] = {}
    cpu = time.process_time()
    server_cpu = _server_cpu()
    t = last = time.perf_counter()

    def progress(step, n=0):
        nonlocal last
        now = time.perf_counter()
        steps[step] = round(steps.get(step, 0) + now - last, 2)
        last = now

    parsed = dns.read_bytes(big.read_bytes(), big.name)
    assert not parsed.errors, parsed.errors[:5]
    progress("read")
    with tenant_scope(org):
        result = import_frame(frame=parsed.frame, organisation=org, progress=progress)
    bulk_s = time.perf_counter() - t
    cpu_s = time.process_time() - cpu  # this process only (all its threads), not the server's
    server_cpu_s = _server_cpu() - server_cpu if connection.vendor == "postgresql" else 0.0
    stored = DeclarationLine.unscoped.count()
    assert stored == lines, stored
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # the per-line ORM path on a sample, another period so nothing collides
    sample = workdir / "dns-sample.csv"
    with big.open(encoding="utf-8") as src, sample.open("w", encoding="utf-8") as dst:
        for i, row in enumerate(src):
            if i > orm_sample:
                break
            dst.write(row if i == 0 else row.replace(PERIOD, "2025-02"))
    t = time.perf_counter()
    with tenant_scope(org):
        orm_lines = _orm_path(sample, org)
    orm_s = time.perf_counter() - t
    return {
        "vendor": connection.vendor,
        "lines": lines,
        "declarations": len(result.declarations),
        "pending": result.pending_created,
        "setup_s": round(setup_s, 2),
        "bulk_s": round(bulk_s, 2),
        "steps": steps,
        "cpu_s": round(cpu_s, 2),
        "server_cpu_s": round(server_cpu_s, 2),
        "lines_per_s": int(lines / bulk_s),
        "orm_lines": orm_lines,
        "orm_s": round(orm_s, 2),
        "orm_lines_per_s": int(orm_lines / orm_s),
        "peak_mib": int(peak_mib),
        "load": round(os.getloadavg()[0], 1),  # other work on the machine skews the figures
    }


def _server_cpu() -> float:
    """CPU seconds used so far by every PostgreSQL process of this machine (the benchmark's
    server is on loopback; its backend, WAL writer and checkpointer all work for the import).
    0 where /proc cannot tell (another OS, another user's processes hidden)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
            if "(postgres" not in fields[0]:
                continue
            rest = fields[1].split()
            total += int(rest[11]) + int(rest[12])  # utime, stime (fields 14 and 15)
        except (OSError, IndexError, ValueError):
            continue
    return total / ticks


def _settle(connection) -> None:
    """Leave the database as a long-running one is when a file arrives: the registry vacuumed
    and analysed (its rows' hint bits set, not by the timed import's first read) and no
    checkpoint of the setup's writes pending (CHECKPOINT needs a superuser or pg_checkpoint:
    skipped without)."""
    from django.db import DatabaseError

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM (ANALYZE)")
            try:
                cur.execute("CHECKPOINT")
            except DatabaseError:  # autocommit: the connection stays usable
                pass
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _orm_path(path: Path, org) -> int:
    """The naive path: csv module, per-line checks and lookups, Decimal maths, one save per line."""
    import csv
    import datetime as dt
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from kafo.contributions.domain.compute import Line, line_shares, rates_for_employer
    from kafo.contributions.models import Declaration, DeclarationLine
    from kafo.registry.models import Employer, Person
    from kafo.rules.selectors import rates_in_force

    rates = rates_in_force(organisation_id=org.pk, on=dt.date(2025, 2, 1))
    declarations: dict[int, Declaration] = {}
    n = 0
    with path.open(encoding="utf-8") as f, transaction.atomic():
        for i, row in enumerate(csv.DictReader(f, delimiter=";"), start=2):
            employer = Employer.objects.get(number=row["employer_number"])
            person = Person.objects.filter(number=row["worker_number"]).first()
            days, gross = int(row["days_worked"]), Decimal(row["gross_salary"].replace(" ", ""))
            if gross < 0 or not 0 <= days <= 31:
                raise ValueError(i)
            shares = line_shares(
                Line(gross, row["category"]), rates_for_employer(rates, employer.risk_class), "XOF"
            )
            decl = declarations.get(employer.pk)
            if decl is None:
                decl = Declaration.objects.create(
                    organisation=org,
                    employer=employer,
                    period=row["period"],
                    file_hash=f"orm{i}",
                    channel="bulk",
                    submitted_at=timezone.now(),
                    rules_on=dt.date(2025, 2, 1),
                )
                declarations[employer.pk] = decl
            decl.employer_total += sum(s.employer for s in shares)
            decl.employee_total += sum(s.employee for s in shares)
            DeclarationLine(
                organisation=org,
                declaration=decl,
                line_no=i,
                person=person,
                worker_number=row["worker_number"],
                family_name=row["family_name"],
                given_names=row["given_names"],
                category=row["category"],
                days_worked=days,
                gross_salary=gross,
            ).save()
            n += 1
        for decl in declarations.values():  # the totals a declaration stores, as the bulk path
            decl.total = decl.employer_total + decl.employee_total
            decl.save(update_fields=["employer_total", "employee_total", "total"])
    return n


def run_child(db_url: str, args, workdir: Path) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        db_url,
        "--lines",
        str(args.lines),
        "--employers",
        str(args.employers),
        "--orm-sample",
        str(args.orm_sample),
        "--workdir",
        str(workdir),
    ]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--pg", help="PostgreSQL URL: also run there (in a kafo_bench database)")
    p.add_argument("--lines", type=int, default=1_000_000)
    p.add_argument("--employers", type=int, default=2_000)
    p.add_argument("--orm-sample", type=int, default=20_000)
    p.add_argument("--child")
    p.add_argument("--workdir")
    args = p.parse_args()
    if args.child:
        print(
            json.dumps(
                child(args.child, args.lines, args.employers, args.orm_sample, Path(args.workdir))
            )
        )
        return
    workdir = Path(tempfile.mkdtemp(prefix="kafo-bench-"))
    targets = []
    env_url = os.environ.get("DATABASE_URL", "")
    if args.pg or not env_url.startswith("postgres"):
        targets.append(("sqlite", f"sqlite:///{workdir / 'bench.sqlite3'}"))
    pg = args.pg or (env_url if env_url.startswith("postgres") else None)
    if pg:
        targets.append(("postgresql", bench_database(pg, BENCH_DB)))
    results = []
    for name, url in targets:
        r = run_child(url, args, workdir)
        results.append(r)
        print(
            f"{name:>10}: {r['lines']:,} lines in {r['bulk_s']} s = {r['lines_per_s']:,} lines/s "
            f"({r['declarations']} declarations, {r['pending']} pending) | per-line ORM "
            f"{r['orm_lines']:,} lines in {r['orm_s']} s = {r['orm_lines_per_s']:,} lines/s | "
            f"ratio {r['lines_per_s'] / r['orm_lines_per_s']:.1f}x | peak {r['peak_mib']} MiB | "
            f"load {r['load']} on {os.cpu_count()} CPUs"
        )
        cpu = r["cpu_s"] + r["server_cpu_s"]
        where = (
            f"client {r['cpu_s']} s + PostgreSQL server {r['server_cpu_s']} s = {cpu:.1f} s"
            if r["vendor"] == "postgresql"
            else f"{cpu:.1f} s (SQLite works in this process)"
        )
        print(
            f"{'':>10}  steps (s): {r['steps']} | CPU: {where}, so at most "
            f"{int(r['lines'] / (cpu / os.cpu_count())):,} lines/s on {os.cpu_count()} cores "
            "even if no core ever waited"
        )
    if pg:
        bench_database(pg, BENCH_DB, drop=True)
    shutil.rmtree(workdir, ignore_errors=True)  # the 1M-line file and the SQLite database
    worst = min(results, key=lambda r: r["lines_per_s"])
    print(
        f"lines_per_s={worst['lines_per_s']} orm_lines_per_s={worst['orm_lines_per_s']} "
        f"ratio={worst['lines_per_s'] / worst['orm_lines_per_s']:.1f} "
        f"peak_mib={max(r['peak_mib'] for r in results)}"
    )


if __name__ == "__main__":
    main()
