"""`kafo stats compute`: every indicator of kafo/stats/reference/indicators.yaml, set-based.

Each indicator is a handful of SQL aggregates grouped by organisation (and month where one
statement can cover every period), never a loop over employers or persons. The formulas are
the definitions of the reference file; the pure arithmetic (ratios that never divide by zero,
medians) is in kafo/stats/domain/figures.py.

Idempotent: the snapshots of the computed periods are replaced in one transaction (computing
twice gives the same rows). The zone rows (organisation null) are the sums of the
organisations' numerators and denominators (coverage: each country's denominator once; the
median delay: over every claim of the zone).

"No data" is a null value, never 0: a ratio whose denominator is zero or unknown (no labour
force for the country), a count for an organisation without any record of that kind.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import BigIntegerField, Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone

from kafo.stats.domain.figures import (
    median,
    month_bounds,
    months_back,
    previous_month,
    quarter_of,
    ratio,
    years_before,
)
from kafo.stats.models import Denominator, IndicatorValue

PENSION_AGE = 60  # ASSUMPTION (coverage_registered): the indicators.yaml definition says so
WITHIN_DAYS = 90  # service standard assumed for liquidation_within_90
PENSION_KINDS = ("pension", "allowance", "survivor", "orphan")
OLD_AGE_KINDS = ("pension", "allowance")
DUE_KINDS = ("contribution", "reversal", "assessment", "assessment_reversal")
PAID_KINDS = ("payment", "payment_reversal")
ZONE = None


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
    rows: int
    seconds: float
    queries: int = 0


@dataclass
class _Run:
    periods: list[str]
    countries: dict[int, str]  # organisation id -> country code
    denominators: dict = field(default_factory=dict)  # (country, kind) -> [(year, value, src)]
    figures: dict = field(default_factory=dict)  # (code, org, period, breakdown, bvalue)

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
        _contributors(run)
        _registered(run)
        _benefits(run)
        _ledger(run)
        _declarations(run, list(orgs))
        _liquidation(run)
        _payments(run)
        _life_certificates(run)
        _registry(run)
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
    with transaction.atomic():
        old = IndicatorValue.objects.filter(period__in=periods)
        if organisations is not None:
            old = old.filter(Q(organisation__in=list(run.countries)) | Q(organisation__isnull=True))
        old.delete()
        IndicatorValue.objects.bulk_create(rows, batch_size=2000)
    return Result(
        periods=periods,
        organisations=len(run.countries),
        rows=len(rows),
        seconds=time.perf_counter() - started,
        queries=len(connection.queries) - queries_before,
    )


# --- helpers -------------------------------------------------------------------------------


def _end_of(day: dt.date) -> dt.datetime:
    """The first instant after `day` (local time): `< _end_of(E)` means "on or before E"."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def _month_map(periods: list[str]) -> tuple[str, list]:
    """A CTE mapping each declaration period that covers a month of `periods` to that month."""
    pairs = []
    for p in periods:
        pairs.append((p, p))
        pairs.append((quarter_of(p), p))
    values = ", ".join(["(%s, %s)"] * len(pairs))
    return f"WITH m(dperiod, month) AS (VALUES {values})", [x for pair in pairs for x in pair]


def _orgs_with(model, **filters) -> set[int]:
    return set(
        model.unscoped.filter(**filters).values_list("organisation_id", flat=True).distinct()
    )


def _in_payment_on(end: dt.date) -> Q:
    """Benefits in payment on `end` (today's status, or a status that changed after `end`)."""
    return (
        Q(start_date__lte=end)
        & (Q(end_date__isnull=True) | Q(end_date__gte=end))
        & (Q(status="in_payment") | Q(status_since__gt=end))
    )


# --- indicators ----------------------------------------------------------------------------


def _contributors(run: _Run) -> None:
    """coverage_active: distinct persons declared for each month (one statement)."""
    cte, params = _month_map(run.periods)
    sql = (
        f"{cte} SELECT d.organisation_id, m.month, COUNT(DISTINCT l.person_id) "  # noqa: S608
        "FROM contributions_declarationline l "
        "JOIN contributions_declaration d ON d.id = l.declaration_id "
        "JOIN m ON m.dperiod = d.period "
        "WHERE d.status = 'in_force' AND l.person_id IS NOT NULL "
        "GROUP BY d.organisation_id, m.month"
    )
    with connection.cursor() as cur:
        cur.execute(sql, params)
        active = {(org, month): n for org, month, n in cur.fetchall()}
    for org, country in run.countries.items():
        for p in run.periods:
            n = active.get((org, p))
            den, note = run.denominator(country, "labour_force", p)
            run.put("coverage_active", org, p, n, den, note=note)


