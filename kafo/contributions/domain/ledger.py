"""Employer account arithmetic: allocation oldest debt first, late-payment penalties, ageing.

Pure: no Django. Plain values in (Decimal for money, the date passed in), plain values out.

- `allocate(debts, payments)`: payments, in date order, settle debts in due-date order (oldest
  debt first); what is left over is the employer's credit, which settles later debts as they
  arise. A portion of a debt settled by a payment counts as paid on that payment's date.
- `late_payment_penalty(...)`: the cumulative penalty of one debt on a date: every portion
  pays `percent_per_day` % for each day between the due date and the day it was paid (or the
  date of computation while still unpaid), plus `percent_per_month_started` % per month started.
  Rounded once, half up, to whole francs. Penalties bear no penalty.
- `late_declaration_penalty(...)`: a declaration filed after its due date owes `percent_flat` %
  of its contributions, plus the per-day and per-month rates for the days it came late.
- `ageing(...)`: the unpaid overdue amounts by age in days (0–30, 31–90, 91–180, > 180).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
# Money columns are DECIMAL(16, 0): nothing stored may exceed 10^16 - 1 francs.
MAX_STORED_AMOUNT = Decimal(10**16 - 1)
# One payment at most 10^15 - 1 francs: a tenth of the column, so that the sums an account or a
# bank statement makes of several of them still fit; far above any real transfer (a typing
# error or a misplaced column, not a payment).
MAX_PAYMENT_AMOUNT = Decimal(10**15 - 1)
REFERENCE_MAX_LENGTH = 60  # Payment.reference's max_length
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-90", 31, 90),
    ("91-180", 91, 180),
    ("180+", 181, None),
)


@dataclass(frozen=True)
class Debt:
    key: Hashable
    due_date: dt.date
    amount: Decimal
    rank: int = 0  # tie-break on equal due dates: contributions (0) before penalties (1)


@dataclass(frozen=True)
class Credit:
    key: Hashable
    date: dt.date
    amount: Decimal


@dataclass(frozen=True)
class Allocation:
    credit_key: Hashable
    debt_key: Hashable
    date: dt.date
    amount: Decimal


@dataclass
class AllocationResult:
    allocations: list[Allocation] = field(default_factory=list)
    unpaid: dict[Hashable, Decimal] = field(default_factory=dict)
    credit_left: Decimal = ZERO

    def paid_portions(self, debt_key: Hashable) -> list[tuple[dt.date, Decimal]]:
        return [(a.date, a.amount) for a in self.allocations if a.debt_key == debt_key]


def allocate(debts: Sequence[Debt], credits: Sequence[Credit]) -> AllocationResult:
    """Allocate credits (payments) to debts, oldest debt first, first payment first.

    Debts are taken by (due date, rank, given order); credits by (date, given order). A debt of
    negative amount (a corrective declaration below what was already due) acts as a credit
    dated on its due date. Return every allocation, the unpaid amount of each debt and the
    credit left over.
    """
    debt_list = [d for d in debts if d.amount > 0]
    credit_list = list(credits) + [
        Credit(key=d.key, date=d.due_date, amount=-d.amount) for d in debts if d.amount < 0
    ]
    ordered_debts = sorted(enumerate(debt_list), key=lambda p: (p[1].due_date, p[1].rank, p[0]))
    ordered_credits = sorted(enumerate(credit_list), key=lambda p: (p[1].date, p[0]))
    result = AllocationResult(unpaid={d.key: ZERO for d in debts})
    remaining = [c.amount for _i, c in ordered_credits]
    ci = 0
    for _i, debt in ordered_debts:
        owed = debt.amount
        while owed > 0 and ci < len(ordered_credits):
            credit = ordered_credits[ci][1]
            take = min(owed, remaining[ci])
            if take > 0:
                result.allocations.append(
                    Allocation(
                        credit_key=credit.key, debt_key=debt.key, date=credit.date, amount=take
                    )
                )
                owed -= take
                remaining[ci] -= take
            if remaining[ci] <= 0:
                ci += 1
        result.unpaid[debt.key] = result.unpaid.get(debt.key, ZERO) + owed
    result.credit_left = sum((r for r in remaining[ci:] if r > 0), ZERO)
    return result


def add_months(day: dt.date, months: int) -> dt.date:
    """Return `day` moved by whole months, clamped to the end of the month."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def months_started(due_date: dt.date, paid_on: dt.date) -> int:
    """Return the months of delay started between the due date and the day paid (0 if on time)."""
    if paid_on <= due_date:
        return 0
    # The smallest n >= 1 with add_months(due_date, n) >= paid_on. With m calendar months
    # between the two dates, add_months(due_date, m - 1) falls in the month before paid_on's,
    # so n is m or m + 1 (1 within one month): no count from 1 for debts years late.
    n = max(1, (paid_on.year - due_date.year) * 12 + paid_on.month - due_date.month)
    return n if add_months(due_date, n) >= paid_on else n + 1


