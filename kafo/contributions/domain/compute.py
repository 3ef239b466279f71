"""Compute contributions from declared salaries and the rates in force (pure: no Django).

A declaration line is one worker's gross salary for one period (a month, or a quarter: every
monthly band — floor, tier start, ceiling, flat amount — is then multiplied by 3). Each rate
component of each branch gives a base and two shares:

    base     = max(0, min(max(salary, floor), ceiling) - base_from)     (bands × months)
    employer = round(base × employer_rate %) + employer_flat × months
    employee = round(base × employee_rate %) + employee_flat × months

Rounding is per line, per component and per share, half up to the currency's smallest unit
(whole francs for XOF/XAF). Per line, because the employee share is withheld from that worker's
pay slip and credited to that worker's career, so it must be a whole amount on its own; the
declaration's totals are then the exact sum of what the lines show, and a corrective declaration
differs from the original line by line. (Rounding the total instead can differ from the sum of
the lines by up to half a franc per line.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from kafo.rules.domain.rates import ALL_CLASSES, Rate  # re-exported: callers import them here too

STANDARD = "standard"
EXECUTIVE = "executive"

# Decimal places of each currency's smallest unit used for contributions.
CURRENCY_EXPONENT = {"XOF": 0, "XAF": 0, "GNF": 0, "KMF": 0, "MGA": 0}


@dataclass(frozen=True)
class Line:
    gross_salary: Decimal
    category: str = STANDARD
    months: int = 1  # 1 for a monthly period, 3 for a quarter


@dataclass(frozen=True)
class Share:
    """What one component of one branch charges on one line."""

    branch: str
    component: str
    base: Decimal
    employer: Decimal
    employee: Decimal
    rule_id: int | None = None

    @property
    def total(self) -> Decimal:
        return self.employer + self.employee


@dataclass
class Totals:
    employer: Decimal = Decimal(0)
    employee: Decimal = Decimal(0)
    by_branch: dict[str, dict[str, Decimal]] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return self.employer + self.employee


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-CURRENCY_EXPONENT.get(currency, 2))


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's smallest unit (whole francs for XOF/XAF)."""
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def months_of(period: str) -> int:
    """Return 3 for a quarterly period ('2025-Q1'), 1 for a monthly one ('2025-01')."""
    return 3 if "Q" in period.upper() else 1


def rates_for_employer(rates: Iterable[Rate], risk_class: int) -> list[Rate]:
    """Keep the rates that apply to an employer of `risk_class`.

    A component priced per risk class keeps only the employer's class; a component with one rate
    for every class (risk_class 0) is kept unless the class has its own row.
    """
    rates = list(rates)
    by_class = {(r.branch, r.component) for r in rates if r.risk_class == risk_class}
    return [
        r
        for r in rates
        if r.risk_class == risk_class
        or (r.risk_class == ALL_CLASSES and (r.branch, r.component) not in by_class)
    ]


def base_of(salary: Decimal, rate: Rate, months: int = 1) -> Decimal:
    """Return the part of `salary` this component charges (bands scaled to the period)."""
    if salary <= 0:
        return Decimal(0)
    s = salary
    if rate.floor is not None:
        s = max(s, rate.floor * months)
    if rate.ceiling is not None:
        s = min(s, rate.ceiling * months)
    return max(Decimal(0), s - rate.base_from * months)


def line_shares(line: Line, rates: Sequence[Rate], currency: str) -> list[Share]:
    """Return the contributions of one line, one Share per applicable rate component.

    `rates` must already be the employer's (see `rates_for_employer`) and in force for the period.
    """
    shares = []
    for rate in rates:
        if rate.applies_to == EXECUTIVE and line.category != EXECUTIVE:
            continue
        base = base_of(line.gross_salary, rate, line.months)
        flat = line.gross_salary > 0
        employer = round_money(base * rate.employer_rate / 100, currency)
        employee = round_money(base * rate.employee_rate / 100, currency)
        if flat:
            employer += rate.employer_flat * line.months
            employee += rate.employee_flat * line.months
        shares.append(
            Share(rate.branch, rate.component, base, employer, employee, rule_id=rate.rule_id)
        )
    return shares


def totals_of(lines_shares: Iterable[Sequence[Share]]) -> Totals:
    """Sum rounded line shares into per-branch and overall employer/employee totals."""
    totals = Totals()
    by_branch: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: {"employer": Decimal(0), "employee": Decimal(0)}
    )
    for shares in lines_shares:
        for s in shares:
            by_branch[s.branch]["employer"] += s.employer
            by_branch[s.branch]["employee"] += s.employee
            totals.employer += s.employer
            totals.employee += s.employee
    totals.by_branch = dict(by_branch)
    return totals


def rate_ppm(rate: Decimal) -> int:
    """Return a percent rate as an integer in parts per million (exact up to 4 decimals).

    The set-based path computes round_half_up(base × rate %) as (base × ppm + 500 000) // 10⁶
    in int64, which equals the Decimal computation for whole-franc bases (tested).
    """
    ppm = rate * 10000
    if ppm != ppm.to_integral_value():
        raise ValueError(f"rate {rate} has more than 4 decimals")
    return int(ppm)


def format_amount(amount: Decimal, currency: str = "XOF") -> str:
    """Return '125 000 FCFA' (whole units, space-separated thousands) for CFA francs."""
    unit = "FCFA" if currency in ("XOF", "XAF") else currency
    q = round_money(Decimal(amount), currency)
    sign = "-" if q < 0 else ""
    whole = f"{abs(int(q)):,}".replace(",", " ")
    if CURRENCY_EXPONENT.get(currency, 2):
        frac = str(abs(q) - abs(int(q)))[1:]
        return f"{sign}{whole}{frac.replace('.', ',')} {unit}"
    return f"{sign}{whole} {unit}"


def breakdown(line_shares_list: Sequence[Sequence[Share]], currency: str) -> list[str]:
    """Return readable lines 'branch/component: base B → employer E + employee S'."""
    out = []
    for i, shares in enumerate(line_shares_list, start=1):
        for s in shares:
            out.append(
                f"ligne {i} {s.branch}/{s.component}: assiette {format_amount(s.base, currency)}"
                f" → employeur {format_amount(s.employer, currency)}"
                f" + salarié {format_amount(s.employee, currency)}"
            )
    return out
