"""Benchmark: every indicator (`kafo stats compute`) for 7 organisations × 24 months, set-based,
versus a naive per-organisation-per-month ORM computation on a sample.

    .venv/bin/python bench/stats.py --pg postgres://kafo:kafo@127.0.0.1:5432/kafo   # full scale
    .venv/bin/python bench/stats.py --pg postgres://... --scale 0.02                # quick run

Full scale (`--scale 1`): 1,000,000 persons, 20,000 employers, 460,800 monthly declarations
(1 in 25 months not declared) holding 10,000,000 lines (about 22 workers per employer,
24 months 2024-04 to 2026-03), one contribution and (nine times in ten) one payment per
declaration on the employer accounts,
20,000 benefits in payment with 24 monthly payroll runs per organisation, 1 in 50 lines
rejected, life certificates for two pensions in three, 5,000 claims decided, pending
registrations and review items. `--scale` multiplies every count.

A fresh PostgreSQL database `kafo_bench_stats` is created next to the given one (dropped at
the end unless --keep) and two child processes run:

- setup (not timed): migrate, the zone, then the data inserted with COPY
  (bench/bench_db.py bulk_insert), then ANALYZE;
- measure, DEBUG off: `kafo.stats.compute.compute_all` for the 24 months (every indicator,
  every organisation and the zone), then the naive path on `--orm-sample` (organisation, month)
  pairs: for each, the ORM reads the org's declarations of the month and their lines, its
  ledger entries, persons and benefits one row at a time and computes active contributors,
  collection rate, arrears, registry health and pensions in payment in Python. Its answers are
  compared with the snapshots (the run fails on a difference); its time is extrapolated to the
  168 pairs.

The last line reads: seconds=S orm_seconds=S ratio=R peak_mib=M
(peak_mib: the measuring process's peak resident memory).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench_db import bench_database, bulk_insert  # bench/ is the script's own folder

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "kafo_bench_stats"
ORGS = 7
MONTHS = [f"{y}-{m:02d}" for y, m in [(2024 + (3 + i) // 12, (3 + i) % 12 + 1) for i in range(24)]]
SECTORS = ["Commerce", "BTP", "Industrie", "Services", "Transport", "Agriculture"]
CITIES = ["Bamako", "Kayes", "Sikasso", "Ségou", "Mopti", "Gao", "Dakar", "Thiès"]


def _django(db_url: str):
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("KAFO_DEBUG", "0")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _frame(model, columns: dict):
    """A Polars frame of `columns` completed with every other NOT NULL column's default."""
    import polars as pl

    height = len(next(iter(columns.values())))
    data = dict(columns)
    for f in model._meta.concrete_fields:
        if f.column in data or f.null or (f.primary_key and f.column == "id"):
            continue
        default = f.get_default() if f.has_default() else ""
        if isinstance(default, dict | list):
            default = json.dumps(default)
        data[f.column] = pl.repeat(default, height, eager=True)
    return pl.DataFrame(data)


