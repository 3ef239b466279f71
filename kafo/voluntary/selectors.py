"""Reads of voluntary insurance, through the scoped managers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from kafo.contributions.domain.compute import (
    STANDARD,
    Line,
    line_shares,
    rates_for_employer,
    totals_of,
)
from kafo.contributions.domain.ledger import late_payment_penalty
from kafo.contributions.domain.periods import months_in, parse
from kafo.contributions.ledger import period_due_date
from kafo.rules.models import PenaltyKind, PenaltyRule
from kafo.rules.selectors import rates_in_force

from .brackets import Table, table_in_force
from .domain.schedule import PeriodState, lapse_date, period_of, period_states
from .models import Membership, MembershipStatus, PeriodPayment

CURRENCY = "XOF"
RISK_CLASS = 1  # a member's account is priced as an employer of the lowest work-injury class


def _today() -> dt.date:
    return timezone.localdate()


def table_for(membership_or_org, on: dt.date | None = None) -> Table | None:
    organisation = getattr(membership_or_org, "organisation", membership_or_org)
    return table_in_force(organisation.code, on or _today())


@dataclass(frozen=True)
class Standing:
    periods: list[PeriodState]  # from the start period to the current one
    current_period: str
    lapsed_on: dt.date | None  # the day the unpaid periods make it lapse, if they do
    lapse_after: int

    @property
    def overdue(self) -> list[PeriodState]:
        return [p for p in self.periods if p.overdue]


def standing(membership: Membership, *, on: dt.date | None = None) -> Standing:
    """The membership's periods on `on` (paid, due, overdue) and whether they make it lapse."""
    on = on or _today()
    table = table_for(membership, on)
    lapse_after = table.lapse_after_unpaid_periods if table else 4
    paid = PeriodPayment.objects.filter(membership=membership).values_list("period", flat=True)
    cache: dict = {}
    states = period_states(
        start_period=membership.start_period,
        frequency=membership.frequency,
        on=on,
        paid=list(paid),
        due_date_of=lambda p: period_due_date(
            organisation_id=membership.organisation_id, period=p, cache=cache
        ),
    )
    return Standing(
        periods=states,
        current_period=period_of(on, membership.frequency),
        lapsed_on=lapse_date(states, lapse_after),
        lapse_after=lapse_after,
    )


@dataclass(frozen=True)
class Due:
    period: str
    monthly_income: Decimal
    gross: Decimal  # income × months: the declaration line's salary
    rules_on: dt.date
    due_date: dt.date
    employer: Decimal
    employee: Decimal
    penalty: Decimal
    branch_totals: dict

    @property
    def contribution(self) -> Decimal:
        return self.employer + self.employee

    @property
    def total(self) -> Decimal:
        return self.contribution + self.penalty


def amount_due(membership: Membership, *, period: str, paid_on: dt.date | None = None) -> Due:
    """What paying `period` on `paid_on` costs: both shares of every rate of the organisation's
    rules in force on the period's first day, on the bracket's income × its months (the engine of
    declarations), plus the late-payment penalty of the rule in force on the due date."""
    paid_on = paid_on or _today()
    start, _end = parse(period)
    table = table_for(membership, start) or table_for(membership, paid_on)
    bracket = table.bracket(membership.bracket) if table else None
    income = bracket.monthly_income if bracket else Decimal(0)
    months = len(months_in(period))
    gross = income * months
    rates = rates_for_employer(
        rates_in_force(organisation_id=membership.organisation_id, on=start), RISK_CLASS
    )
    totals = totals_of([line_shares(Line(gross, STANDARD, months), rates, CURRENCY)])
    due_date = period_due_date(organisation_id=membership.organisation_id, period=period)
    rule = (
        PenaltyRule.unscoped.filter(
            organisation_id=membership.organisation_id, kind=PenaltyKind.LATE_PAYMENT
        )
        .in_force(on=due_date)
        .first()
    )
    penalty = Decimal(0)
    if rule is not None:
        penalty = late_payment_penalty(
            amount=totals.total,
            due_date=due_date,
            paid=[],
            as_of=paid_on,
            percent_per_day=rule.percent_per_day,
            percent_per_month_started=rule.percent_per_month_started,
        ).amount
    return Due(
        period=period,
        monthly_income=income,
        gross=gross,
        rules_on=start,
        due_date=due_date,
        employer=totals.employer,
        employee=totals.employee,
        penalty=penalty,
        branch_totals={
            b: {"employer": int(v["employer"]), "employee": int(v["employee"])}
            for b, v in totals.by_branch.items()
            if v["employer"] or v["employee"]
        },
    )


def memberships(*, status: str = "", query: str = ""):
    """The organisation's memberships, newest first (the list pages them)."""
    qs = Membership.objects.select_related("person", "account").order_by("-joined_on", "-pk")
    if status in MembershipStatus.values:
        qs = qs.filter(status=status)
    query = (query or "").strip()
    if query:
        qs = qs.filter(Q(person__family_name__icontains=query) | Q(person__number=query))
    return qs


def membership_of(person) -> Membership | None:
    return Membership.objects.filter(person=person).first()


def may_join_or_is_member(person, on: dt.date | None = None) -> bool:
    """True for a member, or for a person who could join today: the organisation offers
    voluntary insurance and the person holds no salaried job open today."""
    from kafo.registry.models import Employment

    if Membership.objects.filter(person=person).exists():
        return True
    on = on or _today()
    if table_for(person.organisation, on) is None:
        return False
    return not (
        Employment.objects.filter(person=person, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .exists()
    )


def payments_of(membership: Membership) -> list[PeriodPayment]:
    return list(
        PeriodPayment.objects.filter(membership=membership)
        .select_related("payment")
        .order_by("-period")
    )
