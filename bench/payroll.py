"""Benchmark: a payroll run of 500,000 benefits in payment, set-based, versus one benefit at a
time through the ORM.

    .venv/bin/python bench/payroll.py                          # SQLite (or DATABASE_URL's)
    .venv/bin/python bench/payroll.py --pg postgres://kafo:kafo@127.0.0.1/kafo   # both
    .venv/bin/python bench/payroll.py --benefits 2000 --orm-sample 50           # smoke size

Each database gets a fresh one (a temporary SQLite file, or a `kafo_bench_payroll` PostgreSQL
database next to the given one) and two child processes:

- setup (not timed): INPS-ML with `--benefits` benefits in payment (pensions, survivors' shares,
  family allowances; 60 % bank with valid UEMOA RIBs, 30 % mobile money, 10 % cash), one or two
  amount versions each (one in five revalued +3 % from 16 March 2026, inside the month), and
  what earlier runs paid: a frozen February 2026 run covering nearly everyone. Mixed in: 2 %
  suspended (no line since), 2 % resumed after a suspension (last paid December 2025: two months
  of arrears), 1 % started on 15 December 2025 and never paid (pro rata December + arrears),
  2.5 % stopped on a date in March (pro rata), 0.5 % dead (nothing paid), 0.3 % with February's
  line failed (paid again), 1 % with an overpayment to recover (capped at a third).
- measure, in one run, DEBUG off: the March 2026 run set-based — read the frames
  (kafo/payroll/runs.py `read_frames`), compute (domain/run.py), check (no negative, no
  benefit/beneficiary/month twice, no dead payee, totals per channel), write the payment files
  (run_files.py: pain.001 with every RIB key checked, a CSV per operator and per paying agency)
  — then the same work one benefit at a time through the ORM on `--orm-sample` benefits drawn
  at random, seeded (read the benefit, its amount versions, its lines and overpayments; compute
  its months day by day with Fractions — an independent implementation of the same rules;
  check it; format its file row). Both answers are compared on the sample: the run fails if one
  differs. Peak memory is this process's.

The last line reads: benefits_per_s=N orm_benefits_per_s=N ratio=R seconds=S peak_mib=M
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

from bench_db import (  # bench/ is the script's own folder
    bench_database,
    bulk_insert,
    run_child,
    settle,
)

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "kafo_bench_payroll"
MARCH = 2026 * 12 + 2
FEB, DEC = MARCH - 1, MARCH - 3


def _django(db_url: str):
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("KAFO_DEBUG", "0")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def setup(db_url: str, n: int, org_code: str) -> dict:
    _django(db_url)
    import polars as pl
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from kafo.accounts.models import User
    from kafo.organisations.models import Organisation
    from kafo.organisations.services import zone_seed
    from kafo.organisations.tenancy import zone_scope
    from kafo.payroll.models import BenefitInPayment, PayrollRun

    t = time.perf_counter()
    with zone_scope():
        zone_seed()
    org = Organisation.objects.get(code=org_code)
    user = User.objects.create_user(username="bench.paie", password="x", organisation=org)  # noqa: S106
    now = dt.datetime.now(dt.UTC).isoformat()
    i = pl.col("i")
    # a valid UEMOA RIB: ML016 + branch + account, key = 97 − ((17·B + 53·G + 3·C) mod 97),
    # B = 43016 (M→4, L→3) (payments-indicators.md §1.3)
    branch = 10000 + i % 900
    account = 100000000000 + i * 7
    key = 97 - (17 * 43016 + 53 * branch + 3 * account) % 97
    frame = pl.DataFrame({"i": range(n)}).with_columns(
        pl.when(i % 10 < 6)
        .then(pl.lit("pension"))
        .when(i % 10 < 8)
        .then(pl.lit("survivor"))
        .otherwise(pl.lit("family_allowance"))
        .alias("kind"),
        pl.when(i % 20 < 12)
        .then(pl.lit("bank"))
        .when(i % 20 < 18)
        .then(pl.lit("mobile_money"))
        .otherwise(pl.lit("cash"))
        .alias("channel"),
        pl.when(i % 97 == 0)
        .then(pl.lit("2025-12-15"))
        .otherwise(pl.lit("2024-01-01"))
        .alias("start_date"),
        pl.when(i % 40 == 3)
        .then(pl.format("2026-03-{}", (1 + i % 28).cast(pl.Utf8).str.zfill(2)))
        .when(i % 200 == 5)
        .then(pl.lit("2026-02-28"))
        .otherwise(pl.lit(None, dtype=pl.Utf8))
        .alias("end_date"),
        pl.when(i % 200 == 5)
        .then(pl.lit("2026-02-10"))
        .otherwise(pl.lit(None, dtype=pl.Utf8))
        .alias("payee_death_date"),
        pl.when(i % 50 == 1)
        .then(pl.lit("suspended"))
        .when((i % 40 == 3) | (i % 200 == 5))
        .then(pl.lit("stopped"))
        .otherwise(pl.lit("in_payment"))
        .alias("status"),
    )
    benefits = frame.select(
        pl.lit(org.pk).alias("organisation_id"),
        pl.lit("TRAORE Awa").alias("payee_name"),
        pl.lit("").alias("guardian_name"),
        "kind",
        pl.lit("monthly").alias("frequency"),
        pl.lit("advance").alias("timing"),
        "start_date",
        "end_date",
        "status",
        pl.lit("2024-01-01").alias("status_since"),
        pl.lit("start").alias("status_reason"),
        "payee_death_date",
        pl.lit(False).alias("resides_abroad"),
        "channel",
        pl.lit("").alias("account_holder"),
        pl.when(pl.col("channel") == "bank")
        .then(
            "ML016" + branch.cast(pl.Utf8) + account.cast(pl.Utf8) + key.cast(pl.Utf8).str.zfill(2)
        )
        .otherwise(pl.lit(""))
        .alias("rib"),
        pl.lit("").alias("iban"),
        pl.lit("").alias("bic"),
        pl.when(pl.col("channel") == "mobile_money")
        .then("+2236" + (5000000 + i % 4000000).cast(pl.Utf8))
        .otherwise(pl.lit(""))
        .alias("msisdn"),
        pl.when(pl.col("channel") == "mobile_money")
        .then(pl.when(i % 2 == 0).then(pl.lit("Orange Money")).otherwise(pl.lit("Moov Money")))
        .otherwise(pl.lit(""))
        .alias("operator"),
        pl.when(pl.col("channel") == "cash")
        .then(pl.format("Agence {}", (i % 12).cast(pl.Utf8)))
        .otherwise(pl.lit(""))
        .alias("paying_agency"),
        pl.lit(now).alias("created_at"),
    )
    with transaction.atomic():
        bulk_insert(connection, BenefitInPayment._meta.db_table, benefits)
    ids = (
        pl.DataFrame(
            {
                "id": sorted(
                    BenefitInPayment.unscoped.filter(organisation=org).values_list("pk", flat=True)
                )
            }
        )
        .with_row_index("i")
        .with_columns(pl.col("i").cast(pl.Int64))
    )
    frame = frame.join(ids, on="i")
    amount = 20_000 + (i * 7919 % 200) * 1000
    v1 = frame.select(
        pl.lit(org.pk).alias("organisation_id"),
        pl.col("id").alias("benefit_id"),
        pl.col("start_date").alias("effective_from"),
        amount.alias("monthly_amount"),
        pl.lit("initial").alias("reason"),
        pl.lit(now).alias("created_at"),
    )
    v2 = frame.filter(i % 5 == 0).select(
        pl.lit(org.pk).alias("organisation_id"),
        pl.col("id").alias("benefit_id"),
        pl.lit("2026-03-16").alias("effective_from"),
        (amount * 103 // 100).alias("monthly_amount"),
        pl.lit("revaluation").alias("reason"),
        pl.lit(now).alias("created_at"),
    )
    from kafo.payroll.models import AmountVersion, Overpayment, PayrollLine

    with transaction.atomic():
        bulk_insert(connection, AmountVersion._meta.db_table, pl.concat([v1, v2]))
        over = frame.filter(i % 100 == 9).select(
            pl.lit(org.pk).alias("organisation_id"),
            pl.col("id").alias("benefit_id"),
            pl.lit(20_000).alias("amount"),
            pl.lit(0).alias("recovered"),
            pl.lit("other").alias("reason"),
            pl.lit("").alias("note"),
            pl.lit(now).alias("created_at"),
        )
        bulk_insert(connection, Overpayment._meta.db_table, over)
    # earlier runs: December 2025 (the resumed), February 2026 (nearly everyone), frozen
    runs = {}
    for month in (DEC, FEB):
        start = dt.date(month // 12, month % 12 + 1, 1)
        runs[month] = PayrollRun.unscoped.create(
            organisation=org,
            period_start=start,
            status="frozen",
            prepared_by=user,
            prepared_at=dt.datetime.now(dt.UTC),
        ).pk
    paid = frame.filter((i % 50 != 1) & (i % 97 != 0)).with_columns(
        pl.when(i % 50 == 2).then(DEC).otherwise(FEB).alias("month")
    )
    lines = paid.select(
        pl.lit(org.pk).alias("organisation_id"),
        pl.when(pl.col("month") == DEC).then(runs[DEC]).otherwise(runs[FEB]).alias("run_id"),
        pl.col("id").alias("benefit_id"),
        pl.when(pl.col("month") == DEC)
        .then(pl.lit("2025-12-01"))
        .otherwise(pl.lit("2026-02-01"))
        .alias("period_from"),
        pl.when(pl.col("month") == DEC)
        .then(pl.lit("2025-12-01"))
        .otherwise(pl.lit("2026-02-01"))
        .alias("period_to"),
        pl.format("[{}]", pl.col("month").cast(pl.Utf8)).alias("months"),
        pl.lit(1).alias("month_count"),
        amount.alias("regular"),
        pl.lit(0).alias("arrears"),
        amount.alias("gross"),
        pl.lit(0).alias("deductions"),
        amount.alias("net"),
        "channel",
        pl.lit("TRAORE Awa").alias("payee_name"),
        pl.lit("").alias("rib"),
        pl.lit("").alias("iban"),
        pl.lit("").alias("bic"),
        pl.lit("").alias("msisdn"),
        pl.lit("").alias("operator"),
        pl.lit("").alias("paying_agency"),
        pl.format("H{}", pl.col("id").cast(pl.Utf8)).alias("reference"),
        pl.when((i % 300 == 7) & (pl.col("month") == FEB))
        .then(pl.lit("failed"))
        .otherwise(pl.lit("paid"))
        .alias("status"),
        pl.lit("").alias("failure_reason"),
    )
    with transaction.atomic():
        bulk_insert(connection, PayrollLine._meta.db_table, lines)
    settle(connection)
    return {"lines": lines.height, "setup_s": round(time.perf_counter() - t, 1)}


def measure(db_url: str, org_code: str, orm_sample: int, workdir: str) -> dict:
    _django(db_url)
    import polars as pl
    from django.db import connection
    from django.utils import timezone

    from kafo.organisations.models import Organisation
    from kafo.organisations.tenancy import tenant_scope, zone_scope
    from kafo.payroll import runs
    from kafo.payroll.domain import run as domain
    from kafo.payroll.run_files import write_files

    with zone_scope():
        org = Organisation.objects.select_related("country").get(code=org_code)
    period = domain.Period(MARCH, 1)
    cap = runs.recovery_cap(org)
    first = runs.horizon(org)

    cpu = time.process_time()
    t = time.perf_counter()
    with tenant_scope(org):
        f = runs.read_frames(org)
        computed = domain.compute(
            f["benefits"],
            f["amounts"],
            period,
            horizon=first,
            unpaid=f["unpaid"],
            deductions=f["deductions"],
            cap=cap,
        )
        stated = dict(computed.totals.select("channel", "net").iter_rows())
        problems = domain.check(
            computed.lines,
            computed.months,
            f["benefits"],
            totals_by_channel=stated,
            paid=runs.paid_months(org.pk, exclude_run=0),
        )
        details = runs._details_by_org(org)
        names = ["payee_name", "rib", "iban", "bic", "msisdn", "operator", "paying_agency"]
        detail_frame = pl.DataFrame(
            [(k, *v) for k, v in details.items()],
            schema={"benefit_id": pl.Int64} | dict.fromkeys(names, pl.Utf8),
            orient="row",
        )
        file_lines = computed.lines.join(detail_frame, on="benefit_id").select(
            pl.format("K9999999B{}", pl.col("benefit_id").cast(pl.Utf8).str.zfill(10)).alias(
                "reference"
            ),
            "channel",
            "payee_name",
            "net",
            *names[1:],
        )
        files = write_files(
            file_lines,
            run_reference="PAIE-202603-BENCH",
            debtor=runs.debtor_account(org),
            created_at=timezone.now(),
            execution_date=dt.date(2026, 3, 25),
            remittance="Pension 03/2026",
            cash_pdf=False,  # the cash lists as CSV; the PDF layout is minutes (run_files.py)
        )
        for rf in files:
            (Path(workdir) / rf.name).write_bytes(rf.content)
    bulk_s = time.perf_counter() - t
    cpu_s = time.process_time() - cpu
    n = f["benefits"].height
    assert not problems, problems[:5]
    assert sum(rf.total for rf in files) == int(computed.lines["net"].sum())

    sample = f["benefits"].sample(n=min(orm_sample, n), seed=13)["benefit_id"].to_list()
    t = time.perf_counter()
    with tenant_scope(org):
        orm = {bid: _orm_benefit(org, bid, period, first, cap) for bid in sample}
    orm_s = time.perf_counter() - t
    by_id = {r["benefit_id"]: r for r in computed.lines.iter_rows(named=True)}
    agree = 0
    for bid, want in orm.items():
        row = by_id.get(bid)
        got = (
            None
            if row is None
            else (row["gross"], row["deductions"], row["net"], row["month_count"])
        )
        assert got == want, (bid, got, want)
        agree += 1
    lines = computed.lines
    return {
        "vendor": connection.vendor,
        "benefits": n,
        "lines": lines.height,
        "arrears_lines": lines.filter(pl.col("arrears") > 0).height,
        "deduction_lines": lines.filter(pl.col("deductions") > 0).height,
        "files": len(files),
        "file_mib": round(sum(len(rf.content) for rf in files) / 2**20, 1),
        "net": int(lines["net"].sum()),
        "bulk_s": round(bulk_s, 2),
        "cpu_s": round(cpu_s, 2),
        "benefits_per_s": int(n / bulk_s),
        "orm_benefits": len(orm),
        "orm_s": round(orm_s, 2),
        "orm_benefits_per_s": int(len(orm) / orm_s),
        "agree": agree,
        "peak_mib": int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load": round(os.getloadavg()[0], 1),
    }


def _round_half_up(x: Fraction) -> int:
    return int((2 * x.numerator + x.denominator) // (2 * x.denominator))


def _orm_benefit(org, bid: int, period, first: int, cap: Fraction):
    """One benefit through the ORM, computed day by day (the rules of domain/run.py written
    again, one row at a time); None when nothing is paid."""
    from django.db.models import F

    from kafo.payroll.domain import pain001
    from kafo.payroll.domain.bank_ids import parse_rib
    from kafo.payroll.models import BenefitInPayment, Overpayment, PayrollLine

    b = BenefitInPayment.objects.get(pk=bid)
    versions = list(
        b.amount_versions.order_by("effective_from").values_list("effective_from", "monthly_amount")
    )
    lines = list(
        PayrollLine.objects.filter(benefit=b)
        .exclude(run__status="cancelled")
        .values_list("status", "months", "repaid_by_id")
    )
    overs = list(
        Overpayment.objects.filter(benefit=b, recovered__lt=F("amount"))
        .order_by("pk")
        .values_list("amount", "recovered")
    )
    if b.payee_death_date or b.status == "suspended" or (b.status == "stopped" and not b.end_date):
        return None
    paid = {m for s, months, _r in lines if s != "failed" for m in months}
    failed = {m for s, months, r in lines if s == "failed" and r is None for m in months}
    last = max(paid) if paid else -1
    start_m = b.start_date.year * 12 + b.start_date.month - 1
    months = [
        m
        for m in range(max(start_m, first), period.last + 1)
        if (m > last or m in failed) and m not in (paid - failed)
    ]
    gross = 0
    count = 0
    for m in months:
        y, mo = m // 12, m % 12 + 1
        dim = calendar.monthrange(y, mo)[1]
        total = Fraction(0)
        for d in range(1, dim + 1):
            day = dt.date(y, mo, d)
            if day < b.start_date or (b.end_date and day > b.end_date):
                continue
            amount = next((a for f, a in reversed(versions) if f <= day), None)
            if amount is not None:
                total += Fraction(int(amount), dim)
        if total:
            gross += _round_half_up(total)
            count += 1
    if not gross:
        return None
    budget = gross * cap.numerator // cap.denominator
    deductions = 0
    for amount, recovered in overs:
        take = min(int(amount - recovered), budget - deductions)
        deductions += max(take, 0)
    net = gross - deductions
    assert net >= 0
    if b.channel == "bank":  # the file row, with its key checked as the writer does
        parse_rib(b.rib, "UEMOA")
        pain001.swift_text(b.payee_name, 140)
    return (gross, deductions, net, count)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--pg", help="PostgreSQL URL: also run there (in a kafo_bench_payroll database)")
    p.add_argument("--benefits", type=int, default=500_000)
    p.add_argument("--orm-sample", type=int, default=500)
    p.add_argument("--organisation", default="INPS-ML")
    p.add_argument("--child", choices=("setup", "measure"))
    p.add_argument("--db")
    p.add_argument("--workdir")
    args = p.parse_args()
    if args.child == "setup":
        print(json.dumps(setup(args.db, args.benefits, args.organisation)))
        return
    if args.child == "measure":
        print(json.dumps(measure(args.db, args.organisation, args.orm_sample, args.workdir)))
        return
    workdir = Path(tempfile.mkdtemp(prefix="kafo-bench-payroll-"))
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
            s = run_child(__file__, "--child", "setup", "--benefits", str(args.benefits), *common)
            r = run_child(__file__,
                "--child", "measure", "--orm-sample", str(args.orm_sample),
                "--workdir", str(workdir), *common,
            )  # fmt: skip
            results.append(r)
            print(
                f"{name:>10}: {r['benefits']:,} benefits → {r['lines']:,} lines "
                f"({r['arrears_lines']:,} with arrears, {r['deduction_lines']:,} with a recovery), "
                f"{r['files']} files ({r['file_mib']} MiB), net {r['net']:,} F "
                f"in {r['bulk_s']} s = "
                f"{r['benefits_per_s']:,} benefits/s (CPU {r['cpu_s']} s) | per-benefit ORM "
                f"{r['orm_benefits']:,} in {r['orm_s']} s = {r['orm_benefits_per_s']:,}/s | "
                f"agree {r['agree']}/{r['orm_benefits']} | "
                f"ratio {r['benefits_per_s'] / r['orm_benefits_per_s']:.1f}x | "
                f"peak {r['peak_mib']} MiB | load {r['load']} on {os.cpu_count()} CPUs | "
                f"setup (not timed) {s['setup_s']} s"
            )
    finally:
        if pg:
            bench_database(pg, BENCH_DB, drop=True)
        shutil.rmtree(workdir, ignore_errors=True)
    worst = min(results, key=lambda r: r["benefits_per_s"])
    print(
        f"benefits_per_s={worst['benefits_per_s']} "
        f"orm_benefits_per_s={worst['orm_benefits_per_s']} "
        f"ratio={worst['benefits_per_s'] / worst['orm_benefits_per_s']:.1f} "
        f"seconds={worst['bulk_s']} peak_mib={max(r['peak_mib'] for r in results)}"
    )


if __name__ == "__main__":
    main()
