"""Staff pages of benefits in payment: the list (paged, filtered), one benefit (status history,
amount versions and their decision, channel, overpayments; suspend and resume), and the
life-certificate campaign (record a certificate, preview who would be suspended, suspend)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kafo.organisations.tenancy import get_for_scope

from . import life_certificates, permissions, services
from .models import BenefitInPayment, BenefitKind, CertificateSource, Channel, Reason, Status
from .models.in_payment import SUSPENSION_REASONS

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


@login_required
def benefit_list(request):
    """The organisation's benefits in payment, paged, filtered by status, kind and channel."""
    _need(permissions.can_read_payments(request.user))
    filters = {
        "status": request.GET.get("status", ""),
        "kind": request.GET.get("kind", ""),
        "channel": request.GET.get("channel", ""),
    }
    qs = BenefitInPayment.objects.all().order_by("payee_name", "pk")
    for field, choices in (("status", Status), ("kind", BenefitKind), ("channel", Channel)):
        if filters[field] in choices.values:
            qs = qs.filter(**{field: filters[field]})
        else:
            filters[field] = ""
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    return render(
        request,
        "payroll/benefit_list.html",
        {
            "page": page,
            "filters": filters,
            "query": query,
            "statuses": Status.choices,
            "kinds": BenefitKind.choices,
            "channels": Channel.choices,
        },
    )


def _benefit(pk) -> BenefitInPayment:
    return get_for_scope(
        BenefitInPayment,
        pk=pk,
        queryset=BenefitInPayment.objects.select_related("claim", "person"),
    )


@login_required
def benefit_detail(request, pk):
    _need(permissions.can_read_payments(request.user))
    benefit = _benefit(pk)
    return render(
        request,
        "payroll/benefit_detail.html",
        {
            "benefit": benefit,
            "history": benefit.status_changes.select_related("by").order_by("recorded_at", "id"),
            "versions": benefit.amount_versions.select_related("decision").order_by(
                "effective_from"
            ),
            "overpayments": benefit.overpayments.order_by("created_at"),
            "channel_changes": benefit.channel_changes.select_related("by").order_by("changed_at"),
            "certificates": benefit.life_certificates.select_related("campaign"),
            "can_prepare": permissions.can_prepare_payments(request.user),
            "suspension_reasons": [(r.value, r.label) for r in SUSPENSION_REASONS],
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def benefit_status(request, pk):
    """Suspend (with a reason) or resume a benefit from a date."""
    _need(permissions.can_prepare_payments(request.user))
    benefit = _benefit(pk)
    on = _date(request.POST.get("on")) or timezone.localdate()
    note = request.POST.get("note", "")
    try:
        if request.POST.get("action") == "resume":
            services.benefit_resume(benefit=benefit, user=request.user, on=on, note=note)
            messages.success(request, _("Paiement repris."))
        else:
            reason = request.POST.get("reason", "")
            services.benefit_suspend(
                benefit=benefit, reason=reason, user=request.user, on=on, note=note
            )
            messages.success(request, _("Paiement suspendu."))
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("payroll-benefit-detail", pk=benefit.pk)


def _campaign_year(request) -> int:
    try:
        return int(request.GET.get("year") or request.POST.get("year") or 0)
    except ValueError:
        return 0


@login_required
def campaign(request):
    """The life-certificate campaign of a year: dates, certificates, who would be suspended."""
    _need(permissions.can_read_payments(request.user))
    org = request.user.organisation
    if org is None:
        raise PermissionDenied
    year = _campaign_year(request)
    if year:
        current = life_certificates.campaign_get(organisation=org, year=year)
    else:
        current = life_certificates.campaign_current(organisation=org)
    missing = life_certificates.without_certificate(current)
    page = Paginator(missing, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "payroll/campaign.html",
        {
            "campaign": current,
            "page": page,
            "certificates_count": current.certificates.count(),
            "concerned_count": life_certificates.concerned(current).count(),
            "can_prepare": permissions.can_prepare_payments(request.user),
            "grace_over": timezone.localdate() > current.grace_end,
            "sources": CertificateSource.choices,
        },
    )


@login_required
@require_POST
def campaign_suspend(request):
    _need(permissions.can_prepare_payments(request.user))
    org = request.user.organisation
    current = life_certificates.campaign_get(organisation=org, year=_campaign_year(request) or 1)
    try:
        n = life_certificates.campaign_suspend_missing(campaign=current, user=request.user)
        messages.success(request, _("%(n)d prestation(s) suspendue(s).") % {"n": n})
    except ValidationError as exc:
        _flash(request, exc)
    return redirect(f"{_campaign_url()}?year={current.year}")


def _campaign_url() -> str:
    from django.urls import reverse

    return reverse("payroll-life-campaign")


@login_required
@require_POST
def certificate_record(request, pk):
    """Record a life certificate for one benefit (from its page or the campaign's list)."""
    _need(permissions.can_prepare_payments(request.user))
    benefit = _benefit(pk)
    issued = _date(request.POST.get("issued_on"))
    received = _date(request.POST.get("received_on")) or timezone.localdate()
    if issued is None:
        messages.error(request, _("Date d'établissement du certificat : date invalide."))
    else:
        try:
            life_certificates.certificate_record(
                benefit=benefit,
                issued_on=issued,
                received_on=received,
                source=request.POST.get("source", ""),
                issuer=request.POST.get("issuer", ""),
                reference=request.POST.get("reference", ""),
                user=request.user,
            )
            messages.success(request, _("Certificat de vie enregistré."))
        except ValidationError as exc:
            _flash(request, exc)
    back = request.POST.get("back")
    if back == "campaign":
        return redirect(_campaign_url())
    return redirect("payroll-benefit-detail", pk=benefit.pk)


__all__ = ["Reason"]
