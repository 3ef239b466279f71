"""What the staff pages of benefits in payment share: the permission check, a ValidationError
shown as messages, a typed date, the benefit looked up in scope and the way back to it."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect

from kafo.organisations.tenancy import get_for_scope

from .models import BenefitInPayment

PAGE_SIZE = 25


def _need(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _flash(request, exc: ValidationError) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    for msgs in errors.values():
        for m in msgs:
            messages.error(request, m)


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.datetime.strptime((text or "").strip(), "%Y-%m-%d").date()
    except ValueError:
        try:
            return dt.datetime.strptime((text or "").strip(), "%d/%m/%Y").date()
        except ValueError:
            return None


def _benefit(pk) -> BenefitInPayment:
    return get_for_scope(
        BenefitInPayment,
        pk=pk,
        queryset=BenefitInPayment.objects.select_related("claim", "person"),
    )


def _back(benefit):
    return redirect("payroll-benefit-detail", pk=benefit.pk)
