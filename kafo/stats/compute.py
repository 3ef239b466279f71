"""`kafo stats compute`: every indicator of kafo/stats/reference/indicators.yaml, set-based.

Each indicator is a handful of SQL aggregates grouped by organisation (and month where one
statement can cover every period), never a loop over employers or persons. The formulas are
the definitions of the reference file; the pure arithmetic (ratios that never divide by zero,
medians) is in kafo/stats/domain/figures.py.

Idempotent: the snapshots of the computed periods are replaced in one transaction (computing
twice gives the same rows). The zone rows (organisation null) are the sums of the
organisations' numerators and denominators (coverage: each country's denominator once; the
median delay: over every claim of the zone).

The indicators are computed by job: coverage and benefits in payment (compute_coverage.py),
collection and arrears (compute_collection.py), liquidation, payments, life certificates, the
registry and the liaison requests overdue (compute_service.py); this module runs them and adds
the zone totals.

"No data" is a null value, never 0: a ratio whose denominator is zero or unknown (no labour
force for the country), a count for an organisation without any record of that kind.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from kafo.stats import compute_collection, compute_coverage, compute_service
from kafo.stats.compute_service import ZONE
from kafo.stats.domain.figures import months_back, previous_month, ratio
from kafo.stats.models import Denominator, IndicatorValue, TopArrears


@dataclass
class Figure:
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    note: str = ""


@dataclass
class Result:
    periods: list[str]
    organisations: int
    rows: int  # indicator values (the top employers in arrears not counted)
    seconds: float
    queries: int = 0


@dataclass
class _Run:
    periods: list[str]
    countries: dict[int, str]  # organisation id -> country code
    denominators: dict = field(default_factory=dict)  # (country, kind) -> [(year, value, src)]
    figures: dict = field(default_factory=dict)  # (code, org, period, breakdown, bvalue)
    top_arrears: dict = field(default_factory=dict)  # (org, period) -> [(employer, balance)]

    def put(self, code, org, period, num, den, value=..., note="", breakdown="", bvalue=""):
        num = None if num is None else Decimal(num)
        den = None if den is None else Decimal(den)
        if value is ...:
            value = ratio(num, den)
        self.figures[(code, org, period, breakdown, bvalue or "")] = Figure(num, den, value, note)

    def get(self, code, org, period) -> Figure | None:
        return self.figures.get((code, org, period, "", ""))

    def denominator(self, country: str, kind: str, period: str):
        """Return (value, note) of the latest `kind` figure for `country` of a year ≤ P's."""
        year = int(period[:4])
        for d_year, value, source in self.denominators.get((country, kind), []):
            if d_year <= year:
                return value, f"{Denominator.Kind(kind).label} {d_year} : {source}"
        return None, ""


def default_periods(today: dt.date | None = None, months: int = 2) -> list[str]:
    """The `months` last complete months before `today` (the daily run: 2)."""
    today = today or timezone.localdate()
    return months_back(previous_month(today), months)


