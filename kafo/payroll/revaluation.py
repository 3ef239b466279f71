"""Revaluation of benefits in payment by a board decision (moved from services.py, which
re-exports every name).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from kafo.audit import services as audit

from .benefit_status import PENSION_KINDS, _now, round_currency
from .models import (
    AmountVersion,
    BenefitInPayment,
    BenefitKind,
    Revaluation,
)

# --- revaluation ------------------------------------------------------------------------------


@transaction.atomic
def revaluation_create(
    *, decision, percent: Decimal, effective_from: dt.date, user, kinds: list | None = None
) -> Revaluation:
    """Record what a board decision decided: +`percent` % from `effective_from`."""
    from kafo.governance.models import BodyKind

    errors = {}
    percent = Decimal(str(percent))
    if percent <= 0 or percent > 100:
        errors["percent"] = _("Le taux doit être compris entre 0 et 100 %.")
    kinds = list(kinds or [])
    if any(k not in BenefitKind.values for k in kinds):
        errors["kinds"] = _("Prestation inconnue dans la liste.")
    if decision.session.body.kind != BodyKind.BOARD:
        errors["decision"] = _("Une revalorisation est une décision du conseil d'administration.")
    if Revaluation.objects.filter(decision=decision).exists():
        errors["decision"] = _("Cette décision a déjà sa revalorisation.")
    if errors:
        raise ValidationError(errors)
    rev = Revaluation.objects.create(
        organisation_id=decision.organisation_id,
        decision=decision,
        percent=percent,
        effective_from=effective_from,
        kinds=kinds,
        prepared_by=user,
        prepared_at=_now(),
    )
    audit.record_created(rev, subject=decision)
    return rev


def _revalued(rev: Revaluation):
    """The benefits a revaluation raises: of its kinds, started on or before its date, not
    ended before it, without a version on that date yet (set-based)."""
    return (
        BenefitInPayment.objects.filter(
            organisation_id=rev.organisation_id,
            kind__in=rev.kinds or list(PENSION_KINDS),
            start_date__lte=rev.effective_from,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=rev.effective_from))
        .exclude(amount_versions__effective_from=rev.effective_from)
    )


def revaluation_preview(revaluation: Revaluation) -> dict:
    """What applying the revaluation would do: how many benefits, their monthly total before
    and after (rounded per benefit as the application rounds), in two aggregate reads."""
    from kafo.organisations.models import Organisation

    currency = Organisation.objects.select_related("country").get(
        pk=revaluation.organisation_id
    ).country.currency  # fmt: skip
    factor = 1 + revaluation.percent / 100
    in_force = (
        AmountVersion.objects.filter(
            benefit=OuterRef("pk"), effective_from__lte=revaluation.effective_from
        )
        .order_by("-effective_from")
        .values("monthly_amount")[:1]
    )
    amounts = [
        Decimal(a)
        for a in _revalued(revaluation)
        .annotate(amount=Subquery(in_force))
        .filter(amount__isnull=False)
        .values_list("amount", flat=True)
    ]
    before = sum(amounts, Decimal(0))
    after = sum((round_currency(a * factor, currency) for a in amounts), Decimal(0))
    return {"count": len(amounts), "before": before, "after": after, "increase": after - before}


@transaction.atomic
def revaluation_apply(*, revaluation: Revaluation, user, batch: int = 5000) -> int:
    """Add, set-based, the revalued amount version of every benefit in payment on the
    revaluation's date (not stopped before it, started on or before it), rounded half up to
    whole francs. Never edits a version; idempotent (a benefit already holding a version on
    that date keeps it, so applying again reaches only benefits put in payment since). Four
    eyes: the agent who prepared it may not apply it. Return the number of versions added."""
    from kafo.organisations.models import Organisation

    rev = Revaluation.objects.select_for_update().get(pk=revaluation.pk)
    if user is not None and rev.prepared_by_id == user.pk:
        raise ValidationError(
            {
                "user": _(
                    "Quatre yeux : l'agent qui a préparé la revalorisation ne peut pas l'appliquer."
                )
            }
        )
    currency = Organisation.objects.select_related("country").get(pk=rev.organisation_id)
    currency = currency.country.currency
    on = rev.effective_from
    factor = 1 + rev.percent / 100
    in_force = (
        AmountVersion.objects.filter(benefit=OuterRef("pk"), effective_from__lte=on)
        .order_by("-effective_from")
        .values("monthly_amount")[:1]
    )
    rows = (
        _revalued(rev)
        .annotate(amount=Subquery(in_force))
        .filter(amount__isnull=False)
        .values_list("pk", "amount")
        .order_by("pk")
    )
    now = _now()
    added = 0
    pending: list[AmountVersion] = []
    for pk, amount in rows.iterator(chunk_size=batch):
        pending.append(
            AmountVersion(
                organisation_id=rev.organisation_id,
                benefit_id=pk,
                effective_from=on,
                monthly_amount=round_currency(Decimal(amount) * factor, currency),
                reason=AmountVersion.Cause.REVALUATION,
                decision_id=rev.decision_id,
                revaluation=rev,
                created_by=user,
                created_at=now,
            )
        )
        if len(pending) >= batch:
            AmountVersion.objects.bulk_create(pending)
            added += len(pending)
            pending = []
    if pending:
        AmountVersion.objects.bulk_create(pending)
        added += len(pending)
    before = audit.snapshot(rev)
    rev.applied_by = user
    rev.applied_at = now
    rev.applied_count += added
    rev.save()
    audit.record_updated(rev, before, subject=rev.decision)
    return added
