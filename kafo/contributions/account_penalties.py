"""Late-payment penalties on the employer accounts (kafo/contributions/ledger.py)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from kafo.audit import services as audit
from kafo.organisations.models import Organisation
from kafo.registry.models import Employer
from kafo.rules.models import PenaltyKind

from . import selectors
from .account_dues import _penalty_rule
from .domain.ledger import late_payment_penalty
from .models import EntryKind, LedgerEntry


def penalties_apply(*, employer: Employer, as_of: dt.date) -> list[LedgerEntry]:
    """Post the late-payment penalties an employer owes on `as_of`, net of those already posted.

    For each period's contributions overdue on `as_of`, the cumulative penalty is recomputed from
    the allocation (oldest debt first) with the rule in force on the due date; only the
    difference with what was already posted for that period is added. Running it twice for the
    same date adds nothing; a penalty already posted is never reduced.
    """
    created: list[LedgerEntry] = []
    with transaction.atomic():
        # One run at a time per employer: the lock serialises concurrent runs.
        Employer.unscoped.select_for_update().filter(pk=employer.pk).first()
        state = selectors.account_state(employer=employer, as_of=as_of)
        posted: dict[str, Decimal] = defaultdict(Decimal)
        for e in state.entries:
            if e.kind == EntryKind.PENALTY:
                posted[e.period] += e.amount
        rules: dict = {}
        for debt in state.debts:
            if debt["kind"] != EntryKind.CONTRIBUTION or debt["due_date"] >= as_of:
                continue
            due = debt["due_date"]
            rule = _penalty_rule(employer.organisation_id, PenaltyKind.LATE_PAYMENT, due, rules)
            if rule is None:
                continue
            trace = late_payment_penalty(
                amount=debt["amount"],
                due_date=due,
                paid=state.allocation.paid_portions(debt["key"]),
                as_of=as_of,
                percent_per_day=rule.percent_per_day,
                percent_per_month_started=rule.percent_per_month_started,
            )
            delta = trace.amount - posted[debt["period"]]
            if delta <= 0:
                continue
            entry = LedgerEntry.objects.create(
                organisation_id=employer.organisation_id,
                employer=employer,
                kind=EntryKind.PENALTY,
                period=debt["period"],
                due_date=as_of,
                penalty_as_of=as_of,
                amount=delta,
                label=_("Majoration de retard %(p)s au %(d)s")
                % {"p": debt["period"], "d": f"{as_of:%d/%m/%Y}"},
                detail={
                    "rule_id": rule.pk,
                    "percent_per_day": str(rule.percent_per_day),
                    "percent_per_month_started": str(rule.percent_per_month_started),
                    "debt": str(debt["amount"]),
                    "due_date": due.isoformat(),
                    "cumulative": str(trace.amount),
                    "exact": str(trace.exact),
                    "already_posted": str(posted[debt["period"]]),
                    "steps": list(trace.steps),
                },
            )
            audit.record_created(entry, subject=employer)
            created.append(entry)
    return created


def penalties_run(*, as_of: dt.date, organisation: Organisation, progress=None) -> int:
    """Apply penalties to every employer of `organisation` with contributions due; return the
    number of penalty entries posted."""
    employer_ids = (
        LedgerEntry.unscoped.filter(
            organisation=organisation, kind=EntryKind.CONTRIBUTION, due_date__lt=as_of
        )
        .values_list("employer_id", flat=True)
        .distinct()
        .order_by("employer_id")
    )
    count = 0
    for employer in Employer.unscoped.filter(pk__in=list(employer_ids)).order_by("pk"):
        count += len(penalties_apply(employer=employer, as_of=as_of))
        if progress:
            progress(1)
    return count
