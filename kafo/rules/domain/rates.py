"""A contribution rate component as a calculation receives it (pure: no Django).

`Rate` is the plain copy of a `rules.ContributionRate` row that rules.selectors hands out;
kafo.contributions.domain.compute (and everything that computes contributions) takes it in.
It lives here, with the rules, so that the rules app never imports the apps that use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

ALL_CLASSES = 0


@dataclass(frozen=True)
class Rate:
    """One rate component in force (a plain copy of a rules.ContributionRate row)."""

    branch: str
    component: str
    employer_rate: Decimal = Decimal(0)
    employee_rate: Decimal = Decimal(0)
    risk_class: int = ALL_CLASSES
    applies_to: str = "all"  # "all" or "executive"
    base_from: Decimal = Decimal(0)
    ceiling: Decimal | None = None
    floor: Decimal | None = None
    employer_flat: Decimal = Decimal(0)
    employee_flat: Decimal = Decimal(0)
    rule_id: int | None = None