def compute_all(
    periods: list[str] | None = None, *, organisations=None, now: dt.datetime | None = None
) -> Result:
    """Compute every indicator for `periods` (months "YYYY-MM"; default: the last two complete
    months) for every organisation (or those given) and the zone; replace their snapshots.
    """
    import time

    from kafo.organisations.models import Organisation
    from kafo.stats.compute_reference import load_denominators, load_indicators

    started = time.perf_counter()
    periods = sorted(set(periods or default_periods()))
    indicators = load_indicators()
    load_denominators()
    orgs = Organisation.objects.order_by("pk")
    if organisations is not None:
        orgs = orgs.filter(pk__in=[getattr(o, "pk", o) for o in organisations])
    run = _Run(periods=periods, countries=dict(orgs.values_list("pk", "country_id")))
    for d in Denominator.objects.order_by("-year"):
        run.denominators.setdefault((d.country_id, d.kind), []).append((d.year, d.value, d.source))

    queries_before = len(connection.queries)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The grouped counts (distinct persons per month, balances per employer and month)
            # sort in memory instead of spilling to disk; for this transaction only.
            with connection.cursor() as cur:
                cur.execute("SET LOCAL work_mem = '64MB'")
        compute_coverage.contributors(run)
        compute_coverage.registered(run)
        compute_coverage.benefits(run)
        compute_collection.ledger(run)
        compute_collection.declarations(run, list(orgs))
        compute_service.liquidation(run)
        compute_service.payments(run)
        compute_service.life_certificates(run)
        compute_service.registry(run)
        compute_service.liaison(run)
    _zone_totals(run)

    now = now or timezone.now()
    rows = [
        IndicatorValue(
            indicator=indicators[code],
            organisation_id=org,
            period=period,
            breakdown=breakdown,
            breakdown_value=bvalue,
            numerator=f.numerator,
            denominator=f.denominator,
            value=f.value,
            formula_version=indicators[code].formula_version,
            note=f.note[:300],
            computed_at=now,
        )
        for (code, org, period, breakdown, bvalue), f in run.figures.items()
        if code in indicators and (org is ZONE or org in run.countries)
    ]
    top = [
        TopArrears(
            organisation_id=org,
            period=period,
            rank=rank,
            employer_id=employer,
            balance=balance,
            computed_at=now,
        )
        for (org, period), employers in run.top_arrears.items()
        if org in run.countries
        for rank, (employer, balance) in enumerate(employers, start=1)
    ]
    with transaction.atomic():
        old = IndicatorValue.objects.filter(period__in=periods)
        if organisations is not None:
            old = old.filter(Q(organisation__in=list(run.countries)) | Q(organisation__isnull=True))
        old.delete()
        IndicatorValue.objects.bulk_create(rows, batch_size=2000)
        orgs_done = list(run.countries)
        TopArrears.unscoped.filter(period__in=periods, organisation__in=orgs_done).delete()
        TopArrears.unscoped.bulk_create(top, batch_size=2000)
    return Result(
        periods=periods,
        organisations=len(run.countries),
        rows=len(rows),
        seconds=time.perf_counter() - started,
        queries=len(connection.queries) - queries_before,
    )


# --- zone ----------------------------------------------------------------------------------

COUNTS = {
    "pensions_in_payment",
    "allowances_in_payment",
    "pending_registrations",
    "review_queue",
    "liaison_overdue",
}
BY_COUNTRY = {
    "coverage_active": "labour_force",
    "coverage_registered": "labour_force",
    "old_age_pension_coverage": "population_pension_age",
    "family_benefit_coverage": "children_0_14",
}
OWN_ZONE = {"liquidation_days_median", "liquidation_days_mean", "liquidation_within_90"}


def _zone_totals(run: _Run) -> None:
    """The zone rows: sums of the organisations' numerators and denominators."""
    grouped: dict = defaultdict(list)
    for (code, org, period, breakdown, _bvalue), f in list(run.figures.items()):
        if org is not ZONE and breakdown == "" and code not in OWN_ZONE:
            grouped[(code, period)].append((org, f))
    for (code, period), items in grouped.items():
        if code in COUNTS:
            nums = [f.numerator for _o, f in items if f.numerator is not None]
            total = sum(nums, Decimal(0)) if nums else None
            run.put(code, ZONE, period, total, None, value=total)
            continue
        if code in BY_COUNTRY:
            # Each country's denominator once; organisations of a country without one left out.
            num, dens = Decimal(0), {}
            for org, f in items:
                if f.numerator is None or f.denominator is None:
                    continue
                num += f.numerator
                dens[run.countries[org]] = f.denominator
            den = sum(dens.values(), Decimal(0)) if dens else None
            run.put(code, ZONE, period, num if dens else None, den)
            continue
        pairs = [(f.numerator, f.denominator) for _o, f in items]
        pairs = [(n, d) for n, d in pairs if n is not None and d is not None]
        num = sum((n for n, _d in pairs), Decimal(0)) if pairs else None
        den = sum((d for _n, d in pairs), Decimal(0)) if pairs else None
        if code == "arrears_months":
            run.put(code, ZONE, period, num, den, value=ratio(num, den))
        else:
            run.put(code, ZONE, period, num, den)
