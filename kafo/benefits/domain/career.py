"""A career as monthly lines, and the months of insurance it gives under a rule (pure)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .rules import PensionRules
from .trace import Trace

PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class CareerLine:
    """One month's declared salary of a person at one organisation (one employer or summed)."""

    organisation: str
    period: str  # YYYY-MM
    gross_salary: Decimal
    days_worked: int | None = None

    @property
    def index(self) -> int:
        return period_index(self.period)


@dataclass(frozen=True)
class Month:
    """A calendar month of the career at the rule's organisation, its lines summed."""

    period: str
    salary: Decimal
    days: int | None
    insured: bool

    @property
    def index(self) -> int:
        return period_index(self.period)


def period_index(period: str) -> int:
    m = PERIOD.match(period)
    if not m:
        raise ValueError(f"période invalide « {period} » (AAAA-MM attendu)")
    return int(m.group(1)) * 12 + int(m.group(2)) - 1


def period_of(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_of(date: dt.date) -> int:
    return date.year * 12 + date.month - 1


def spread(
    months: Sequence[str], salary: Decimal, days: int | None
) -> list[tuple[str, Decimal, int | None]]:
    """Spread one declared line over the months its period covers (a quarter: three): whole
    francs and whole days each, the last month taking the remainder, so that nothing is lost
    or made up. The one rule for every reader of a career (the claim, the simulation, the
    set-based liquidation); no source says how a quarter divides (assumption)."""
    n = len(months)
    if n == 1:
        return [(months[0], Decimal(salary), days)]
    share = (Decimal(salary) / n).quantize(Decimal(1))
    day_share = None if days is None else days // n
    out = []
    for i, month in enumerate(months):
        last = i == n - 1
        out.append(
            (
                month,
                Decimal(salary) - share * (n - 1) if last else share,
                None if days is None else (days - day_share * (n - 1) if last else day_share),
            )
        )
    return out


def months_at(
    lines: Iterable[CareerLine], rules: PensionRules, *, until: dt.date
) -> tuple[list[Month], int]:
    """Return this organisation's months up to `until`'s month, and the other organisations' count.

    Lines of one month (several employers) are summed; the month counts as insurance if any
    condition of the rule is met (days, salary); a month without days counts if paid.
    """
    last = month_of(until)
    own: dict[int, list[CareerLine]] = {}
    other: set[tuple[str, int]] = set()
    for line in lines:
        if line.index > last:
            continue
        if line.organisation == rules.organisation:
            own.setdefault(line.index, []).append(line)
        else:
            other.add((line.organisation, line.index))
    rule = rules.insured_month
    months = []
    for index in sorted(own):
        group = own[index]
        salary = sum((x.gross_salary for x in group), Decimal(0))
        days = (
            None
            if any(x.days_worked is None for x in group)
            else sum(x.days_worked or 0 for x in group)
        )
        if days is None:
            insured = salary > 0
        else:
            conditions = []
            if rule.min_days is not None:
                conditions.append(days >= rule.min_days)
            if rule.min_salary is not None:
                conditions.append(salary >= rule.min_salary)
            insured = any(conditions) if conditions else salary > 0
        months.append(Month(period_of(index), salary, days, insured))
    return months, len(other)


def insured_months_step(
    trace: Trace,
    rules: PensionRules,
    months: list[Month],
    other: int,
    *,
    code: str = "insured_months",
) -> int:
    """Record and return the number of months of insurance at this organisation (under `code`:
    `own_insured_months` when the other organisations' months are totalised after it)."""
    rule = rules.insured_month
    params = tuple(
        rules.cite(f"insured_month.{name}", value)
        for name, value in (
            ("min_days", rule.min_days),
            ("min_hours", rule.min_hours),
            ("min_salary", rule.min_salary),
        )
        if value is not None
    )
    below = [m.period for m in months if not m.insured]
    condition_fr = _condition_fr(rules)
    if code == "insured_months":
        elsewhere_fr = f" ; mois dans d'autres organismes (non comptés ici) : {other}"
        elsewhere_en = f"; months at other organisations (not counted here): {other}"
    else:
        elsewhere_fr = elsewhere_en = ""
    return trace.add(
        code,
        f"Mois d'assurance à {rules.organisation} ({condition_fr}) ; "
        f"mois non retenus : {', '.join(below) or 'aucun'}{elsewhere_fr}",
        f"Months of insurance at {rules.organisation}; months not counted: "
        f"{', '.join(below) or 'none'}{elsewhere_en}",
        inputs={"months_declared": len(months), "months_not_counted": len(below)},
        formula="months_declared - months_not_counted",
        params=params,
    )


def _condition_fr(rules: PensionRules) -> str:
    rule = rules.insured_month
    parts = []
    if rule.min_days is not None:
        parts.append(f"au moins {rule.min_days} jours")
    if rule.min_hours is not None:
        parts.append(f"ou {rule.min_hours} heures")
    if rule.min_salary is not None:
        parts.append(f"ou un salaire d'au moins {rule.min_salary}")
    return " ".join(parts) or "tout mois rémunéré"


@dataclass(frozen=True)
class Totalisation:
    """The other organisations' insured months to add to this one's (convention CIPRES):
    organisation code → month indices (`period_index`), and the convention parameters cited."""

    months: Mapping[str, frozenset[int]]
    params: tuple = ()


def totalised_months_step(
    trace: Trace, rules: PensionRules, months: Sequence[Month], totalise: Totalisation, *, until
) -> tuple[int, set[int]]:
    """Record the months each other organisation adds (a month already counted, here or at an
    earlier one, counts once) and their total with this organisation's insured months; return
    the total and the set of every month counted. Months after `until`'s month are left out."""
    last = month_of(until)
    counted = {m.index for m in months if m.insured}
    inputs: dict = {"own_insured_months": len(counted)}
    for i, (org, indices) in enumerate(sorted(totalise.months.items())):
        theirs = {x for x in indices if x <= last}
        already = len(theirs & counted)
        code = f"foreign_months_{i}"
        inputs[code] = trace.add(
            code,
            f"Mois d'assurance communiqués par {org} ; déjà comptés (un mois assuré à deux "
            "endroits compte une fois)",
            f"Months of insurance communicated by {org}; already counted (a month insured in "
            "two places counts once)",
            inputs={"months_communicated": len(theirs), "months_already_counted": already},
            formula="months_communicated - months_already_counted",
            params=totalise.params,
        )
        counted |= theirs
    total = trace.add(
        "insured_months",
        f"Mois d'assurance totalisés : {rules.organisation} et les autres organismes",
        f"Totalised months of insurance: {rules.organisation} and the other organisations",
        inputs=inputs,
        formula=" + ".join(inputs),
        params=totalise.params,
    )
    return int(total), counted
