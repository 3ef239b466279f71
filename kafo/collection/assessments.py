"""Assessments (taxation d'office): posting the provisional amount of a period the employer
has not declared, and reversing it once the real declaration arrives.

Every write is audited on the employer's history.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kafo.audit import services as audit
from kafo.contributions.domain import periods
from kafo.contributions.domain.compute import rates_for_employer
from kafo.contributions.models import Declaration, DeclarationStatus, EntryKind, LedgerEntry
from kafo.registry.models import Employer, Employment
from kafo.rules.selectors import rates_in_force

from .domain import expected
from .domain.assessment import assessment_amount, basis_from_declaration, basis_from_workforce
from .issuing import _facts, notice_issue
from .models import Assessment, AssessmentBasis, CollectionRuleVersion, NoticeKind
from .rules import CollectionRules

if TYPE_CHECKING:
    from .daily import DailyResult


def _last_declaration(employer: Employer, before: str) -> Declaration | None:
    """The employer's declaration in force of the latest period ending before `before` starts
    (else the latest of all)."""
    start = periods.parse(before)[0]
    decls = list(
        Declaration.unscoped.filter(
            organisation_id=employer.organisation_id,
            employer=employer,
            status=DeclarationStatus.IN_FORCE,
        ).only("pk", "period", "total")
    )
    if not decls:
        return None
    earlier = [d for d in decls if periods.parse(d.period)[1] < start]
    return max(earlier or decls, key=lambda d: periods.parse(d.period)[1])


def _registered_workforce(employer: Employer, period: str) -> int:
    start, end = periods.parse(period)
    return (
        Employment.unscoped.filter(
            organisation_id=employer.organisation_id, employer=employer, start_date__lte=end
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .values("person_id")
        .distinct()
        .count()
    )


def assessment_post(
    *,
    employer: Employer,
    period: str,
    due_date: dt.date,
    rule_row: CollectionRuleVersion,
    rules: CollectionRules,
    on: dt.date,
    email: str | None = None,
    result: DailyResult | None = None,
    known: set[str] | None = None,
    outbox: list[int] | None = None,
) -> Assessment | None:
    """Assess a period the employer has not declared: post the provisional amount to its
    account (an `assessment` entry, due on the period's due date) and notify it.

    Return None (nothing written) when the period is already assessed or now declared.
    """
    currency = employer.organisation.currency
    with transaction.atomic():
        Employer.unscoped.select_for_update().filter(pk=employer.pk).first()
        if Assessment.unscoped.filter(
            organisation_id=employer.organisation_id, employer=employer, period=period
        ).exists():
            return None
        declared = set(
            Declaration.unscoped.filter(
                organisation_id=employer.organisation_id,
                employer=employer,
                status=DeclarationStatus.IN_FORCE,
                period__in=periods.overlapping(period),
            ).values_list("period", flat=True)
        )
        if expected.is_covered(period, declared):
            return None
        last = _last_declaration(employer, period)
        workforce = None
        if last is not None:
            basis_amount, step = basis_from_declaration(
                total=last.total, declared_period=last.period, period=period, currency=currency
            )
            basis = AssessmentBasis.LAST_DECLARATION
        else:
            workforce = _registered_workforce(employer, period)
            if workforce == 0:  # nothing to assess on
                return None
            start = periods.parse(period)[0]
            rates = rates_for_employer(
                rates_in_force(organisation_id=employer.organisation_id, on=start),
                employer.risk_class,
            )
            base_salary = rules.workforce_base_salary or employer.organisation.country.minimum_wage
            basis_amount, step = basis_from_workforce(
                workforce=workforce,
                base_salary=base_salary,
                rates=rates,
                period=period,
                currency=currency,
            )
            basis = AssessmentBasis.WORKFORCE
        computed = assessment_amount(
            basis_amount=basis_amount,
            basis_step=step,
            percent=rules.assessment_percent,
            currency=currency,
        )
        if computed.amount <= 0:
            return None
        entry = LedgerEntry.objects.create(
            organisation_id=employer.organisation_id,
            employer=employer,
            kind=EntryKind.ASSESSMENT,
            period=period,
            due_date=due_date,
            amount=computed.amount,
            label=_("Taxation d'office %(p)s (provisoire)") % {"p": period},
            detail={
                "collection_rule_id": rule_row.pk,
                "basis": basis,
                "basis_amount": str(computed.basis_amount),
                "percent": str(computed.percent),
                "steps": list(computed.steps),
            },
        )
        assessment = Assessment.objects.create(
            organisation_id=employer.organisation_id,
            employer=employer,
            period=period,
            basis=basis,
            basis_amount=computed.basis_amount,
            percent=computed.percent,
            amount=computed.amount,
            workforce=workforce,
            based_on=last,
            rule=rule_row,
            detail={"steps": list(computed.steps), "assessed_on": on.isoformat()},
            entry=entry,
        )
        audit.record_created(entry, subject=employer)
        audit.record_created(assessment, subject=employer)
        facts = _facts(employer, period, due=due_date, amount=computed.amount)
        for n in notice_issue(
            employer=employer,
            kind=NoticeKind.ASSESSMENT,
            period=period,
            facts=facts,
            on=on,
            email=email,
            assessment=assessment,
            known=known,
            outbox=outbox,
        ):
            if result is not None:
                result.notices[n.kind] += 1
    return assessment


def assessments_reverse(new_declarations: list[Declaration]) -> list[Assessment]:
    """Reverse the assessments the new declarations replace: an opposite entry on the account
    (the declarations' own contributions are posted as usual). Called inside the declaration's
    transaction (kafo.contributions.ledger.post_declarations).

    An assessed month is replaced by its declaration or its quarter's; an assessed quarter by
    its declaration or by the declarations of its three months. One query when no assessment is
    open in the declarations' organisations (a bulk import's usual case).
    """
    if not new_declarations:
        return []
    organisation_ids = {d.organisation_id for d in new_declarations}
    open_ = list(
        Assessment.unscoped.filter(
            organisation_id__in=organisation_ids, reversed_at__isnull=True
        ).select_related("entry", "employer")
    )
    by_employer = {d.employer_id for d in new_declarations}
    open_ = [a for a in open_ if a.employer_id in by_employer]
    if not open_:
        return []
    new_by_employer: dict[int, list[Declaration]] = defaultdict(list)
    for d in new_declarations:
        new_by_employer[d.employer_id].append(d)
    reversed_ = []
    now = timezone.now()
    for a in open_:
        declared = set(
            Declaration.unscoped.filter(
                organisation_id=a.organisation_id,
                employer_id=a.employer_id,
                status=DeclarationStatus.IN_FORCE,
                period__in=periods.overlapping(a.period),
            ).values_list("period", flat=True)
        ) | {d.period for d in new_by_employer[a.employer_id]}
        if not expected.is_covered(a.period, declared):
            continue
        by = next(
            (
                d
                for d in new_by_employer[a.employer_id]
                if d.period in periods.overlapping(a.period)
            ),
            None,
        )
        entry = LedgerEntry.objects.create(
            organisation_id=a.organisation_id,
            employer_id=a.employer_id,
            kind=EntryKind.ASSESSMENT_REVERSAL,
            period=a.period,
            due_date=a.entry.due_date,
            amount=-a.amount,
            reverses=a.entry,
            label=_("Annulation de la taxation d'office %(p)s (déclaration reçue)")
            % {"p": a.period},
            detail={"assessment_id": a.pk, "declaration_id": by.pk if by else None},
        )
        before = audit.snapshot(a)
        a.reversed_by = by
        a.reversal_entry = entry
        a.reversed_at = now
        a.save(update_fields=["reversed_by", "reversal_entry", "reversed_at"])
        audit.record_created(entry, subject=a.employer)
        audit.record_updated(a, before, subject=a.employer)
        reversed_.append(a)
    return reversed_
