"""Pages of the employer account: position and entries, payments, bank statements, statement
and certificate PDFs, the public certificate check, and a person's career."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kafo.collection.selectors_notices import notices_for
from kafo.organisations.tenancy import get_for_scope
from kafo.registry.models import Employer, Person

from . import documents, ledger, selectors
from .forms import PaymentForm, RevokeForm, StatementUploadForm, VerifyForm
from .models import Certificate, Payment
from .permissions import (
    can_read_account,
    can_read_career,
    can_record_payments,
    can_request_certificate,
    check_employer_access,
)


def _employer(request, pk: int) -> Employer:
    employer = get_for_scope(
        Employer, pk=pk, queryset=Employer.objects.select_related("organisation")
    )
    check_employer_access(request.user, employer.pk)
    return employer


def _pdf(content: bytes, filename: str) -> HttpResponse:
    resp = HttpResponse(content, content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


def _field_errors(form, exc: ValidationError) -> None:
    for field, errs in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errs)


@login_required
def account_list(request):
    """Agents: employers by balance. An employer's portal user: straight to its own account."""
    if not can_read_account(request.user):
        raise PermissionDenied
    if request.user.is_employer_user:
        return redirect("contributions-account-detail", pk=request.user.employer_id)
    return render(
        request,
        "contributions/account_list.html",
        {
            "balances": selectors.account_balances(),
            "can_record": can_record_payments(request.user),
        },
    )


@login_required
def account_detail(request, pk: int):
    if not can_read_account(request.user):
        raise PermissionDenied
    employer = _employer(request, pk)
    state = selectors.account_state(employer=employer, as_of=timezone.localdate())
    return render(
        request,
        "contributions/account_detail.html",
        {
            "employer": employer,
            "state": state,
            "buckets": [(label, state.arrears[name]) for name, label in documents.bucket_labels()],
            "payments": selectors.payments_for(employer=employer),
            "certificates": selectors.certificates_for(employer=employer),
            "notices": notices_for(employer),
            "can_record": can_record_payments(request.user),
            "can_certify": can_request_certificate(request.user),
            "today": state.as_of,
        },
    )


@login_required
def payment_new(request, pk: int):
    if not can_record_payments(request.user):
        raise PermissionDenied
    employer = _employer(request, pk)
    form = PaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ledger.payment_record(
                employer=employer,
                amount=form.cleaned_data["amount"],
                paid_on=form.cleaned_data["paid_on"],
                method=form.cleaned_data["method"],
                reference=form.cleaned_data["reference"],
                recorded_by=request.user,
                confirm_duplicate=form.cleaned_data["confirm_duplicate"],
            )
        except ValidationError as exc:
            _field_errors(form, exc)
        else:
            messages.success(request, _("Paiement enregistré."))
            return redirect("contributions-account-detail", pk=employer.pk)
    return render(request, "contributions/payment_form.html", {"form": form, "employer": employer})


@login_required
def statement_import(request):
    if not can_record_payments(request.user) or request.user.organisation is None:
        raise PermissionDenied
    form = StatementUploadForm(request.POST or None, request.FILES or None)
    line_errors: list[dict] = []
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = ledger.statement_import(
                organisation=request.user.organisation,
                content=upload.read(),
                filename=upload.name,
                imported_by=request.user,
            )
        except ledger.StatementRejected as exc:
            line_errors = exc.line_errors
        else:
            if result.duplicate:
                messages.info(
                    request, _("Ce relevé a déjà été importé : il n'est pas compté deux fois.")
                )
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(n)s paiement enregistré.",
                        "%(n)s paiements enregistrés.",
                        len(result.payments),
                    )
                    % {"n": len(result.payments)},
                )
    return render(
        request,
        "contributions/statement_form.html",
        {"form": form, "line_errors": line_errors, "result": result},
    )


