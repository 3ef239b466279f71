"""Staff pages of benefits in payment: putting an approved claim in payment (the channel of each
payee), the list (paged, filtered), one benefit (status history, amount versions and their
decision, channel, overpayments; suspend, resume, stop, change the channel, record the payee's
death, extend an orphan's right on a document, say from which benefit an overpayment is
recovered), revaluations from board decisions (prepared by a payment officer, applied by an
approver or the director: four eyes), and the life-certificate campaign (record a certificate,
preview who would be suspended, suspend)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kafo.organisations.tenancy import get_for_scope

from . import life_certificates, permissions, services
from .models import (
    BenefitInPayment,
    BenefitKind,
    CertificateSource,
    Channel,
    Overpayment,
    Reason,
    Revaluation,
    Status,
)
from .models.in_payment import STOP_REASONS, SUSPENSION_REASONS

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


def _back(benefit):
    return redirect("payroll-benefit-detail", pk=benefit.pk)


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


# --- putting an approved claim in payment -------------------------------------------------------


CHANNEL_INPUTS = ("channel", "rib", "account_holder", "bic", "msisdn", "operator",
                  "paying_agency", "guardian_name")  # fmt: skip


def _payees(claim) -> list[dict]:
    """Who the claim pays: the pensioner, or each qualifying survivor of the approved
    liquidation (key: the form prefix and the `channels` key of the service)."""
    from kafo.benefits.models import ClaimKind, Liquidation

    liquidation = (
        Liquidation.objects.filter(claim=claim, approved_at__isnull=False)
        .order_by("-number")
        .first()
    )
    if liquidation is None or liquidation.monthly_amount is None:
        return []
    if claim.kind != ClaimKind.SURVIVORS:
        person = claim.person
        return [
            {
                "key": "pensioner",
                "name": f"{person.family_name.upper()} {person.given_names}",
                "amount": liquidation.monthly_amount,
                "orphan": False,
            }
        ]
    return [
        {
            "key": str(b.pk),
            "name": b.name,
            "amount": b.monthly_amount,
            "orphan": b.relationship != "spouse",
            "relationship": str(
                BenefitKind.SURVIVOR.label
                if b.relationship == "spouse"
                else BenefitKind.ORPHAN.label
            ),
        }
        for b in liquidation.beneficiaries.filter(qualifies=True, monthly_amount__gt=0).order_by(
            "relationship", "id"
        )
    ]


@login_required
def claim_payment(request, pk):
    """The channel of each payee of an approved claim, checked (RIB keys → IBAN shown, E.164
    number, paying agency), then the claim and its benefits put in payment in one transaction."""
    from kafo.benefits.models import Claim, ClaimStatus
    from kafo.benefits.permissions import can_start_payment

    _need(can_start_payment(request.user))
    claim = get_for_scope(Claim, pk=pk, queryset=Claim.objects.select_related("person"))
    payees = _payees(claim)
    errors: dict[str, dict[str, list[str]]] = {}
    checked: dict[str, dict] = {}
    values: dict[str, dict] = {p["key"]: {"channel": ""} for p in payees}
    if request.method == "POST" and claim.status == ClaimStatus.APPROVED:
        for p in payees:
            data = {f: request.POST.get(f"{p['key']}-{f}", "").strip() for f in CHANNEL_INPUTS}
            values[p["key"]] = data
            try:
                checked[p["key"]] = services.channel_details(
                    organisation=claim.organisation, data=data
                )
            except ValidationError as exc:
                errors[p["key"]] = exc.message_dict
        if not errors and request.POST.get("action") == "confirm":
            try:
                created = services.claim_put_in_payment(claim=claim, user=request.user,
                                                        channels=values)  # fmt: skip
            except ValidationError as exc:
                _flash(request, exc)
            else:
                messages.success(
                    request,
                    _("Demande mise en paiement : %(n)d prestation(s) en paiement.")
                    % {"n": len(created)},
                )
                if len(created) == 1:
                    return redirect("payroll-benefit-detail", pk=created[0].pk)
                return redirect(f"{reverse('payroll-benefit-list')}")
    operators = services.operators_of_country(claim.organisation.country_id)
    for p in payees:
        p["values"] = values[p["key"]]
        p["errors"] = errors.get(p["key"], {})
        p["checked"] = checked.get(p["key"])
        if p["checked"]:
            p["checked_channel"] = Channel(p["checked"]["channel"]).label
            p["checked_operator"] = operators.get(p["checked"]["operator"], "")
    return render(
        request,
        "payroll/claim_payment.html",
        {
            "claim": claim,
            "payees": payees,
            "approved": claim.status == ClaimStatus.APPROVED,
            "channels": Channel.choices,
            "operators": operators,
            "all_checked": bool(payees) and len(checked) == len(payees),
        },
        status=400 if errors else 200,
    )


# --- revaluations from board decisions ----------------------------------------------------------


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
