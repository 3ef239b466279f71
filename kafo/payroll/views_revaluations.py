"""Staff pages of revaluations from board decisions: prepared by a payment officer, applied by
an approver or the director (four eyes) (kafo/payroll/views_in_payment.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kafo.organisations.tenancy import get_for_scope

from . import permissions, services
from .models import BenefitKind, Revaluation
from .views_base import PAGE_SIZE, _date, _flash, _need


@login_required
def revaluation_list(request):
    """Board decisions a revaluation can be recorded from, and the revaluations with what
    applying them would do."""
    from kafo.governance.models import BodyKind, Decision
    from kafo.governance.models import Status as DecisionStatus

    _need(permissions.can_read_payments(request.user))
    decisions = (
        Decision.objects.filter(session__body__kind=BodyKind.BOARD, revaluation__isnull=True)
        .exclude(status=DecisionStatus.DROPPED)
        .select_related("session__body")
        .order_by("-session__date", "-number")
    )
    page = Paginator(decisions, PAGE_SIZE).get_page(request.GET.get("page"))
    revaluations = list(
        Revaluation.objects.select_related("decision__session", "prepared_by", "applied_by")[:50]
    )
    for rev in revaluations:
        rev.preview = services.revaluation_preview(rev)
        rev.kind_labels = [BenefitKind(k).label for k in rev.kinds if k in BenefitKind.values]
        rev.percent_text = number_format(rev.percent.normalize())  # "2,5" (en: "2.5")
    return render(
        request,
        "payroll/revaluations.html",
        {
            "page": page,
            "revaluations": revaluations,
            "kinds": [(k.value, k.label) for k in services.PENSION_KINDS],
            "can_prepare": permissions.can_prepare_payments(request.user),
            "can_apply": permissions.can_approve_payments(request.user),
        },
    )


@login_required
@require_POST
def revaluation_prepare(request, pk):
    """Record what a board decision decided: +percent % from a date (a payment officer)."""
    from decimal import Decimal, InvalidOperation

    from kafo.governance.models import Decision

    _need(permissions.can_prepare_payments(request.user))
    decision = get_for_scope(Decision, pk=pk, queryset=Decision.objects.select_related(
        "session__body"))  # fmt: skip
    text = (request.POST.get("percent") or "").strip().replace(",", ".")
    try:
        percent = Decimal(text)
    except InvalidOperation:
        percent = None
    effective_from = _date(request.POST.get("effective_from"))
    if percent is None or not percent.is_finite():
        messages.error(request, _("Taux de revalorisation : nombre attendu (ex. 3,5)."))
    elif effective_from is None:
        messages.error(request, _("Date d'effet de la revalorisation : date invalide."))
    else:
        try:
            services.revaluation_create(
                decision=decision,
                percent=percent,
                effective_from=effective_from,
                kinds=request.POST.getlist("kinds"),
                user=request.user,
            )
            messages.success(
                request, _("Revalorisation préparée : à appliquer par un approbateur.")
            )
        except ValidationError as exc:
            _flash(request, exc)
    return redirect("payroll-revaluation-list")


@login_required
@require_POST
def revaluation_apply(request, pk):
    """Apply a prepared revaluation (an approver or the director, not its preparer)."""
    _need(permissions.can_approve_payments(request.user))
    rev = get_for_scope(Revaluation, pk=pk)
    try:
        n = services.revaluation_apply(revaluation=rev, user=request.user)
        messages.success(request, _("Revalorisation appliquée à %(n)d prestation(s).") % {"n": n})
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("payroll-revaluation-list")
