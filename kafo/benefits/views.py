"""Pages of the benefits app: thin, they parse, call one reader or service, and render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from kafo.accounts.models import RoleCode
from kafo.organisations.tenancy import get_for_scope
from kafo.registry.models import Person, Relationship

from . import documents
from .forms import SimulationForm
from .models import BenefitKind
from .retirement import categories_of, person_retirement
from .selectors import rule_in_force
from .trace_view import readable_trace

BENEFIT_LABELS = {
    "pension": gettext_lazy("pension de vieillesse"),
    "early_pension": gettext_lazy("pension de vieillesse anticipée"),
    "old_age_allowance": gettext_lazy("allocation de vieillesse"),
    "lump_sum": gettext_lazy("versement unique"),
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
    context = {"person": person, "form": form, "retirement": retirement, "labels": BENEFIT_LABELS}
    if retirement and retirement.result:
        context["trace"] = readable_trace(retirement.result.trace.as_list(), lang=_lang())
    return render(request, "benefits/person_retirement.html", context)


def person_retirement_pdf(request, pk):
    """The same simulation as a PDF the person can take home."""
    person, form, retirement = _retirement(request, pk)
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