def _registered(run: _Run) -> None:
    """coverage_registered: insured persons registered by E, alive on E, under pension age.

    One scan of the persons (one filtered count per month), less the same counts over the
    persons with a recorded death on or before E (few: a scan of the death records).
    """
    from kafo.payroll.models import DeathRecord
    from kafo.registry.models import Person

    have = _orgs_with(Person)
    living, dead = {}, {}
    for i, p in enumerate(run.periods):
        end = month_bounds(p)[1]
        counted = Q(registered_on__lte=end, birth_date__gt=years_before(end, PENSION_AGE))
        living[f"n{i}"] = Count("pk", filter=counted)
        dead[f"n{i}"] = Count(
            "person_id",
            distinct=True,
            filter=Q(
                death_date__lte=end,
                person__registered_on__lte=end,
                person__birth_date__gt=years_before(end, PENSION_AGE),
            ),
        )
    found = {
        row["organisation_id"]: row
        for row in Person.unscoped.values("organisation_id").annotate(**living)
    }
    deaths = {
        row["person__organisation_id"]: row
        for row in DeathRecord.unscoped.filter(person__isnull=False)
        .values("person__organisation_id")
        .annotate(**dead)
    }
    for org, country in run.countries.items():
        for i, p in enumerate(run.periods):
            n = None
            if org in have:
                n = found.get(org, {}).get(f"n{i}", 0) - deaths.get(org, {}).get(f"n{i}", 0)
            den, note = run.denominator(country, "labour_force", p)
            run.put("coverage_registered", org, p, n, den, note=note)


def _benefits(run: _Run) -> None:
    """Pensions and allowances in payment on E, their coverage, the demographic ratio."""
    from kafo.payroll.models import BenefitInPayment

    has_pensions = _orgs_with(BenefitInPayment, kind__in=PENSION_KINDS)
    has_allowances = _orgs_with(BenefitInPayment, kind="family_allowance")
    for p in run.periods:
        end = month_bounds(p)[1]
        live = BenefitInPayment.unscoped.filter(_in_payment_on(end))
        pensions = dict(
            live.filter(kind__in=PENSION_KINDS)
            .values_list("organisation_id")
            .annotate(n=Count("pk"))
        )
        old_age = dict(
            live.filter(kind__in=OLD_AGE_KINDS)
            .values_list("organisation_id")
            .annotate(n=Count("person_id", distinct=True))
        )
        allowances = dict(
            live.filter(kind="family_allowance")
            .values_list("organisation_id")
            .annotate(n=Count("pk"))
        )
        children = dict(
            live.filter(kind="family_allowance")
            .values_list("organisation_id")
            .annotate(n=Count("dependant_id", distinct=True))
        )
        for org, country in run.countries.items():
            n_pensions = pensions.get(org, 0) if org in has_pensions else None
            n_allowances = allowances.get(org, 0) if org in has_allowances else None
            run.put("pensions_in_payment", org, p, n_pensions, None, value=n_pensions)
            run.put("allowances_in_payment", org, p, n_allowances, None, value=n_allowances)
            den, note = run.denominator(country, "population_pension_age", p)
            n_old = old_age.get(org, 0) if org in has_pensions else None
            run.put("old_age_pension_coverage", org, p, n_old, den, note=note)
            den, note = run.denominator(country, "children_0_14", p)
            n_children = children.get(org, 0) if org in has_allowances else None
            run.put("family_benefit_coverage", org, p, n_children, den, note=note)
            active = run.get("coverage_active", org, p)
            run.put("demographic_ratio", org, p, active.numerator, n_pensions)


def _ledger(run: _Run) -> None:
    """collection_rate, arrears_ratio, arrears_months; by sector and region (employer's city)."""
    from kafo.contributions.models import LedgerEntry

    first = month_bounds(months_back(run.periods[0], 12)[0])[0]
    last = month_bounds(run.periods[-1])[1]
    due_q = Q(kind__in=DUE_KINDS)
    paid_q = Q(kind__in=PAID_KINDS)
    monthly = (
        LedgerEntry.unscoped.filter(due_date__gte=first, due_date__lte=last)
        .annotate(month=TruncMonth("due_date"))
        .values_list("organisation_id", "month", "employer__sector", "employer__city")
        .annotate(due=Sum("amount", filter=due_q), paid=Sum("amount", filter=paid_q))
    )
    # (org, month, breakdown, value) -> [due, collected]
    sums: dict = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for org, month, sector, city, due, paid in monthly:
        month = month.strftime("%Y-%m")
        for key in (("", ""), ("sector", sector or ""), ("region", city or "")):
            cell = sums[(org, month, *key)]
            cell[0] += due or 0
            cell[1] -= paid or 0
    keys_by_org: dict = defaultdict(set)
    for org, _month, breakdown, bvalue in sums:
        keys_by_org[org].add((breakdown, bvalue))

    arrears = _arrears(run.periods)
    for p in run.periods:
        stock = {k[1:]: v for k, v in arrears.items() if k[0] == p}
        year = months_back(p, 12)
        for org in run.countries:
            keys = keys_by_org.get(org, set()) | {k[1:] for k in stock if k[0] == org} | {("", "")}
            for breakdown, bvalue in keys:
                due, collected = sums.get((org, p, breakdown, bvalue), (Decimal(0), Decimal(0)))
                if breakdown == "" or (org, p, breakdown, bvalue) in sums:
                    run.put(
                        "collection_rate",
                        org,
                        p,
                        collected,
                        due,
                        breakdown=breakdown,
                        bvalue=bvalue,
                    )
                annual = sum(
                    (sums.get((org, m, breakdown, bvalue), (Decimal(0),))[0] for m in year),
                    Decimal(0),
                )
                owed = stock.get((org, breakdown, bvalue), Decimal(0))
                run.put("arrears_ratio", org, p, owed, annual, breakdown=breakdown, bvalue=bvalue)
                run.put(
                    "arrears_months",
                    org,
                    p,
                    owed,
                    (annual / 12).quantize(Decimal("0.01")),
                    value=ratio(owed * 12, annual),
                    breakdown=breakdown,
                    bvalue=bvalue,
                )


