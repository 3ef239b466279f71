"""Pages of the benefits app: thin, they parse, call one reader or service, and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kafo.accounts.models import RoleCode
from kafo.organisations.tenancy import get_for_scope
from kafo.registry.models import Person, Relationship

from . import claim_decisions, claims, claims_selectors, documents, permissions
from .domain.rules import RuleError
from .forms import (
    ClaimOpenForm,
    ProvenPeriodForm,
    RejectForm,
    SimulationForm,
    add_service_errors,
)
from .models import BenefitKind, ClaimKind, ClaimStatus
from .retirement import categories_of, person_retirement
from .selectors import rule_in_force
from .trace_view import readable_trace

BENEFIT_LABELS = {
    "pension": gettext_lazy("pension de vieillesse"),
    "early_pension": gettext_lazy("pension de vieillesse anticipée"),
    "old_age_allowance": gettext_lazy("allocation de vieillesse"),
    "lump_sum": gettext_lazy("versement unique"),
    "survivors": gettext_lazy("pension de survivants"),
    "none": gettext_lazy("aucune prestation"),
}
SIMULATION_ROLES = (
    RoleCode.REGISTRATION_AGENT,
    RoleCode.BENEFITS_OFFICER,
    RoleCode.APPROVER,
    RoleCode.CONTRIBUTIONS_MANAGER,
    RoleCode.DIRECTOR,
)


def can_simulate(user) -> bool:
    """Agents who read careers may simulate a person's pension (not an employer's portal)."""
    return user.is_authenticated and (user.is_zone_admin or user.has_role(*SIMULATION_ROLES))


def _lang() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def _retirement(request, pk):
    if not can_simulate(request.user):
        raise PermissionDenied
    person = get_for_scope(
        Person, pk=pk, queryset=Person.objects.select_related("organisation__country")
    )
    return retirement_of(request, person)


def retirement_of(request, person):
    """The simulation form and its answer for `person` (the staff tab and the insured's own
    page, kafo/insured, both call this): today's date and the recorded children by default."""
    today = timezone.localdate()
    children = person.dependants.filter(relationship=Relationship.CHILD).count()
    data = request.GET if "on" in request.GET else None
    version = rule_in_force(organisation=person.organisation_id, kind=BenefitKind.OLD_AGE, on=today)
    form = SimulationForm(
        data, initial={"on": today, "children": children}, categories=categories_of(version)
    )
    if data is None:
        retirement = person_retirement(person=person, on=today, children=children)
    elif form.is_valid():
        retirement = person_retirement(
            person=person,
            on=form.cleaned_data["on"],
            children=form.cleaned_data["children"],
            category=form.cleaned_data["category"] or None,
        )
    else:
        retirement = None
    return person, form, retirement


def person_retirement_page(request, pk):
    """A person's pension simulation: what is due on a date, the next dates, the trace."""
    person, form, retirement = _retirement(request, pk)
    context = {
        "person": person,
        "form": form,
        "retirement": retirement,
        "labels": BENEFIT_LABELS,
        "can_open": permissions.can_handle_claims(request.user),
    }
    if permissions.can_read_claims(request.user):
        context["claims"] = claims_selectors.claims_for(person=person)[:20]
    if retirement and retirement.result:
        context["trace"] = readable_trace(retirement.result.trace.as_list(), lang=_lang())
    return render(request, "benefits/person_retirement.html", context)


def person_retirement_pdf(request, pk):
    """The same simulation as a PDF the person can take home."""
    person, form, retirement = _retirement(request, pk)
    return retirement_pdf_response(person, retirement)


