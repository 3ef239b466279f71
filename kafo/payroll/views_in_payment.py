"""Staff pages of benefits in payment: putting an approved claim in payment (the channel of each
payee), the list (paged, filtered), one benefit (status history, amount versions and their
decision, channel, overpayments; suspend, resume, stop, change the channel, record the payee's
death, extend an orphan's right on a document, say from which benefit an overpayment is
recovered), revaluations from board decisions (prepared by a payment officer, applied by an
approver or the director: four eyes), and the life-certificate campaign (record a certificate,
preview who would be suspended, suspend).

By job: here the list and one benefit's actions; views_claim_payment, views_revaluations,
views_life_certificates (re-exported here), views_base (what they share).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kafo.organisations.tenancy import get_for_scope

from . import permissions, services
from .models import BenefitInPayment, BenefitKind, Channel, Overpayment, Reason, Status
from .models.in_payment import STOP_REASONS, SUSPENSION_REASONS
from .views_base import PAGE_SIZE, _back, _benefit, _date, _flash, _need
from .views_claim_payment import CHANNEL_INPUTS, claim_payment
from .views_life_certificates import campaign, campaign_suspend, certificate_record
from .views_revaluations import revaluation_apply, revaluation_list, revaluation_prepare

__all__ = [
    "CHANNEL_INPUTS",
    "Reason",
    "benefit_channel",
    "benefit_death",
    "benefit_detail",
    "benefit_extend",
    "benefit_list",
    "benefit_status",
    "benefit_stop",
    "campaign",
    "campaign_suspend",
    "certificate_record",
    "claim_payment",
    "overpayment_recover_from",
    "revaluation_apply",
    "revaluation_list",
    "revaluation_prepare",
]


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
            "channel_changes": [
                {**vars(c), "by": c.by, "before_label": _channel_label(c.before)}
                for c in benefit.channel_changes.select_related("by").order_by("changed_at")
            ],
            "certificates": benefit.life_certificates.select_related("campaign"),
            "recoveries_owed": benefit.recoveries_owed.select_related("benefit"),
            "documents": (
                benefit.dependant.allowance_documents.all()
                if benefit.kind == BenefitKind.ORPHAN and benefit.dependant_id
                else []
            ),
            "can_prepare": permissions.can_prepare_payments(request.user),
            "suspension_reasons": [(r.value, r.label) for r in SUSPENSION_REASONS],
            "stop_reasons": [(r.value, r.label) for r in STOP_REASONS if r != Reason.DEATH],
            "channels": Channel.choices,
            "operators": services.operators_of_country(benefit.organisation.country_id),
            "today": timezone.localdate(),
        },
    )


def _channel_label(details: dict) -> str:
    """A channel's details as read on a page: "virement bancaire · SN08…", "mobile money ·
    +221…"."""
    channel = details.get("channel", "")
    label = Channel(channel).label if channel in Channel.values else "—"
    detail = details.get("iban") or details.get("msisdn") or details.get("paying_agency") or ""
    return f"{label} · {detail}" if detail else str(label)


@login_required
@require_POST
def benefit_stop(request, pk):
    """Stop the right (remarriage, age limit, end of right) with its last day due."""
    _need(permissions.can_prepare_payments(request.user))
    benefit = _benefit(pk)
    last_day = _date(request.POST.get("last_day"))
    if last_day is None:
        messages.error(request, _("Dernier jour dû : date invalide (jj/mm/aaaa)."))
        return _back(benefit)
    reason = request.POST.get("reason", "")
    if reason == Reason.DEATH:  # a death goes through its own action (overpayment, survivors)
        reason = ""
    try:
        services.benefit_stop(benefit=benefit, reason=reason, last_day=last_day,
                              user=request.user, note=request.POST.get("note", ""))  # fmt: skip
        messages.success(
            request,
            _("Prestation arrêtée : dernier jour dû le %(d)s.")
            % {"d": last_day.strftime("%d/%m/%Y")},
        )
    except ValidationError as exc:
        _flash(request, exc)
    return _back(benefit)


@login_required
@require_POST
def benefit_channel(request, pk):
    """Change the payment channel or its details (checked: RIB keys, E.164 number)."""
    _need(permissions.can_prepare_payments(request.user))
    benefit = _benefit(pk)
    try:
        services.benefit_change_channel(benefit=benefit, data=request.POST, user=request.user,
                                        note=request.POST.get("note", ""))  # fmt: skip
        messages.success(request, _("Mode de paiement enregistré."))
    except ValidationError as exc:
        _flash(request, exc)
    return _back(benefit)


@login_required
@require_POST
def benefit_death(request, pk):
    """Record the payee's death: every benefit of the person stops at the end of the month of
    death, what was paid after it becomes an overpayment, the survivors' claim is opened."""
    _need(permissions.can_prepare_payments(request.user))
    benefit = _benefit(pk)
    death_date = _date(request.POST.get("death_date"))
    if death_date is None:
        messages.error(request, _("Date du décès : date invalide (jj/mm/aaaa)."))
        return _back(benefit)
    try:
        record = services.death_record(
            organisation=benefit.organisation,
            death_date=death_date,
            source=request.POST.get("source", ""),
            user=request.user,
            person=benefit.person,
            benefit=None if benefit.person_id else benefit,
        )
        messages.success(request, _("Décès enregistré : paiement arrêté à la fin du mois."))
        if record.survivors_claim_id:
            messages.info(request, _("Demande de pension de survivants ouverte : %(ref)s.")
                          % {"ref": record.survivors_claim.reference})  # fmt: skip
    except ValidationError as exc:
        _flash(request, exc)
    return _back(benefit)


@login_required
@require_POST
def benefit_extend(request, pk):
    """Extend an orphan's pension on the child's recorded documents."""
    _need(permissions.can_prepare_payments(request.user))
    benefit = _benefit(pk)
    try:
        services.orphan_extend(benefit=benefit, user=request.user)
        benefit.refresh_from_db()
        messages.success(
            request,
            _("Pension prolongée : dernier jour dû le %(d)s.")
            % {"d": benefit.end_date.strftime("%d/%m/%Y")},
        )
    except ValidationError as exc:
        _flash(request, exc)
    return _back(benefit)


@login_required
@require_POST
def overpayment_recover_from(request, pk):
    """Say from which benefit (its reference PP-…) an overpayment is recovered."""
    _need(permissions.can_prepare_payments(request.user))
    over = get_for_scope(Overpayment, pk=pk)
    text = (request.POST.get("recover_from") or "").strip().upper()
    target = None
    if text:
        digits = text.removeprefix("PP-")
        target = (
            BenefitInPayment.objects.filter(pk=int(digits)).first() if digits.isdigit() else None
        )
        if target is None:
            messages.error(
                request, _("Prestation %(ref)s introuvable dans l'organisme.") % {"ref": text}
            )
            return redirect("payroll-benefit-detail", pk=over.benefit_id)
    try:
        services.overpayment_recover_from(overpayment=over, benefit=target, user=request.user)
        messages.success(request, _("Récupération du trop-perçu enregistrée."))
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("payroll-benefit-detail", pk=over.benefit_id)


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
