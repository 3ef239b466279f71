"""Collection indicators of `kafo stats compute`: collection rate, arrears (ratio, months of
dues) by sector, region and age, the employers owing the most, declaration compliance."""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import BigIntegerField, Q, Sum
from django.db.models.functions import Cast, TruncMonth

from kafo.stats.domain.figures import month_bounds, months_back, quarter_of, ratio
from kafo.stats.models import ARREARS_AGES, TOP_ARREARS

if TYPE_CHECKING:
    from kafo.stats.compute import _Run

DUE_KINDS = ("contribution", "reversal", "assessment", "assessment_reversal")
PAID_KINDS = ("payment", "payment_reversal")


def ledger(run: _Run) -> None:
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

    arrears, ages, top = _arrears(run.periods)
    run.top_arrears.update(top)
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
            annual = run.get("arrears_ratio", org, p).denominator
            for band, _days in ARREARS_AGES:
                owed = Decimal(ages.get((p, org, band), 0))
                run.put("arrears_ratio", org, p, owed, annual, breakdown="age", bvalue=band)


def _arrears(periods: list[str]) -> tuple[dict, dict, dict]:
    """Return the arrears on E of each period, from the employers' debit balances:

    - {(period, org, breakdown, value): sum of the debit balances} (total, sector, region);
    - {(period, org, age band): part of those balances by age} (`_by_age`);
    - {(org, period): [(employer id, balance)]}: the TOP_ARREARS largest, largest first.

    Four statements whatever the number of months: each employer's balance before the first
    month, its movements per month (whole francs, as integers), its sector and city, the
    debits of the last 180 days before each E; the running balance is carried in Python (one
    step per employer and month).
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
    debtors: dict = defaultdict(list)  # (org, period) -> [(employer, balance)]
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
                debtors[(org, p)].append((employer, running))
    top = {
        key: heapq.nsmallest(TOP_ARREARS, rows, key=lambda r: (-r[1], r[0]))
        for key, rows in debtors.items()
    }
    stock = {key: Decimal(value) for key, value in out.items()}
    return stock, _by_age(periods, debtors), top


def _by_age(periods: list[str], debtors: dict) -> dict:
    """{(period, org, age band): the debit balances on E by age} (models.ARREARS_AGES).

    What an employer owes on E is its most recent debits due by E that add up to its balance
    (payments go to the oldest debt first); each is aged E − its due date. Only the debits of
    the last 180 days before an E are read (one statement): the rest of a balance is older.
    """
    from kafo.contributions.models import LedgerEntry

    ends = {p: month_bounds(p)[1] for p in periods}
    oldest = AGE_LIMITS[-1]
    debits: dict = defaultdict(list)  # employer -> [(due date, amount)], latest first
    for employer, due, amount in (
        LedgerEntry.unscoped.filter(
            amount__gt=0,
            due_date__gte=ends[periods[0]] - dt.timedelta(days=oldest),
            due_date__lte=ends[periods[-1]],
        )
        .values_list("employer_id", "due_date")
        .annotate(total=Cast(Sum("amount"), BigIntegerField()))
        .order_by("employer_id", "-due_date")
    ):
        debits[employer].append((due, amount))
    out: dict = defaultdict(int)
    for (org, p), rows in debtors.items():
        end = ends[p]
        for employer, owed in rows:
            for due, amount in debits.get(employer, ()):
                days = (end - due).days
                if days < 0:
                    continue  # due after E
                if days > oldest or owed <= 0:
                    break
                part = min(amount, owed)
                out[(p, org, _band(days))] += part
                owed -= part
            if owed > 0:
                out[(p, org, ARREARS_AGES[-1][0])] += owed
    return out


AGE_LIMITS = [days for _band, days in ARREARS_AGES if days is not None]


def _band(days: int) -> str:
    return next(band for band, limit in ARREARS_AGES if limit is None or days <= limit)


def declarations(run: _Run, organisations) -> None:
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
