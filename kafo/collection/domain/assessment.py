"""The amount of a provisional assessment (taxation d'office). Pure: no Django.

An employer that stays silent after the formal notice's delay is assessed for the period:

- basis: the contributions of its last declaration, scaled to the assessed period's length
  (a quarter is three months); with no declaration at all, the contributions the rates in force
  charge on the registered workforce paid the rule's base salary (by default the SMIG);
- amount: the basis plus the rule's percentage of it, in whole francs (half up).

Each function returns the amount with the steps an agent reads on the account.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from kafo.contributions.domain.compute import Line, Rate, format_amount, line_shares, months_of


@dataclass(frozen=True)
class AssessmentAmount:
    basis_amount: Decimal
    percent: Decimal
    amount: Decimal
    steps: tuple[str, ...]


def _whole(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def basis_from_declaration(
    *, total: Decimal, declared_period: str, period: str, currency: str = "XOF"
) -> tuple[Decimal, str]:
    """The last declaration's contributions scaled to `period`: (basis, step)."""
    declared_months, months = months_of(declared_period), months_of(period)
    basis = _whole(Decimal(total) * months / declared_months)
    if declared_months == months:
        step = f"Base : cotisations de la dernière déclaration ({declared_period}) = " + (
            format_amount(basis, currency)
        )
    else:
        step = (
            f"Base : cotisations de la dernière déclaration ({declared_period}) "
            f"{format_amount(total, currency)} × {months}/{declared_months} = "
            f"{format_amount(basis, currency)}"
        )
    return basis, step


def basis_from_workforce(
    *,
    workforce: int,
    base_salary: Decimal,
    rates: Sequence[Rate],
    period: str,
    currency: str = "XOF",
) -> tuple[Decimal, str]:
    """The contributions of `workforce` workers each paid `base_salary` a month: (basis, step).

    `rates` must already be the employer's, in force for the period (as for a declaration).
    """
    months = months_of(period)
    line = Line(gross_salary=Decimal(base_salary) * months, months=months)
    per_worker = sum((s.total for s in line_shares(line, rates, currency)), Decimal(0))
    basis = per_worker * workforce
    step = (
        f"Base : effectif immatriculé {workforce} × cotisations sur "
        f"{format_amount(line.gross_salary, currency)} ({format_amount(per_worker, currency)} "
        f"par salarié) = {format_amount(basis, currency)}"
    )
    return basis, step


def assessment_amount(
    *, basis_amount: Decimal, basis_step: str, percent: Decimal, currency: str = "XOF"
) -> AssessmentAmount:
    """The basis plus `percent` % of it, rounded to whole francs (half up)."""
    surcharge = _whole(Decimal(basis_amount) * Decimal(percent) / 100)
    amount = Decimal(basis_amount) + surcharge
    steps = (
        basis_step,
        f"Majoration : {percent.normalize():f} % × {format_amount(basis_amount, currency)} = "
        f"{format_amount(surcharge, currency)}",
        f"Taxation d'office : {format_amount(basis_amount, currency)} + "
        f"{format_amount(surcharge, currency)} = {format_amount(amount, currency)}",
    )
    return AssessmentAmount(
        basis_amount=Decimal(basis_amount), percent=Decimal(percent), amount=amount, steps=steps
    )
