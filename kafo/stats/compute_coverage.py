"""Coverage indicators of `kafo stats compute`: active contributors and registered insured over
the labour force, pensions and allowances in payment, their coverage, the demographic ratio."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Count, Q

from kafo.stats.domain.figures import month_bounds, quarter_of, years_before

if TYPE_CHECKING:
    from kafo.stats.compute import _Run

PENSION_AGE = 60  # ASSUMPTION (coverage_registered): the indicators.yaml definition says so
PENSION_KINDS = ("pension", "allowance", "survivor", "orphan")
OLD_AGE_KINDS = ("pension", "allowance")


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


def contributors(run: _Run) -> None:
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


def registered(run: _Run) -> None:
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


def benefits(run: _Run) -> None:
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