def _arrears(periods: list[str]) -> dict:
    """{(period, org, breakdown, value): sum of the employers' debit balances on E}.

    Three statements whatever the number of months: each employer's balance before the first
    month, its movements per month (whole francs, as integers), its sector and city; the
    running balance is carried in Python (one step per employer and month).
    """
    from kafo.contributions.models import LedgerEntry
    from kafo.registry.models import Employer

    first = month_bounds(periods[0])[0]
    last = month_bounds(periods[-1])[1]
    total = Cast(Sum("amount"), BigIntegerField())
    balance = dict(
        LedgerEntry.unscoped.filter(due_date__lt=first)
        .values_list("employer_id")
        .annotate(total=total)
    )
    index = {p: i for i, p in enumerate(periods)}
    moves: dict = defaultdict(lambda: [0] * len(periods))
    for employer, month, amount in (
        LedgerEntry.unscoped.filter(due_date__gte=first, due_date__lte=last)
        .annotate(month=TruncMonth("due_date"))
        .values_list("employer_id", "month")
        .annotate(total=total)
    ):
        moves[employer][index[month.strftime("%Y-%m")]] += amount
    employers = set(balance) | set(moves)
    about = {
        pk: (org, sector or "", city or "")
        for pk, org, sector, city in Employer.unscoped.filter(pk__in=employers).values_list(
            "pk", "organisation_id", "sector", "city"
        )
    }
    out: dict = defaultdict(int)
    for employer in employers:
        org, sector, city = about[employer]
        running = balance.get(employer, 0)
        for i, amount in enumerate(moves.get(employer) or [0] * len(periods)):
            running += amount
            if running > 0:
                p = periods[i]
                out[(p, org, "", "")] += running
                out[(p, org, "sector", sector)] += running
                out[(p, org, "region", city)] += running
    return {key: Decimal(value) for key, value in out.items()}


def _declarations(run: _Run, organisations) -> None:
    """declaration_compliance: filed ÷ (filed + the non-filers list of collection), the
    non-filers counted for every month at once (collection.selectors.non_filer_counts)."""
    from kafo.collection.selectors import non_filer_counts

    pairs = []
    for p in run.periods:
        pairs.append((p, p))
        if int(p[5:7]) % 3 == 0:  # a quarter's declaration is owed with its last month
            pairs.append((quarter_of(p), p))
    values = ", ".join(["(%s, %s)"] * len(pairs))
    sql = (
        f"WITH m(dperiod, month) AS (VALUES {values}) "  # noqa: S608 - placeholders only
        "SELECT d.organisation_id, m.month, COUNT(DISTINCT d.employer_id) "
        "FROM contributions_declaration d JOIN m ON m.dperiod = d.period "
        "WHERE d.status = 'in_force' GROUP BY d.organisation_id, m.month"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [x for pair in pairs for x in pair])
        filed = {(org, month): n for org, month, n in cur.fetchall()}
    for organisation in organisations:
        missing = non_filer_counts(organisation, run.periods)  # every period at once
        for p in run.periods:
            n_filed = filed.get((organisation.pk, p), 0)
            run.put("declaration_compliance", organisation.pk, p, n_filed, n_filed + missing[p])


