"""'At which date can I retire, and with how much' for a registered person, from the career
the declarations give (reads only).

The career is the person's own declared months at their organisation (kafo/contributions
selectors.person_career); months at other organisations where the zone index links the person
are shown by the career page and counted by the cross-border work, not by this organisation's
formula. A quarterly declaration's salary and days are spread evenly over its three months
(whole francs; the last month takes the remainder), as a month of the quarter is insured on
the days it had.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kafo.contributions.domain import periods
from kafo.contributions.selectors import person_career

from . import claim_career
from .domain.career import CareerLine, spread
from .domain.next_dates import NextDate, next_eligible
from .domain.pension import Claimant, OldAgeResult, compute_old_age
from .domain.rules import RuleError
from .models import BenefitKind, BenefitRuleVersion
from .selectors import rule_in_force


@dataclass
class Retirement:
    on: dt.date
    version: BenefitRuleVersion | None
    career: dict
    result: OldAgeResult | None = None
    later: list[NextDate] = field(default_factory=list)
    error: str = ""


def career_lines(career: dict, organisation_code: str | None = None) -> list[CareerLine]:
    """The career's declared periods as one line a month (of `organisation_code` only if given)."""
    lines = []
    for org in career["organisations"]:
        if organisation_code and org["organisation"] != organisation_code:
            continue
        for p in org["periods"]:
            months = periods.months_in(p["period"])
            for month, salary, days in spread(months, p["gross_salary"], p["days_worked"]):
                lines.append(CareerLine(org["organisation"], month, salary, days))
    return lines


def categories_of(version: BenefitRuleVersion | None) -> list[str]:
    if version is None:
        return []
    try:
        return sorted(version.rules().age.by_category)
    except RuleError:
        return []


def person_retirement(
    *, person, on: dt.date, children: int = 0, category: str | None = None
) -> Retirement:
    """Compute what `person` may claim on `on` and the next dates something more opens."""
    career = person_career(person=person)
    version = rule_in_force(organisation=person.organisation_id, kind=BenefitKind.OLD_AGE, on=on)
    answer = Retirement(on=on, version=version, career=career)
    if version is None:
        answer.error = "no_rule"
        return answer
    lines = career_lines(career, person.organisation.code)
    claimant = Claimant(
        birth_date=person.birth_date,
        sex=person.sex or None,
        children_born=children,
        dependent_children=children,
        category=category or None,
        voluntary=claim_career.ends_voluntary(person, until=on),
    )
    try:
        rules = version.rules()
        answer.result = compute_old_age(rules, lines, claimant, on=on)
        answer.later = next_eligible(rules, lines, claimant, on=on, now=answer.result)
    except RuleError as exc:  # a rule that does not cover this career (e.g. a point's price)
        answer.error = "; ".join(f"{k} : {v}" for k, v in exc.errors.items())
    return answer
