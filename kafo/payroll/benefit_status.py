"""Status changes of a benefit in payment (suspend, resume, stop) and the helpers shared by the
modules of benefits in payment (moved from services.py, which re-exports every name).
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kafo.audit import services as audit

from .models import (
    BenefitInPayment,
    BenefitKind,
    Reason,
    Status,
    StatusChange,
)
from .models.in_payment import STOP_REASONS, SUSPENSION_REASONS

PENSION_KINDS = (
    BenefitKind.PENSION,
    BenefitKind.ALLOWANCE,
    BenefitKind.SURVIVOR,
    BenefitKind.ORPHAN,
)
# Minor digits of the zone's currencies: all paid in whole units (XOF, XAF, GNF, KMF, MGA).
CURRENCY_DIGITS = {"XOF": 0, "XAF": 0, "GNF": 0, "KMF": 0, "MGA": 0}


def _now() -> dt.datetime:
    return timezone.now()


def _today() -> dt.date:
    return timezone.localdate()


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def round_currency(amount: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's paid unit (whole francs in the zone)."""
    digits = CURRENCY_DIGITS.get(currency, 0)
    return amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


# --- status -----------------------------------------------------------------------------------


def _lock(benefit: BenefitInPayment) -> BenefitInPayment:
    return BenefitInPayment.objects.select_for_update().get(pk=benefit.pk)


def _set_status(benefit, *, status, reason, on, user, note="", **fields) -> StatusChange:
    before = audit.snapshot(benefit)
    benefit.status = status
    benefit.status_reason = reason
    benefit.status_since = on
    for k, v in fields.items():
        setattr(benefit, k, v)
    benefit.save()
    change = StatusChange.objects.create(
        organisation_id=benefit.organisation_id,
        benefit=benefit,
        on=on,
        status=status,
        reason=reason,
        note=(note or "")[:300],
        by=user,
        recorded_at=_now(),
    )
    audit.record_updated(benefit, before, subject=benefit)
    audit.record_created(change, subject=benefit)
    return change


@transaction.atomic
def benefit_suspend(*, benefit, reason: str, user, on: dt.date | None = None, note: str = ""):
    """Suspend payment from `on` (the right runs on: the periods stay due, paid on resumption)."""
    benefit = _lock(benefit)
    if reason not in SUSPENSION_REASONS:
        raise ValidationError({"reason": _("Motif de suspension inconnu.")})
    if benefit.status != Status.IN_PAYMENT:
        raise ValidationError(
            {
                "status": _("Seule une prestation en paiement peut être suspendue (état : %(s)s).")
                % {"s": benefit.get_status_display()}
            }  # fmt: skip
        )
    _set_status(benefit, status=Status.SUSPENDED, reason=reason, on=on or _today(), user=user,
                note=note)  # fmt: skip
    return benefit


@transaction.atomic
def benefit_resume(
    *, benefit, user, on: dt.date | None = None, reason: str = Reason.RESUMED, note: str = ""
):
    """Resume payment from `on`; the next run pays the suspended periods as arrears."""
    benefit = _lock(benefit)
    if benefit.status != Status.SUSPENDED:
        raise ValidationError({"status": _("La prestation n'est pas suspendue.")})
    on = on or _today()
    if on < benefit.status_since:
        raise ValidationError(
            {
                "on": _("La reprise ne peut précéder la suspension (%(d)s).")
                % {"d": benefit.status_since.strftime("%d/%m/%Y")}
            }  # fmt: skip
        )
    _set_status(benefit, status=Status.IN_PAYMENT, reason=reason, on=on, user=user, note=note)
    return benefit


@transaction.atomic
def benefit_stop(*, benefit, reason: str, last_day: dt.date, user, note: str = ""):
    """Stop the right: `last_day` is the last day due (the run pays up to it, pro rata)."""
    benefit = _lock(benefit)
    if reason not in STOP_REASONS:
        raise ValidationError({"reason": _("Motif d'arrêt inconnu.")})
    if benefit.status == Status.STOPPED:
        raise ValidationError({"status": _("La prestation est déjà arrêtée.")})
    if last_day < benefit.start_date - dt.timedelta(days=1):
        raise ValidationError(
            {
                "last_day": _("Le dernier jour dû précède la date d'effet (%(d)s).")
                % {"d": benefit.start_date.strftime("%d/%m/%Y")}
            }  # fmt: skip
        )
    end = min(last_day, benefit.end_date) if benefit.end_date else last_day
    _set_status(
        benefit,
        status=Status.STOPPED,
        reason=reason,
        on=end + dt.timedelta(days=1),
        user=user,
        note=note,
        end_date=end,
    )
    return benefit
