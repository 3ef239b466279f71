"""'At which date can I retire, and with how much' (pure: no Django): the next dates where
something more becomes payable, with the career as it is and if the person keeps working at the
last declared salary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .career import CareerLine, month_of, period_of
from .pension import (
    EARLY_PENSION,
    NONE,
    PENSION,
    Claimant,
    OldAgeResult,
    birthday,
    compute_old_age,
    normal_age_of,
)
from .rules import PensionRules


@dataclass(frozen=True)
class NextDate:
    date: dt.date
    as_is: OldAgeResult  # with the career as recorded
    if_still_working: OldAgeResult  # the last salary declared each month until the date


def continued(
    rules: PensionRules, career: Sequence[CareerLine], *, until: dt.date
) -> list[CareerLine]:
    """The career extended to `until`'s month at its last monthly salary at this organisation."""
    own = [x for x in career if x.organisation == rules.organisation]
    if not own:
        return list(career)
    last_index = max(x.index for x in own)
    last = [x for x in own if x.index == last_index]
    salary = sum((x.gross_salary for x in last), Decimal(0))
    days = None if any(x.days_worked is None for x in last) else max(x.days_worked for x in last)
    extra = [
        CareerLine(rules.organisation, period_of(i), salary, days)
        for i in range(last_index + 1, month_of(until) + 1)
    ]
    return [*career, *extra]


def next_eligible(
    rules: PensionRules,
    career: Sequence[CareerLine],
    claimant: Claimant,
    *,
    on: dt.date,
    now: OldAgeResult | None = None,
    horizon_years: int = 15,
) -> list[NextDate]:
    """The next dates after `on` where a benefit becomes payable or a better one starts."""
    now = now or compute_old_age(rules, career, claimant, on=on)
    birth = claimant.birth_date
    candidates = {birthday(birth, normal_age_of(rules, claimant))}
    if rules.age.early_age is not None:
        candidates.add(birthday(birth, rules.age.early_age))
    if rules.short_career.age is not None:
        candidates.add(birthday(birth, rules.short_career.age))
    if rules.rate.method != "points" and now.insured_months < rules.min_months:
        missing = rules.min_months - now.insured_months
        index = month_of(on) + missing
        candidates.add(dt.date(index // 12, index % 12 + 1, 1))
    limit = birthday(on, horizon_years)
    answers = []
    best = now.amount if now.benefit in (PENSION, EARLY_PENSION) else Decimal(0)
    for date in sorted(d for d in candidates if on < d <= limit):
        as_is = compute_old_age(rules, career, claimant, on=date)
        working = compute_old_age(rules, continued(rules, career, until=date), claimant, on=date)
        if as_is.benefit == NONE and working.benefit == NONE:
            continue
        if (
            max((r.monthly_amount or Decimal(0) for r in (as_is, working)), default=Decimal(0))
            <= best
            and now.benefit == PENSION
        ):
            continue
        answers.append(NextDate(date, as_is, working))
    return answers