@login_required
def statement_pdf(request, pk: int):
    if not can_read_account(request.user):
        raise PermissionDenied
    employer = _employer(request, pk)
    state = selectors.account_state(employer=employer, as_of=timezone.localdate())
    return _pdf(
        documents.statement_pdf(employer=employer, state=state),
        f"releve-{employer.number}-{state.as_of:%Y%m%d}.pdf",
    )


@login_required
@require_POST
def certificate_issue(request, pk: int):
    if not can_request_certificate(request.user):
        raise PermissionDenied
    employer = _employer(request, pk)
    try:
        cert = ledger.certificate_issue(employer=employer, issued_by=request.user)
    except ValidationError as exc:
        for errs in exc.message_dict.values():
            for msg in errs:
                messages.error(request, msg)
    else:
        messages.success(
            request,
            _("Attestation délivrée, code %(c)s.") % {"c": documents.display_code(cert.code)},
        )
    return redirect("contributions-account-detail", pk=employer.pk)


def _certificate(request, pk: int) -> Certificate:
    cert = get_for_scope(
        Certificate,
        pk=pk,
        queryset=Certificate.objects.select_related("employer", "organisation"),
    )
    check_employer_access(request.user, cert.employer_id)
    return cert


@login_required
def certificate_pdf(request, pk: int):
    if not can_read_account(request.user):
        raise PermissionDenied
    cert = _certificate(request, pk)
    url = request.build_absolute_uri(reverse("contributions-certificate-check", args=[cert.code]))
    return _pdf(
        documents.certificate_pdf(certificate=cert, verify_url=url),
        f"attestation-{cert.employer.number}-{cert.code}.pdf",
    )


@login_required
def certificate_revoke(request, pk: int):
    if not can_record_payments(request.user):
        raise PermissionDenied
    cert = _certificate(request, pk)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ledger.certificate_revoke(certificate=cert, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _field_errors(form, exc)
        else:
            messages.success(request, _("Attestation révoquée."))
            return redirect("contributions-account-detail", pk=cert.employer_id)
    return render(
        request, "contributions/certificate_revoke.html", {"form": form, "certificate": cert}
    )


@login_required
def payment_reverse(request, pk: int):
    """Cancel a payment the bank rejected; the reason is kept on the account."""
    if not can_record_payments(request.user):
        raise PermissionDenied
    payment = get_for_scope(Payment, pk=pk, queryset=Payment.objects.select_related("employer"))
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ledger.payment_reverse(
                payment=payment, reason=form.cleaned_data["reason"], reversed_by=request.user
            )
        except ValidationError as exc:
            _field_errors(form, exc)
        else:
            messages.success(
                request, _("Paiement annulé : les dettes qu'il réglait sont de nouveau dues.")
            )
            return redirect("contributions-account-detail", pk=payment.employer_id)
    return render(request, "contributions/payment_reverse.html", {"form": form, "payment": payment})


def certificate_verify(request):
    """Public: the form where anyone types the code printed on a certificate."""
    form = VerifyForm(request.GET or None)
    if form.is_valid():
        code = ledger.normalise_code(form.cleaned_data["code"])
        if code:
            return redirect("contributions-certificate-check", code=code)
    return render(request, "contributions/certificate_verify.html", {"form": form})


def certificate_check(request, code: str):
    """Public: whether a certificate is genuine and still valid. Shows only what the paper
    shows (employer name and number, organisation, dates) and its status."""
    cert = selectors.certificate_by_code(code=ledger.normalise_code(code))
    today = timezone.localdate()
    return render(
        request,
        "contributions/certificate_check.html",
        {
            "certificate": cert,
            "status": cert.status_on(today) if cert else "unknown",
            "code": documents.display_code(ledger.normalise_code(code)),
            "form": VerifyForm(),
        },
        status=200 if cert else 404,
    )


@login_required
def person_career(request, pk: int):
    if not can_read_career(request.user):
        raise PermissionDenied
    person = get_for_scope(Person, pk=pk, queryset=Person.objects.select_related("organisation"))
    return render(
        request,
        "contributions/person_career.html",
        {"person": person, "career": selectors.person_career(person=person)},
    )
