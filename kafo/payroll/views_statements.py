"""A payee's payments (staff person page and the insured person's own space, one context) and
the page recording a child's family-allowance document."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kafo.accounts.models import RoleCode
from kafo.accounts.permissions import check_person_access
from kafo.organisations.tenancy import get_for_scope
from kafo.registry.models import Dependant, Person, Relationship

from . import allowances, permissions, statements
from .domain import allowances as af
from .models import ChildDocument, DocumentKind

PAGE_SIZE = 25
DOCUMENT_ROLES = (
    RoleCode.PAYMENT_OFFICER,
    RoleCode.BENEFITS_OFFICER,
    RoleCode.REGISTRATION_AGENT,
)


def payments_context(request, person, statement_url: str) -> dict:
    """What the payments pages show of `person` (see kafo/payroll/statements.py)."""
    today = timezone.localdate()
    benefits = statements.benefits_of(person, today=today)
    payments = statements.payments_of(person)
    page = Paginator(payments, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "person": person,
        "benefits": benefits,
        "suspensions": [(b.benefit, s) for b in benefits for s in b.suspensions],
        "page": page,
        "years": statements.statement_years(person),
        "statement_url": statement_url,
    }


def statement_response(request, person) -> HttpResponse:
    """The yearly statement PDF (?year=YYYY, this year by default)."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = 0
    if not 1900 <= year <= today.year:
        return HttpResponse(
            _("Année invalide : indiquez une année de 1900 à %(y)s.") % {"y": today.year},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    pdf = statements.statement_pdf(person=person, year=year, today=today)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="releve-paiements-{person.number}-{year}.pdf"'
    )
    return response


def _person(request, pk) -> Person:
    # an insured user: another person's payments answer 404, like a missing person
    check_person_access(request.user, pk)
    if not permissions.can_read_payments(request.user):
        raise PermissionDenied
    return get_for_scope(Person, pk=pk)


@login_required
def person_payments(request, pk):
    """The staff view of a person's payments (payment officers, approvers, directors)."""
    person = _person(request, pk)
    context = payments_context(
        request, person, reverse("payroll-person-statement", kwargs={"pk": person.pk})
    )
    return render(request, "payroll/person_payments.html", context)


@login_required
def person_statement(request, pk):
    return statement_response(request, _person(request, pk))


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        try:
            return dt.datetime.strptime((text or "").strip(), "%d/%m/%Y").date()
        except ValueError:
            return None


@login_required
def child_documents(request, pk):
    """A child's family-allowance documents; POST records one (school or apprenticeship for a
    school year, disability with its dates) and brings the parent's allowances in line."""
    if not request.user.has_role(*DOCUMENT_ROLES):
        raise PermissionDenied
    child = get_for_scope(Dependant, pk=pk, queryset=Dependant.objects.select_related("person"))
    if child.relationship != Relationship.CHILD:
        raise Http404
    today = timezone.localdate()
    rules = allowances.allowance_rules(child.person.organisation.code, today)
    values = {"kind": "", "school_year": "", "valid_from": "", "valid_until": "", "reference": ""}
    errors: dict = {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in values} | {
            "issuer": request.POST.get("issuer", "").strip()
        }
        year = values["school_year"]
        try:
            allowances.child_document_record(
                dependant=child,
                kind=values["kind"],
                user=request.user,
                school_year=int(year) if year.isdigit() else None,
                valid_from=_date(values["valid_from"]),
                valid_until=_date(values["valid_until"]),
                reference=values["reference"],
                issuer=values["issuer"],
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("Pièce enregistrée ; allocations familiales mises à jour."))
            return redirect("payroll-child-documents", pk=child.pk)
    documents = ChildDocument.objects.filter(dependant=child).order_by("-valid_from", "-pk")
    year_now = af.school_year_of(rules, today) if rules else today.year
    return render(
        request,
        "payroll/child_documents.html",
        {
            "child": child,
            "documents": documents,
            "kinds": DocumentKind.choices,
            "values": values,
            "errors": errors,
            "rules": rules,
            "school_years": [(y, af.school_year_label(y)) for y in (year_now, year_now - 1)],
        },
        status=400 if errors else 200,
    )