@dataclass(frozen=True)
class PenaltyTrace:
    amount: Decimal  # cumulative, whole francs
    exact: Decimal  # before rounding
    steps: tuple[dict, ...]


def late_payment_penalty(
    *,
    amount: Decimal,
    due_date: dt.date,
    paid: Iterable[tuple[dt.date, Decimal]],
    as_of: dt.date,
    percent_per_day: Decimal = ZERO,
    percent_per_month_started: Decimal = ZERO,
) -> PenaltyTrace:
    """Return the cumulative late-payment penalty of one debt on `as_of` with its trace.

    `paid` lists (date, amount) portions settled; what is not settled on `as_of` runs until
    `as_of`. Example (CNPS-CI rule, 0.05 %/day): 2,000,000 paid 16 days late -> 16,000.
    """
    portions: list[tuple[dt.date, Decimal]] = []
    settled = ZERO
    for day, part in sorted(paid):
        if day <= as_of:
            portions.append((day, part))
            settled += part
    if amount - settled > 0:
        portions.append((as_of, amount - settled))
    exact = ZERO
    steps = []
    for day, part in portions:
        days = (day - due_date).days
        if days <= 0 or part <= 0:
            continue
        months = months_started(due_date, day)
        value = (
            part * percent_per_day / 100 * days + part * percent_per_month_started / 100 * months
        )
        exact += value
        steps.append(
            {
                "base": str(part),
                "until": day.isoformat(),
                "days": days,
                "months_started": months,
                "penalty": str(value),
            }
        )
    rounded = exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return PenaltyTrace(amount=rounded, exact=exact, steps=tuple(steps))


def late_declaration_penalty(
    *,
    contributions: Decimal,
    due_date: dt.date,
    filed_on: dt.date,
    percent_flat: Decimal = ZERO,
    percent_per_day: Decimal = ZERO,
    percent_per_month_started: Decimal = ZERO,
) -> PenaltyTrace:
    """Return the penalty a declaration filed on `filed_on` owes for its lateness (0 if on
    time). Example (CNPS-CI, 10 % flat): 1,234,567 filed after the 15th -> 123,457."""
    days = (filed_on - due_date).days
    if days <= 0 or contributions <= 0:
        return PenaltyTrace(amount=ZERO, exact=ZERO, steps=())
    months = months_started(due_date, filed_on)
    exact = contributions * (
        percent_flat / 100 + percent_per_day / 100 * days + percent_per_month_started / 100 * months
    )
    step = {
        "base": str(contributions),
        "filed_on": filed_on.isoformat(),
        "days": days,
        "months_started": months,
        "penalty": str(exact),
    }
    rounded = exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return PenaltyTrace(amount=rounded, exact=exact, steps=(step,))


def bucket_of(age_days: int) -> str:
    for name, low, high in BUCKETS:
        if age_days >= low and (high is None or age_days <= high):
            return name
    raise ValueError(age_days)


def ageing(
    unpaid_debts: Iterable[tuple[dt.date, Decimal]], *, as_of: dt.date
) -> dict[str, Decimal]:
    """Return the overdue unpaid amounts by age bucket on `as_of` (a debt due on `as_of` is
    not yet overdue; one day late is age 1, in 0-30)."""
    out = {name: ZERO for name, _l, _h in BUCKETS}
    for due_date, unpaid in unpaid_debts:
        if unpaid > 0 and due_date < as_of:
            out[bucket_of((as_of - due_date).days)] += unpaid
    return out
