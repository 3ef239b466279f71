"""The insured person's own pages: read-only, and only their own records.

Every page starts from `insured_person(request.user)` (kafo/accounts/permissions.py): the
URLs carry no person id, so the person is always the login's own; a claim id that is not one of
the person's claims answers the same 404 as a missing one (`check_person_access`). The
simulation is the staff tab's own code (`kafo.benefits.views.retirement_of`, the template
`benefits/_retirement.html`), so both show the same amount for the same person and date.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse

from kafo.accounts.permissions import check_person_access, insured_person
from kafo.benefits import claims_selectors
from kafo.benefits.models import Claim
from kafo.benefits.trace_view import readable_trace
from kafo.benefits.views import (
    BENEFIT_LABELS,
    _lang,
    award_notification_response,
    retirement_of,
    retirement_pdf_response,
)
from kafo.contributions.selectors import person_career
from kafo.organisations.tenancy import get_for_scope
from kafo.payroll.views_statements import payments_context, statement_response


def insured_required(view):
    """Only an insured person's login opens these pages (403 for staff and employers)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_insured_user:
            raise PermissionDenied
        return view(request, insured_person(request.user), *args, **kwargs)

    return wrapped


@insured_required
def my_career(request, person):
    """Ma carrière: what the employers declared in the person's name at their organisation."""
    return render(
        request,
        "insured/career.html",
        {"person": person, "career": person_career(person=person)},
    )


@insured_required
def my_retirement(request, person):
    """Ma retraite: the staff tab's simulation, on the person's own declared career."""
    person, form, retirement = retirement_of(request, person)
    context = {
        "person": person,
        "form": form,
        "retirement": retirement,
        "labels": BENEFIT_LABELS,
    }
    if retirement and retirement.result:
        context["trace"] = readable_trace(retirement.result.trace.as_list(), lang=_lang())
    return render(request, "insured/retirement.html", context)


@insured_required
def my_retirement_pdf(request, person):
    """The same simulation as a PDF."""
    person, _form, retirement = retirement_of(request, person)
    return retirement_pdf_response(person, retirement)


@insured_required
def my_claims(request, person):
    """Mes demandes: the status of each of the person's claims, and its dated steps."""
    claims = claims_selectors.claims_for(person=person)
    return render(request, "insured/claims.html", {"claims": claims})


@insured_required
def my_claim(request, person, pk):
    """One of the person's claims (another person's, or another organisation's: 404)."""
    claim = get_for_scope(Claim, pk=pk)
    check_person_access(request.user, claim.person_id)
    approved = claim.liquidations.exclude(approved_at=None).order_by("-number").first()
    return render(request, "insured/claim.html", {"claim": claim, "approved": approved})


@insured_required
def my_claim_notification(request, person, pk):
    """The award notification of one of the person's approved claims (else 404)."""
    claim = get_for_scope(Claim, pk=pk)
    check_person_access(request.user, claim.person_id)
    return award_notification_response(claim)


@insured_required
def my_payments(request, person):
    """Mes paiements: the payments made to the person, the next payment date, suspensions and
    the yearly statement (the staff page's context, kafo/payroll/views_statements.py)."""
    context = payments_context(request, person, reverse("insured-payment-statement"))
    return render(request, "insured/payments.html", context)


@insured_required
def my_payment_statement(request, person):
    """The person's yearly payment statement PDF (?year=YYYY)."""
    return statement_response(request, person)