def setup(db_url: str, scale: float) -> None:
    _django(db_url)
    import polars as pl
    from django.core.management import call_command
    from django.db import connection

    from kafo.accounts.models import User
    from kafo.benefits.models import Claim
    from kafo.contributions.models import Declaration, DeclarationLine, LedgerEntry
    from kafo.organisations.services import zone_seed
    from kafo.organisations.tenancy import zone_scope
    from kafo.payroll.models import (
        BenefitInPayment,
        LifeCertificate,
        LifeCertificateCampaign,
        PayrollLine,
        PayrollRun,
    )
    from kafo.registry.models import Employer, Person

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    with zone_scope():
        orgs = [o.pk for o in sorted(zone_seed(), key=lambda o: o.pk)][:ORGS]
    user = User.objects.create_user(username="bench", password="bench-pass-2026")  # noqa: S106
    n_persons = int(1_000_000 * scale)
    n_employers = int(20_000 * scale)
    per_org = n_persons // ORGS
    workforce = 22  # 460,800 declarations × ~21.75 ≈ 10,000,000 lines

    org_of = pl.Series(orgs)
    p = pl.int_range(0, n_persons, eager=True)
    persons = _frame(
        Person,
        {
            "id": p + 1,
            "organisation_id": org_of.gather(p % ORGS),
            "number": p.cast(pl.Utf8).str.zfill(10),
            "family_name": pl.repeat("TRAORE", n_persons, eager=True),
            "given_names": pl.repeat("Awa", n_persons, eager=True),
            "sex": pl.repeat("F", n_persons, eager=True),
            "birth_date": pl.Series([f"19{50 + i % 50}-06-15" for i in range(n_persons)]),
            "national_id": pl.Series([str(i) if i % 10 < 7 else "" for i in range(n_persons)]),
            "phone": pl.Series([f"+2237{i:07d}" if i % 10 < 6 else "" for i in range(n_persons)]),
            "registered_on": pl.repeat("2015-01-01", n_persons, eager=True),
        },
    )
    bulk_insert(connection, Person._meta.db_table, persons)

    e = pl.int_range(0, n_employers, eager=True)
    employers = _frame(
        Employer,
        {
            "id": e + 1,
            "organisation_id": org_of.gather(e % ORGS),
            "number": e.cast(pl.Utf8).str.zfill(10),
            "legal_name": pl.repeat("SARL", n_employers, eager=True),
            "search_name": pl.repeat("sarl", n_employers, eager=True),
            "sector": pl.Series([SECTORS[i % len(SECTORS)] for i in range(n_employers)]),
            "city": pl.Series([CITIES[(i // 7) % len(CITIES)] for i in range(n_employers)]),
            "status": pl.repeat("active", n_employers, eager=True),
            "status_since": pl.repeat("2015-01-01", n_employers, eager=True),
            "registered_on": pl.repeat("2015-01-01", n_employers, eager=True),
        },
    )
    bulk_insert(connection, Employer._meta.db_table, employers)

    # Declarations: every employer every month except 1 in 25 (employer, month) skipped.
    decl = pl.DataFrame(
        {"employer": [i for i in range(n_employers) for _ in MONTHS]},
        schema={"employer": pl.Int64},
    ).with_columns(pl.Series("m", list(range(len(MONTHS))) * n_employers))
    decl = decl.filter((pl.col("employer") * 7 + pl.col("m")) % 25 != 3)
    decl = decl.with_columns(pl.int_range(1, decl.height + 1).alias("id"))
    months = pl.Series(MONTHS)
    declarations = _frame(
        Declaration,
        {
            "id": decl["id"],
            "organisation_id": org_of.gather(decl["employer"] % ORGS),
            "employer_id": decl["employer"] + 1,
            "period": months.gather(decl["m"]),
            "status": pl.repeat("in_force", decl.height, eager=True),
            "file_hash": decl["id"].cast(pl.Utf8),
            "channel": pl.repeat("file", decl.height, eager=True),
            "submitted_at": pl.repeat("2026-04-10 12:00:00+00", decl.height, eager=True),
            "rules_on": pl.repeat("2026-01-01", decl.height, eager=True),
            "line_count": pl.repeat(workforce, decl.height, eager=True),
        },
    )
    bulk_insert(connection, Declaration._meta.db_table, declarations)

    # Lines: 21 or 22 per declaration, the employer's own workers (same org).
    size = decl.select(
        pl.col("id"), pl.col("employer"), (21 + (pl.col("employer") % 4 != 0)).alias("k")
    )
    lines = size.select(
        pl.col("id").repeat_by("k").explode().alias("declaration_id"),
        pl.col("employer").repeat_by("k").explode().alias("employer"),
        pl.int_ranges(0, pl.col("k")).explode().alias("j"),
    )
    slot = (pl.col("employer") // ORGS) * workforce + pl.col("j")
    lines = lines.with_columns(
        (((slot % per_org) * ORGS + pl.col("employer") % ORGS) + 1).alias("person_id")
    )
    chunk = 2_000_000
    for start in range(0, lines.height, chunk):
        part = lines.slice(start, chunk)
        frame = _frame(
            DeclarationLine,
            {
                "organisation_id": org_of.gather(part["employer"] % ORGS),
                "declaration_id": part["declaration_id"],
                "line_no": part["j"] + 1,
                "person_id": part["person_id"],
                "family_name": pl.repeat("TRAORE", part.height, eager=True),
                "given_names": pl.repeat("Awa", part.height, eager=True),
                "days_worked": pl.repeat(26, part.height, eager=True),
                "gross_salary": pl.repeat(150000, part.height, eager=True),
            },
        )
        bulk_insert(connection, DeclarationLine._meta.db_table, frame)

    # Ledger: the contribution due the 15th of the next month, paid (9 in 10) on the 20th.
    due_day = pl.Series([f"{MONTHS[i + 1] if i + 1 < 24 else '2026-04'}-15" for i in range(24)])
    paid_day = pl.Series([f"{MONTHS[i + 1] if i + 1 < 24 else '2026-04'}-20" for i in range(24)])
    amount = 21 * 150000 * 25 // 100
    contrib = _frame(
        LedgerEntry,
        {
            "organisation_id": org_of.gather(decl["employer"] % ORGS),
            "employer_id": decl["employer"] + 1,
            "kind": pl.repeat("contribution", decl.height, eager=True),
            "period": months.gather(decl["m"]),
            "due_date": due_day.gather(decl["m"]),
            "amount": pl.repeat(amount, decl.height, eager=True),
            "label": pl.repeat("cotisations", decl.height, eager=True),
            "detail": pl.repeat("{}", decl.height, eager=True),
            "created_at": pl.repeat("2026-04-10 12:00:00+00", decl.height, eager=True),
        },
    )
    paid = decl.filter(pl.col("id") % 10 != 0)
    payments = _frame(
        LedgerEntry,
        {
            "organisation_id": org_of.gather(paid["employer"] % ORGS),
            "employer_id": paid["employer"] + 1,
            "kind": pl.repeat("payment", paid.height, eager=True),
            "period": pl.repeat("", paid.height, eager=True),
            "due_date": paid_day.gather(paid["m"]),
            "amount": pl.repeat(-amount, paid.height, eager=True),
            "label": pl.repeat("paiement", paid.height, eager=True),
            "detail": pl.repeat("{}", paid.height, eager=True),
            "created_at": pl.repeat("2026-04-10 12:00:00+00", paid.height, eager=True),
        },
    )
    bulk_insert(connection, LedgerEntry._meta.db_table, contrib)
    bulk_insert(connection, LedgerEntry._meta.db_table, payments)

    # Benefits: one person in 50 gets a pension (started 2023 to 2025); a few stopped.
    n_benefits = n_persons // 50
    b = pl.int_range(0, n_benefits, eager=True)
    benefits = _frame(
        BenefitInPayment,
        {
            "id": b + 1,
            "organisation_id": org_of.gather(b % ORGS),
            "person_id": b * 50 + (b % ORGS) - (b * 50) % ORGS + 1,
            "payee_name": pl.repeat("TRAORE Awa", n_benefits, eager=True),
            "kind": pl.Series(
                ["pension", "survivor", "pension", "orphan"][i % 4] for i in range(n_benefits)
            ),
            "frequency": pl.repeat("monthly", n_benefits, eager=True),
            "timing": pl.repeat("arrears", n_benefits, eager=True),
            "start_date": pl.Series(
                [f"{2023 + i % 3}-{1 + i % 12:02d}-01" for i in range(n_benefits)]
            ),
            "status": pl.Series(
                ["stopped" if i % 40 == 0 else "in_payment" for i in range(n_benefits)]
            ),
            "status_since": pl.repeat("2025-09-01", n_benefits, eager=True),
            "status_reason": pl.repeat("start", n_benefits, eager=True),
            "channel": pl.repeat("cash", n_benefits, eager=True),
            "created_at": pl.repeat("2023-01-01 12:00:00+00", n_benefits, eager=True),
        },
    )
    bulk_insert(connection, BenefitInPayment._meta.db_table, benefits)

    with connection.cursor() as cur:
        run_id = 0
        run_rows = []
        for o in orgs:
            for m in MONTHS:
                run_id += 1
                run_rows.append((run_id, o, m))
        runs = _frame(
            PayrollRun,
            {
                "id": pl.Series([r[0] for r in run_rows]),
                "organisation_id": pl.Series([r[1] for r in run_rows]),
                "period_start": pl.Series([f"{r[2]}-01" for r in run_rows]),
                "status": pl.repeat("frozen", len(run_rows), eager=True),
                "prepared_by_id": pl.repeat(user.pk, len(run_rows), eager=True),
                "prepared_at": pl.repeat("2026-01-01 12:00:00+00", len(run_rows), eager=True),
                "totals": pl.repeat("{}", len(run_rows), eager=True),
                "problems": pl.repeat("[]", len(run_rows), eager=True),
            },
        )
        bulk_insert(connection, PayrollRun._meta.db_table, runs)
        campaigns = _frame(
            LifeCertificateCampaign,
            {
                "id": pl.Series(range(1, ORGS + 1)),
                "organisation_id": pl.Series(orgs),
                "year": pl.repeat(2025, ORGS, eager=True),
                "window_start": pl.repeat("2025-01-01", ORGS, eager=True),
                "window_end": pl.repeat("2025-12-31", ORGS, eager=True),
                "grace_end": pl.repeat("2026-01-31", ORGS, eager=True),
            },
        )
        bulk_insert(connection, LifeCertificateCampaign._meta.db_table, campaigns)
        cur.execute("SELECT 1")

    org_index = {o: i for i, o in enumerate(orgs)}
    pl_lines = benefits.select("id", "organisation_id").join(
        pl.DataFrame({"m": list(range(24))}), how="cross"
    )
    pl_lines = pl_lines.with_columns(
        (pl.col("organisation_id").replace_strict(org_index) * 24 + pl.col("m") + 1).alias("run_id")
    )
    payroll = _frame(
        PayrollLine,
        {
            "organisation_id": pl_lines["organisation_id"],
            "run_id": pl_lines["run_id"],
            "benefit_id": pl_lines["id"],
            "period_from": pl.repeat("2025-01-01", pl_lines.height, eager=True),
            "period_to": pl.repeat("2025-01-31", pl_lines.height, eager=True),
            "months": pl.repeat("[]", pl_lines.height, eager=True),
            "month_count": pl.repeat(1, pl_lines.height, eager=True),
            "regular": pl.repeat(50000, pl_lines.height, eager=True),
            "arrears": pl.repeat(0, pl_lines.height, eager=True),
            "gross": pl.repeat(50000, pl_lines.height, eager=True),
            "deductions": pl.repeat(0, pl_lines.height, eager=True),
            "net": pl.repeat(50000, pl_lines.height, eager=True),
            "channel": pl.repeat("cash", pl_lines.height, eager=True),
            "payee_name": pl.repeat("TRAORE Awa", pl_lines.height, eager=True),
            "reference": (pl_lines["run_id"].cast(pl.Utf8) + "-" + pl_lines["id"].cast(pl.Utf8)),
            "status": pl.Series(
                ["failed" if (i % 50) == 7 else "paid" for i in range(pl_lines.height)]
            ),
        },
    )
    bulk_insert(connection, PayrollLine._meta.db_table, payroll)
    certified = benefits.filter(pl.col("id") % 3 != 0)
    certificates = _frame(
        LifeCertificate,
        {
            "organisation_id": certified["organisation_id"],
            "campaign_id": certified["organisation_id"].replace_strict(org_index) + 1,
            "benefit_id": certified["id"],
            "issued_on": pl.repeat("2025-11-15", certified.height, eager=True),
            "received_on": pl.repeat("2025-11-20", certified.height, eager=True),
            "source": pl.repeat("agent", certified.height, eager=True),
            "issuer": pl.repeat("Mairie", certified.height, eager=True),
            "recorded_at": pl.repeat("2025-11-20 12:00:00+00", certified.height, eager=True),
        },
    )
    bulk_insert(connection, LifeCertificate._meta.db_table, certificates)

    n_claims = max(ORGS, int(5_000 * scale))
    rng = random.Random(17)
    claims = _frame(
        Claim,
        {
            "organisation_id": pl.Series([orgs[i % ORGS] for i in range(n_claims)]),
            "person_id": pl.Series(
                [(i * 97) % (per_org * ORGS) // ORGS * ORGS + i % ORGS + 1 for i in range(n_claims)]
            ),
            "kind": pl.repeat("pension", n_claims, eager=True),
            "claim_date": pl.repeat("2024-03-01", n_claims, eager=True),
            "status": pl.repeat("approved", n_claims, eager=True),
            "opened_at": pl.Series(
                [f"{MONTHS[i % 20]}-0{1 + i % 9} 09:00:00+00" for i in range(n_claims)]
            ),
            "decided_at": pl.Series(
                [
                    f"{MONTHS[i % 20 + 1 + rng.randrange(3)]}-1{i % 9} 15:00:00+00"
                    for i in range(n_claims)
                ]
            ),
        },
    )
    bulk_insert(connection, Claim._meta.db_table, claims)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for model in (Person, Employer, Declaration, BenefitInPayment, PayrollRun, Claim):
                table = model._meta.db_table
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT MAX(id) FROM {table}))"
                )
            cur.execute("ANALYZE")
    print(
        f"setup: {n_persons} persons, {n_employers} employers, {declarations.height} "
        f"declarations, {lines.height} lines, {contrib.height + payments.height} ledger "
        f"entries, {n_benefits} benefits, {payroll.height} payroll lines, {n_claims} claims "
        f"({time.perf_counter() - t0:.0f} s)",
        flush=True,
    )


def _naive(org, period):
    """One (organisation, month) the slow way: the ORM one row at a time, sums in Python."""
    from decimal import Decimal

    from kafo.contributions.models import Declaration, DeclarationLine, LedgerEntry
    from kafo.payroll.models import BenefitInPayment
    from kafo.registry.models import Person
    from kafo.stats.domain.figures import month_bounds, quarter_of, ratio

    start, end = month_bounds(period)
    persons = set()
    for d in Declaration.unscoped.filter(
        organisation=org, period__in=[period, quarter_of(period)], status="in_force"
    ):
        for line in DeclarationLine.unscoped.filter(declaration=d):
            if line.person_id:
                persons.add(line.person_id)
    due = collected = Decimal(0)
    balances: dict = {}
    for entry in LedgerEntry.unscoped.filter(organisation=org, due_date__lte=end):
        if entry.due_date >= start:
            if entry.kind in ("contribution", "reversal", "assessment", "assessment_reversal"):
                due += entry.amount
            if entry.kind in ("payment", "payment_reversal"):
                collected -= entry.amount
        balances[entry.employer_id] = balances.get(entry.employer_id, 0) + entry.amount
    stock = sum((b for b in balances.values() if b > 0), Decimal(0))
    registered = with_nid = 0
    for person in Person.unscoped.filter(organisation=org):
        if person.registered_on <= end:
            registered += 1
            with_nid += bool(person.national_id)
    pensions = 0
    for benefit in BenefitInPayment.unscoped.filter(organisation=org):
        if (
            benefit.kind in ("pension", "allowance", "survivor", "orphan")
            and benefit.start_date <= end
            and (benefit.end_date is None or benefit.end_date >= end)
            and (benefit.status == "in_payment" or benefit.status_since > end)
        ):
            pensions += 1
    return {
        "coverage_active": Decimal(len(persons)),
        "collection_rate": ratio(collected, due),
        "arrears_ratio": stock,
        "registry_national_id": ratio(with_nid, registered),
        "pensions_in_payment": Decimal(pensions),
    }


def measure(db_url: str, sample: int) -> None:
    _django(db_url)
    from kafo.organisations.models import Organisation
    from kafo.stats.compute import compute_all
    from kafo.stats.models import IndicatorValue

    orgs = list(Organisation.objects.order_by("pk")[:ORGS])
    t0 = time.perf_counter()
    result = compute_all(MONTHS, organisations=orgs)
    seconds = time.perf_counter() - t0
    print(f"set-based: {result.rows} values in {seconds:.1f} s", flush=True)

    rng = random.Random(42)
    pairs = [(rng.choice(orgs), rng.choice(MONTHS)) for _ in range(sample)]
    t0 = time.perf_counter()
    answers = [(org, period, _naive(org, period)) for org, period in pairs]
    sample_seconds = time.perf_counter() - t0
    orm_seconds = sample_seconds * (ORGS * len(MONTHS)) / sample
    for org, period, naive in answers:
        for code, expected in naive.items():
            row = IndicatorValue.objects.get(
                indicator__code=code, organisation=org, period=period, breakdown=""
            )
            got = row.numerator if code in ("coverage_active", "arrears_ratio") else row.value
            if got != expected:
                sys.exit(f"MISMATCH {org.code} {period} {code}: set-based {got} ORM {expected}")
    print(
        f"naive ORM: {sample} (organisation, month) pairs in {sample_seconds:.1f} s "
        f"(5 indicators), extrapolated to {ORGS * len(MONTHS)} pairs; answers identical",
        flush=True,
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"seconds={seconds:.1f} orm_seconds={orm_seconds:.1f} "
        f"ratio={orm_seconds / seconds:.1f} peak_mib={peak:.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--orm-sample", type=int, default=3)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--phase", choices=["setup", "measure"])
    parser.add_argument("--db")
    args = parser.parse_args()
    if args.phase == "setup":
        return setup(args.db, args.scale)
    if args.phase == "measure":
        return measure(args.db, args.orm_sample)
    if not args.pg.startswith("postgres"):
        sys.exit("--pg postgres://… required (or DATABASE_URL): the bench creates its own database")
    db = bench_database(args.pg, BENCH_DB)
    try:
        me = [sys.executable, __file__, "--db", db, "--scale", str(args.scale)]
        subprocess.run([*me, "--phase", "setup"], check=True)
        subprocess.run(
            [*me, "--phase", "measure", "--orm-sample", str(args.orm_sample)], check=True
        )
    finally:
        if not args.keep:
            bench_database(args.pg, BENCH_DB, drop=True)


if __name__ == "__main__":
    main()
