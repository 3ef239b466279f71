"""Reads of contributions, always through the scoped managers."""

from __future__ import annotations

from decimal import Decimal

from kafo.contributions.domain.compute import (
    Line,
    line_shares,
    rates_for_employer,
)
from kafo.rules.selectors import rates_in_force

from .models import Declaration, DeclarationLine, PendingRegistration


def declarations_for(*, employer=None):
    qs = Declaration.objects.select_related("employer", "amends")
    if employer is not None:
        qs = qs.filter(employer=employer)
    return qs.order_by("-period", "-submitted_at")


def declaration_lines(*, declaration: Declaration, limit: int = 500):
    return DeclarationLine.objects.filter(declaration=declaration).order_by("line_no")[:limit]


def declaration_breakdown(*, declaration: Declaration) -> list[dict]:
    """Return per component: branch, component, base total, employer, employee (recomputed).

    The stored per-branch totals are authoritative; this detail splits them into components with
    the same rule versions (never edited), so the two always agree.
    """
    rates = rates_for_employer(
        rates_in_force(organisation_id=declaration.organisation_id, on=declaration.rules_on),
        declaration.employer.risk_class,
    )
    months = 3 if "Q" in declaration.period else 1
    agg: dict[tuple[str, str], dict] = {}
    for gross, category in (
        DeclarationLine.objects.filter(declaration=declaration)
        .values_list("gross_salary", "category")
        .iterator()
    ):
        for s in line_shares(Line(Decimal(gross), category, months), rates, "XOF"):
            row = agg.setdefault(
                (s.branch, s.component),
                {
                    "branch": s.branch,
                    "component": s.component,
                    "base": Decimal(0),
                    "employer": Decimal(0),
                    "employee": Decimal(0),
                    "rule_id": s.rule_id,
                },
            )
            row["base"] += s.base
            row["employer"] += s.employer
            row["employee"] += s.employee
    rate_by_id = {r.rule_id: r for r in rates}
    for row in agg.values():
        r = rate_by_id[row["rule_id"]]
        row["employer_rate"] = r.employer_rate
        row["employee_rate"] = r.employee_rate
        row["ceiling"] = r.ceiling
    return sorted(agg.values(), key=lambda r: (r["branch"], r["component"]))


def pending_registrations(*, status: str = "open"):
    return PendingRegistration.objects.filter(status=status).select_related("employer")
