"""Staff pages of the life-certificate campaign: record a certificate, preview who would be
suspended, suspend (kafo/payroll/views_in_payment.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import life_certificates, permissions
from .models import CertificateSource
from .views_base import PAGE_SIZE, _benefit, _date, _flash, _need


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
