"""Reads of benefit claims, always through the scoped managers (the current organisation)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from kafo.accounts.models import RoleCode, User
from kafo.organisations.tenancy import get_for_scope

from .claim_decisions import delegation_for, review_reasons, same_person
from .claims import current_liquidation
from .models import Beneficiary, Claim, ClaimStatus, Liquidation


def claims_for(
    *, status: str | None = None, person=None, kind: str | None = None
) -> QuerySet[Claim]:
    """The scope's claims, newest first, optionally of one status, person or kind."""
    qs = Claim.objects.select_related("person", "organisation", "opened_by", "decided_by")
    if status:
        qs = qs.filter(status=status)
    if person is not None:
        qs = qs.filter(person=person)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-opened_at", "-id")


def claim_detail(pk) -> Claim:
    """The claim `pk` of the scope (404 otherwise) with its checklist, proven periods and
    computations (each with its survivors) loaded."""
    qs = Claim.objects.select_related(
        "person__organisation",
        "organisation",
        "opened_by",
        "computed_by",
        "submitted_by",
        "decided_by",
        "payment_started_by",
        "approved_under",
    ).prefetch_related(
        "documents",
        "proven_periods",
        Prefetch(
            "liquidations",
            queryset=Liquidation.objects.select_related("rule_version__organisation")
            .prefetch_related(
                Prefetch(
                    "beneficiaries", queryset=Beneficiary.objects.order_by("relationship", "id")
                )
            )
            .order_by("-number"),
        ),
    )
    return get_for_scope(Claim, pk=pk, queryset=qs)


def approved_liquidation(claim: Claim) -> Liquidation | None:
    """The liquidation in force: the latest approved one (frozen), if any."""
    return claim.liquidations.filter(approved_at__isnull=False).order_by("-number").first()


def stale_reasons(claim: Claim) -> list[str]:
    """Why the approved computation may no longer match (live comparison; see also the stored
    flag `review_reason`)."""
    liquidation = approved_liquidation(claim)
    return review_reasons(claim, liquidation) if liquidation else []


@dataclass(frozen=True)
class Approver:
    user: User
    as_director: bool
    delegation_id: int | None
    ceiling: Decimal | None


def approvers_for(claim: Claim, *, on: dt.date | None = None) -> list[Approver]:
    """Who may approve the claim on `on`: the holders of a benefit-approval delegation covering
    its kind and amount, other than the officer who computed it and the person; when none
    (above every delegation), the director."""
    on = on or timezone.localdate()
    liquidation = current_liquidation(claim)
    if liquidation is None:
        return []
    amount = liquidation.amount or Decimal(0)
    excluded = {claim.computed_by_id, liquidation.computed_by_id}
    users = (
        User.objects.filter(
            organisation_id=claim.organisation_id,
            is_active=True,
            roles__code__in=(RoleCode.APPROVER, RoleCode.DIRECTOR),
        )
        .exclude(pk__in=[u for u in excluded if u])
        .distinct()
        .order_by("username")
    )
    delegated, directors = [], []
    for user in users:
        if same_person(user, claim.person):
            continue
        d = delegation_for(user, claim, amount, on)
        if d is not None:
            delegated.append(Approver(user, False, d.pk, d.amount_ceiling))
        elif user.has_role(RoleCode.DIRECTOR):
            directors.append(Approver(user, True, None, None))
    return delegated or directors


def processing_days(claim: Claim) -> dict[str, int | None]:
    """Days between the claim's steps (an indicator): opened→computed, →submitted, →decided,
    →in payment, and in all."""

    def days(a, b):
        return (b - a).days if a and b else None

    end = claim.payment_started_at or claim.decided_at
    return {
        "to_computed": days(claim.opened_at, claim.computed_at),
        "to_submitted": days(claim.computed_at, claim.submitted_at),
        "to_decided": days(claim.submitted_at, claim.decided_at),
        "to_payment": days(claim.decided_at, claim.payment_started_at),
        "total": days(claim.opened_at, end)
        if claim.status in (ClaimStatus.REJECTED, ClaimStatus.IN_PAYMENT, ClaimStatus.APPROVED)
        else None,
    }
