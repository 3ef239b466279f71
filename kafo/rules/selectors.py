"""Reads of the rule tables: always through `.in_force(on=...)` for computations."""

from __future__ import annotations

import datetime as dt

from .domain.rates import Rate
from .models import ContributionRate, DeclarationRule, PenaltyRule


def rates_in_force(*, organisation_id: int, on: dt.date) -> list[Rate]:
    """Return the contribution rate components of an organisation in force on `on`."""
    rows = ContributionRate.objects.filter(organisation_id=organisation_id).in_force(on=on)
    return [to_rate(r) for r in rows.order_by("branch", "component", "risk_class")]


def to_rate(r: ContributionRate) -> Rate:
    return Rate(
        branch=r.branch,
        component=r.component,
        employer_rate=r.employer_rate,
        employee_rate=r.employee_rate,
        risk_class=r.risk_class,
        applies_to=r.applies_to,
        base_from=r.base_from,
        ceiling=r.ceiling,
        floor=r.floor,
        employer_flat=r.employer_flat,
        employee_flat=r.employee_flat,
        rule_id=r.pk,
    )


def penalty_rule_in_force(*, organisation_id: int, kind: str, on: dt.date) -> PenaltyRule | None:
    return (
        PenaltyRule.objects.filter(organisation_id=organisation_id, kind=kind)
        .in_force(on=on)
        .first()
    )


def declaration_rule_in_force(*, organisation_id: int, on: dt.date) -> DeclarationRule | None:
    return DeclarationRule.objects.filter(organisation_id=organisation_id).in_force(on=on).first()


def rule_versions(*, organisation_id: int | None = None) -> dict[str, list]:
    """Return every version (history included) of the scope's rules, grouped by kind."""
    result = {}
    for name, model in (
        ("rates", ContributionRate),
        ("penalties", PenaltyRule),
        ("declaration", DeclarationRule),
    ):
        qs = model.objects.select_related("organisation")
        if organisation_id is not None:
            qs = qs.filter(organisation_id=organisation_id)
        result[name] = list(qs)
    return result
