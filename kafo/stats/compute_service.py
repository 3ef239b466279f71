"""Service indicators of `kafo stats compute`: time to liquidate a claim, payment failures,
life-certificate compliance, the registry's own health, liaison requests overdue."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from kafo.stats.compute_coverage import PENSION_KINDS
from kafo.stats.domain.figures import median, month_bounds

if TYPE_CHECKING:
    from kafo.stats.compute import _Run

WITHIN_DAYS = 90  # service standard assumed for liquidation_within_90
ZONE = None


def _end_of(day: dt.date) -> dt.datetime:
    """The first instant after `day` (local time): `< _end_of(E)` means "on or before E"."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def liquidation(run: _Run) -> None:
    """Delay between a claim's opening and its decision, for the claims decided in each month."""
    from kafo.benefits.models import Claim

    start = timezone.make_aware(dt.datetime.combine(month_bounds(run.periods[0])[0], dt.time()))
    end = _end_of(month_bounds(run.periods[-1])[1])
    days: dict = defaultdict(list)  # (org, month) -> [days]
    decided = Claim.unscoped.filter(decided_at__gte=start, decided_at__lt=end).values_list(
        "organisation_id", "opened_at", "decided_at"
    )
    for org, opened, decided_at in decided:
        decided_on = timezone.localtime(decided_at).date()
        delay = (decided_on - timezone.localtime(opened).date()).days
        days[(org, decided_on.strftime("%Y-%m"))].append(delay)
        days[(ZONE, decided_on.strftime("%Y-%m"))].append(delay)
    for p in run.periods:
        for org in [*run.countries, ZONE]:
            delays = days.get((org, p), [])
            n = len(delays)
            within = sum(1 for d in delays if d <= WITHIN_DAYS)
            run.put("liquidation_days_median", org, p, None, n, value=median(delays))
            run.put("liquidation_days_mean", org, p, sum(delays), n)
            run.put("liquidation_within_90", org, p, within, n)


def payments(run: _Run) -> None:
    """payment_failure_rate: failed lines ÷ lines of the frozen runs starting in the month."""
    from kafo.payroll.models import PayrollLine

    first = month_bounds(run.periods[0])[0]
    last = month_bounds(run.periods[-1])[1]
    rows = (
        PayrollLine.unscoped.filter(
            run__status="frozen", run__period_start__gte=first, run__period_start__lte=last
        )
        .annotate(month=TruncMonth("run__period_start"))
        .values_list("organisation_id", "month")
        .annotate(n=Count("pk"), failed=Count("pk", filter=Q(status="failed")))
    )
    found = {(org, m.strftime("%Y-%m")): (n, failed) for org, m, n, failed in rows}
    for org in run.countries:
        for p in run.periods:
            n, failed = found.get((org, p), (0, 0))
            run.put("payment_failure_rate", org, p, failed, n)


def life_certificates(run: _Run) -> None:
    """life_certificate_compliance on E: pensions with a certificate received in 365 days."""
    from kafo.payroll.models import BenefitInPayment, LifeCertificate

    for p in run.periods:
        end = month_bounds(p)[1]
        valid = LifeCertificate.unscoped.filter(
            benefit_id=OuterRef("pk"),
            received_on__gt=end - dt.timedelta(days=365),
            received_on__lte=end,
        )
        rows = (
            BenefitInPayment.unscoped.filter(kind__in=PENSION_KINDS, start_date__lte=end)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=end))
            .filter(~Q(status="stopped") | Q(status_since__gt=end))
            .annotate(valid=Exists(valid))
            .values_list("organisation_id")
            .annotate(n=Count("pk"), ok=Count("pk", filter=Q(valid=True)))
        )
        found = {org: (n, ok) for org, n, ok in rows}
        for org in run.countries:
            n, ok = found.get(org, (0, 0))
            run.put("life_certificate_compliance", org, p, ok, n)


def registry(run: _Run) -> None:
    """The registry's health: national id, phone, pending registrations, review queue."""
    from kafo.contributions.models import PendingRegistration
    from kafo.identity.models import ReviewItem
    from kafo.registry.models import Person

    aggregates = {}
    for i, p in enumerate(run.periods):
        registered = Q(registered_on__lte=month_bounds(p)[1])
        aggregates[f"n{i}"] = Count("pk", filter=registered)
        aggregates[f"nid{i}"] = Count("pk", filter=registered & ~Q(national_id=""))
        aggregates[f"phone{i}"] = Count("pk", filter=registered & ~Q(phone=""))
    found = {
        row["organisation_id"]: row
        for row in Person.unscoped.values("organisation_id").annotate(**aggregates)
    }
    for i, p in enumerate(run.periods):
        end = month_bounds(p)[1]
        persons = {
            org: (row[f"n{i}"], row[f"nid{i}"], row[f"phone{i}"]) for org, row in found.items()
        }
        pending = dict(
            PendingRegistration.unscoped.filter(status="open", created_at__lt=_end_of(end))
            .values_list("organisation_id")
            .annotate(n=Count("pk"))
        )
        review = dict(
            ReviewItem.unscoped.filter(status="pending", created_at__lt=_end_of(end))
            .values_list("organisation_id")
            .annotate(n=Count("pk"))
        )
        for org in run.countries:
            n, nid, phone = persons.get(org, (0, 0, 0))
            run.put("registry_national_id", org, p, nid, n)
            run.put("registry_phone", org, p, phone, n)
            n_pending = pending.get(org, 0) if (n or org in pending) else None
            n_review = review.get(org, 0) if (n or org in review) else None
            run.put("pending_registrations", org, p, n_pending, None, value=n_pending)
            run.put("review_queue", org, p, n_review, None, value=n_review)


def liaison(run: _Run) -> None:
    """liaison_overdue: messages received from another organisation, pending past their
    deadline on E (kafo.exchange.selectors.overdue_count); none received ever: no data."""
    from kafo.exchange.models import Direction, LiaisonMessage
    from kafo.exchange.selectors import overdue_count

    receiving = set(
        LiaisonMessage.unscoped.filter(direction=Direction.INCOMING)
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    for p in run.periods:
        end = month_bounds(p)[1]
        for org in run.countries:
            n = overdue_count(org, end) if org in receiving else None
            run.put("liaison_overdue", org, p, n, None, value=n)