def retirement_pdf_response(person, retirement):
    """The simulation as a PDF (400 if the form was wrong or nothing could be computed)."""
    if retirement is None or retirement.result is None:
        return HttpResponse(
            _("Simulation impossible : corrigez la date ou les données indiquées."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    result = retirement.result
    pdf = documents.simulation_pdf(
        person=person,
        on=retirement.on,
        benefit=str(BENEFIT_LABELS.get(result.benefit, result.benefit)),
        result=result,
        later=[
            (d.date, str(BENEFIT_LABELS.get(d.as_is.benefit, "")), d.as_is, d.if_still_working)
            for d in retirement.later
        ],
        trace=readable_trace(result.trace.as_list(), lang=_lang()),
        lang=_lang(),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="simulation-retraite-{person.number}-{retirement.on:%Y%m%d}.pdf"'
    )
    return response


person_retirement_page = login_required(person_retirement_page)
person_retirement_pdf = login_required(person_retirement_pdf)


# --- claims -----------------------------------------------------------------------------------

PAGE_SIZE = 25


def _need(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _service_errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            field: [str(m) for e in errs for m in e.messages]
            for field, errs in exc.error_dict.items()
        }
    return {"__all__": [str(m) for m in exc.messages]}


def _flash(request, exc: ValidationError) -> None:
    for messages_ in _service_errors(exc).values():
        for m in messages_:
            messages.error(request, m)


@login_required
def claim_list(request):
    """The organisation's claims, newest first, paged, filtered by status."""
    _need(permissions.can_read_claims(request.user))
    status = request.GET.get("status", "")
    if status not in ClaimStatus.values:
        status = ""
    page = Paginator(claims_selectors.claims_for(status=status or None), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "benefits/claim_list.html",
        {
            "page": page,
            "status": status,
            "statuses": ClaimStatus.choices,
            "can_decide": permissions.can_decide_claims(request.user),
        },
    )


@login_required
def approval_queue(request):
    """The submitted claims this user may approve today (delegation covering the kind and
    amount, not computed by them, not their own; the director for what no delegation covers)."""
    _need(permissions.can_decide_claims(request.user))
    today = timezone.localdate()
    mine = [
        claim
        for claim in claims_selectors.claims_for(status=ClaimStatus.SUBMITTED).prefetch_related(
            "liquidations"
        )
        if not claim_decisions.approval_refusal(claim, request.user, on=today)
    ]
    page = Paginator(mine, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "benefits/approval_queue.html", {"page": page})


@login_required
def claim_open(request, pk):
    """Open a claim for the person `pk` (for survivors: the deceased)."""
    _need(permissions.can_handle_claims(request.user))
    person = get_for_scope(Person, pk=pk, queryset=Person.objects.select_related("organisation"))
    form = ClaimOpenForm(
        request.POST or None,
        initial={"claim_date": timezone.localdate(), "kind": ClaimKind.PENSION},
        kinds=ClaimKind.choices,
    )
    if request.method == "POST" and form.is_valid():
        try:
            claim = claims.claim_open(person=person, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, _service_errors(exc))
        else:
            messages.success(request, _("Demande %s ouverte.") % claim.reference)
            return redirect("benefits-claim-detail", pk=claim.pk)
    return render(
        request,
        "benefits/claim_open.html",
        {"person": person, "form": form},
        status=400 if form.errors else 200,
    )


def _claim_context(request, claim, **forms_) -> dict:
    user = request.user
    liquidation = claims.current_liquidation(claim)
    approved = claims_selectors.approved_liquidation(claim)
    today = timezone.localdate()
    context = {
        "claim": claim,
        "liquidation": liquidation,
        "approved": approved,
        "documents": list(claim.documents.all()),
        "proven": list(claim.proven_periods.all()),
        "labels": BENEFIT_LABELS,
        "can_handle": permissions.can_handle_claims(user),
        "can_decide": permissions.can_decide_claims(user),
        "can_pay": permissions.can_start_payment(user),
        "days": claims_selectors.processing_days(claim),
        "proven_form": forms_.get("proven_form") or ProvenPeriodForm(),
        "reject_form": forms_.get("reject_form") or RejectForm(),
    }
    if liquidation is not None:
        context["trace"] = readable_trace(liquidation.trace, lang=_lang())
        context["months"] = liquidation.inputs.get("months", [])
        context["elsewhere"] = liquidation.inputs.get("elsewhere", [])
        context["claimant"] = liquidation.inputs.get("claimant", {})
    if claim.status == ClaimStatus.SUBMITTED:
        context["approvers"] = claims_selectors.approvers_for(claim, on=today)
        if context["can_decide"]:
            context["refusal"] = claim_decisions.approval_refusal(claim, user, on=today)
    return context


@login_required
def claim_detail(request, pk):
    _need(permissions.can_read_claims(request.user))
    claim = claims_selectors.claim_detail(pk)
    return render(request, "benefits/claim_detail.html", _claim_context(request, claim))


def _claim_action(capability, name):
    """A POST on a claim calling one service; its refusal is shown on the claim's page."""

    def decorator(action):
        @login_required
        @require_POST
        def view(request, pk):
            _need(capability(request.user))
            claim = claims_selectors.claim_detail(pk)
            try:
                done = action(request, claim)
            except ValidationError as exc:
                _flash(request, exc)
            except RuleError as exc:  # the rule in force does not cover this career
                messages.error(
                    request,
                    _("Calcul impossible avec la règle en vigueur : %(reasons)s")
                    % {"reasons": "; ".join(f"{k} : {v}" for k, v in exc.errors.items())},
                )
            else:
                if done:
                    messages.success(request, done)
            return redirect("benefits-claim-detail", pk=claim.pk)

        view.__name__ = name
        return view

    return decorator


@_claim_action(permissions.can_handle_claims, "claim_documents")
def claim_documents(request, claim):
    """Tick the received documents (with their reference) in one form."""
    received = set(request.POST.getlist("received"))
    changed = 0
    errors: dict[str, list[str]] = {}
    for doc in claim.documents.all():
        want = doc.code in received
        reference = request.POST.get(f"reference_{doc.code}", "").strip() if want else ""
        if want == doc.received and reference == doc.reference:
            continue
        try:
            claims.claim_document_set(
                claim=claim, code=doc.code, received=want, user=request.user, reference=reference
            )
            changed += 1
        except ValidationError as exc:
            for m in [m for ms in _service_errors(exc).values() for m in ms]:
                errors.setdefault(doc.label, []).append(m)
    if errors:
        raise ValidationError([f"{label} : {m}" for label, ms in errors.items() for m in ms])
    return _("Pièces enregistrées (%d modifiée(s)).") % changed


@_claim_action(permissions.can_handle_claims, "claim_compute")
def claim_compute(request, claim):
    liquidation = claims.claim_compute(claim=claim, user=request.user)
    return _("Calcul n° %d enregistré.") % liquidation.number


@_claim_action(permissions.can_handle_claims, "claim_submit")
def claim_submit(request, claim):
    claims.claim_submit(claim=claim, user=request.user)
    return _("Demande soumise à approbation.")


@_claim_action(permissions.can_decide_claims, "claim_approve")
def claim_approve(request, claim):
    claim_decisions.claim_approve(claim=claim, user=request.user)
    return _("Demande approuvée : la notification d'attribution est prête.")


@_claim_action(permissions.can_handle_claims, "claim_revise")
def claim_revise(request, claim):
    liquidation = claim_decisions.claim_revise(claim=claim, user=request.user)
    return _("Révision : calcul n° %d, à soumettre et approuver de nouveau.") % liquidation.number


def _claim_form_post(request, pk, capability, form_class, field, call):
    _need(capability(request.user))
    claim = claims_selectors.claim_detail(pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            message = call(claim, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, _service_errors(exc))
        else:
            messages.success(request, message)
            return redirect("benefits-claim-detail", pk=claim.pk)
    context = _claim_context(request, claim, **{field: form})
    return render(request, "benefits/claim_detail.html", context, status=400)


@login_required
@require_POST
def claim_reject(request, pk):
    def call(claim, data):
        claim_decisions.claim_reject(claim=claim, user=request.user, reason=data["reason"])
        return _("Demande rejetée.")

    return _claim_form_post(
        request, pk, permissions.can_decide_claims, RejectForm, "reject_form", call
    )


@login_required
@require_POST
def claim_add_proven(request, pk):
    def call(claim, data):
        claims.claim_add_proven_period(claim=claim, user=request.user, **data)
        return _("Période prouvée ajoutée : elle compte au prochain calcul.")

    return _claim_form_post(
        request, pk, permissions.can_handle_claims, ProvenPeriodForm, "proven_form", call
    )


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
def claim_trace_pdf(request, pk):
    """The current computation, every step, for the claimant."""
    _need(permissions.can_read_claims(request.user))
    claim = claims_selectors.claim_detail(pk)
    liquidation = claims.current_liquidation(claim)
    if liquidation is None:
        raise Http404
    return _pdf(
        documents.trace_pdf(
            claim=claim,
            liquidation=liquidation,
            benefit=str(BENEFIT_LABELS.get(liquidation.benefit, liquidation.benefit)),
            trace=readable_trace(liquidation.trace, lang=_lang()),
        ),
        f"calcul-{claim.reference}-{liquidation.number}.pdf",
    )


@login_required
def claim_notification_pdf(request, pk):
    """The award notification (French), once approved: the approved computation's amount, also
    while a revision of it is under way."""
    _need(permissions.can_read_claims(request.user))
    return award_notification_response(claims_selectors.claim_detail(pk))


def award_notification_response(claim):
    """The award notification PDF of `claim` (404 until it is approved, or once rejected); the
    staff page and the insured person's own space both answer with it."""
    liquidation = claims_selectors.approved_liquidation(claim)
    # An approved award stands while a revision is computed and submitted (it is still paid).
    if liquidation is None or claim.status == ClaimStatus.REJECTED:
        raise Http404
    with translation.override("fr"):
        decided_by = claim.decided_by
        approver = (decided_by.get_full_name() or decided_by.get_username()) if decided_by else "—"
        if claim.approved_under_id:
            approver += " — " + _("par délégation de signature")
        pdf = documents.award_notification_pdf(
            claim=claim,
            liquidation=liquidation,
            benefit=str(BENEFIT_LABELS.get(liquidation.benefit, liquidation.benefit)),
            trace=readable_trace(liquidation.trace, lang="fr"),
            approver_label=approver,
        )
    return _pdf(pdf, f"notification-{claim.reference}.pdf")