def _liquidation(run: _Run) -> None:
    """Delay between a claim's opening and its decision, for the claims decided in each month."""
    from kafo.benefits.models import Claim

    start = timezone.make_aware(dt.datetime.combine(month_bounds(run.periods[0])[0], dt.time()))
    end = _end_of(month_bounds(run.periods[-1])[1])
    days: dict = defaultdict(list)  # (org, month) -> [days]
    decided = Claim.unscoped.filter(decided_at__gte=start, decided_at__lt=end).values_list(
        "organisation_id", "opened_at", "decided_at"
    )
    for org, opened, decided_at in decided:
        decided_on = timezone.localtime(decided_at).date()
        delay = (decided_on - timezone.localtime(opened).date()).days
        days[(org, decided_on.strftime("%Y-%m"))].append(delay)
        days[(ZONE, decided_on.strftime("%Y-%m"))].append(delay)
    for p in run.periods:
        for org in [*run.countries, ZONE]:
            delays = days.get((org, p), [])
            n = len(delays)
            within = sum(1 for d in delays if d <= WITHIN_DAYS)
            run.put("liquidation_days_median", org, p, None, n, value=median(delays))
            run.put("liquidation_days_mean", org, p, sum(delays), n)
            run.put("liquidation_within_90", org, p, within, n)


def _payments(run: _Run) -> None:
    """payment_failure_rate: failed lines ÷ lines of the frozen runs starting in the month."""
    from kafo.payroll.models import PayrollLine

    first = month_bounds(run.periods[0])[0]
    last = month_bounds(run.periods[-1])[1]
    rows = (
        PayrollLine.unscoped.filter(
            run__status="frozen", run__period_start__gte=first, run__period_start__lte=last
        )
        .annotate(month=TruncMonth("run__period_start"))
        .values_list("organisation_id", "month")
        .annotate(n=Count("pk"), failed=Count("pk", filter=Q(status="failed")))
    )
    found = {(org, m.strftime("%Y-%m")): (n, failed) for org, m, n, failed in rows}
    for org in run.countries:
        for p in run.periods:
            n, failed = found.get((org, p), (0, 0))
            run.put("payment_failure_rate", org, p, failed, n)


def _life_certificates(run: _Run) -> None:
    """life_certificate_compliance on E: pensions with a certificate received in 365 days."""
    from kafo.payroll.models import BenefitInPayment, LifeCertificate

    for p in run.periods:
        end = month_bounds(p)[1]
        valid = LifeCertificate.unscoped.filter(
            benefit_id=OuterRef("pk"),
            received_on__gt=end - dt.timedelta(days=365),
            received_on__lte=end,
        )
        rows = (
            BenefitInPayment.unscoped.filter(kind__in=PENSION_KINDS, start_date__lte=end)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=end))
            .filter(~Q(status="stopped") | Q(status_since__gt=end))
            .annotate(valid=Exists(valid))
            .values_list("organisation_id")
            .annotate(n=Count("pk"), ok=Count("pk", filter=Q(valid=True)))
        )
        found = {org: (n, ok) for org, n, ok in rows}
        for org in run.countries:
            n, ok = found.get(org, (0, 0))
            run.put("life_certificate_compliance", org, p, ok, n)


def _registry(run: _Run) -> None:
    """The registry's health: national id, phone, pending registrations, review queue."""
    from kafo.contributions.models import PendingRegistration
    from kafo.identity.models import ReviewItem
    from kafo.registry.models import Person

    aggregates = {}
    for i, p in enumerate(run.periods):
        registered = Q(registered_on__lte=month_bounds(p)[1])
        aggregates[f"n{i}"] = Count("pk", filter=registered)
        aggregates[f"nid{i}"] = Count("pk", filter=registered & ~Q(national_id=""))
        aggregates[f"phone{i}"] = Count("pk", filter=registered & ~Q(phone=""))
    found = {
        row["organisation_id"]: row
        for row in Person.unscoped.values("organisation_id").annotate(**aggregates)
    }
    for i, p in enumerate(run.periods):
        end = month_bounds(p)[1]
        persons = {
            org: (row[f"n{i}"], row[f"nid{i}"], row[f"phone{i}"]) for org, row in found.items()
        }
        pending = dict(
            PendingRegistration.unscoped.filter(status="open", created_at__lt=_end_of(end))
            .values_list("organisation_id")
            .annotate(n=Count("pk"))
        )
        review = dict(
            ReviewItem.unscoped.filter(status="pending", created_at__lt=_end_of(end))
            .values_list("organisation_id")
            .annotate(n=Count("pk"))
        )
        for org in run.countries:
            n, nid, phone = persons.get(org, (0, 0, 0))
            run.put("registry_national_id", org, p, nid, n)
            run.put("registry_phone", org, p, phone, n)
            n_pending = pending.get(org, 0) if (n or org in pending) else None
            n_review = review.get(org, 0) if (n or org in review) else None
            run.put("pending_registrations", org, p, n_pending, None, value=n_pending)
            run.put("review_queue", org, p, n_review, None, value=n_review)


# --- zone ----------------------------------------------------------------------------------

COUNTS = {"pensions_in_payment", "allowances_in_payment", "pending_registrations", "review_queue"}
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
