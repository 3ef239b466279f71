"""Registry pages: thin views over services (writes) and selectors (reads)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kafo.accounts.permissions import can, capability_required
from kafo.audit.selectors import record_history
from kafo.organisations.tenancy import get_for_scope

from . import selectors, services
from .forms import DependantForm, EmployerForm, EmploymentForm, PersonForm
from .models import Dependant, Employer, Employment, Person


def _submit(form, call):
    """Run a service with the form's data; map its field errors back onto the form."""
    if not form.is_valid():
        return None
    try:
        return call(form.service_data())
    except ValidationError as exc:
        aliases = getattr(form, "SERVICE_FIELD_ALIASES", {})
        for field, errors in exc.message_dict.items():
            field = aliases.get(field, field)
            form.add_error(field if field in form.fields else None, errors)
        return None


def _history(request, subject) -> dict:
    """The history tab: the record's changes a page at a time, refused accesses apart."""
    history = record_history(
        subject,
        viewer=request.user,
        page=request.GET.get("page", 1),
        denied=request.GET.get("denied") == "1",
    )
    return {"history": history, "events": history.events}


def _acting_organisation(request):
    if request.user.organisation is None:
        raise PermissionDenied(_("Seul un agent d'un organisme peut immatriculer."))
    return request.user.organisation


@capability_required("registry.view")
def search(request):
    query = request.GET.get("q", "").strip()
    limit = selectors.SEARCH_LIMIT
    persons = selectors.person_search(query, limit=limit) if query else []
    employers = selectors.employer_search(query, limit=limit) if query else []
    # htmx asks for the results only, as the agent types.
    template = (
        "registry/_search_results.html"
        if request.headers.get("HX-Request")
        else ("registry/search.html")
    )
    return render(
        request,
        template,
        {
            "query": query,
            "person_hits": persons,
            "employers": employers,
            # a full page of hits means there may be more: shown as "50+"
            "search_limit": limit,
        },
    )


# --- persons --------------------------------------------------------------------------------


@capability_required("registry.edit")
def person_create(request):
    form = PersonForm(request.POST or None)
    if request.method == "POST":
        organisation = _acting_organisation(request)
        person = _submit(
            form,
            lambda data: services.person_register(
                organisation=organisation, data=data, number=form.cleaned_data.get("number", "")
            ),
        )
        if person:
            messages.success(request, _("Assuré immatriculé sous le numéro %s.") % person.number)
            return redirect("person-detail", pk=person.pk)
    return render(request, "registry/person_form.html", {"form": form})


@capability_required("registry.view")
def person_detail(request, pk):
    person = selectors.person_detail(pk)
    tab = request.GET.get("tab", "identity")
    context = {
        "person": person,
        "tab": tab,
        "can_edit": can(request.user, "registry.edit"),
        "dependants": person.dependants.select_related("other_parent"),
        "employments": person.employments.select_related("employer"),
    }
    if tab == "history":
        context |= _history(request, person)
    return render(request, "registry/person_detail.html", context)


@capability_required("registry.edit")
def person_edit(request, pk):
    person = get_for_scope(Person, pk=pk)
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and _submit(
        form, lambda data: services.person_update(person=person, data=data)
    ):
        messages.success(request, _("Modifications enregistrées."))
        return redirect("person-detail", pk=person.pk)
    return render(request, "registry/person_form.html", {"form": form, "person": person})


@capability_required("registry.edit")
def dependant_add(request, pk):
    person = get_for_scope(Person, pk=pk)
    form = DependantForm(request.POST or None, person=person)
    if request.method == "POST" and _submit(
        form, lambda data: services.dependant_add(person=person, data=data)
    ):
        messages.success(request, _("Ayant droit ajouté."))
        return redirect("person-detail", pk=person.pk)
    return render(request, "registry/dependant_form.html", {"form": form, "person": person})


@capability_required("registry.edit")
def dependant_edit(request, pk):
    dependant = get_for_scope(Dependant, pk=pk)
    person = dependant.person
    form = DependantForm(request.POST or None, instance=dependant, person=person)
    if request.method == "POST" and _submit(
        form, lambda data: services.dependant_update(dependant=dependant, data=data)
    ):
        messages.success(request, _("Modifications enregistrées."))
        return redirect("person-detail", pk=person.pk)
    return render(request, "registry/dependant_form.html", {"form": form, "person": person})


@require_POST
@capability_required("registry.edit")
def dependant_delete(request, pk):
    dependant = get_for_scope(Dependant, pk=pk)
    person_pk = dependant.person_id
    services.dependant_remove(dependant=dependant)
    messages.success(request, _("Ayant droit retiré."))
    return redirect("person-detail", pk=person_pk)


@capability_required("registry.edit")
def employment_add(request, pk):
    person = get_for_scope(Person, pk=pk)
    form = EmploymentForm(request.POST or None)
    if request.method == "POST" and _submit(
        form, lambda data: services.employment_add(person=person, data=data)
    ):
        messages.success(request, _("Emploi ajouté."))
        return redirect("person-detail", pk=person.pk)
    return render(request, "registry/employment_form.html", {"form": form, "person": person})


@capability_required("registry.edit")
def employment_edit(request, pk):
    employment = get_for_scope(Employment, pk=pk)
    person = employment.person
    form = EmploymentForm(request.POST or None, instance=employment)
    if request.method == "POST" and _submit(
        form, lambda data: services.employment_update(employment=employment, data=data)
    ):
        messages.success(request, _("Modifications enregistrées."))
        return redirect("person-detail", pk=person.pk)
    return render(request, "registry/employment_form.html", {"form": form, "person": person})


@require_POST
@capability_required("registry.edit")
def employment_delete(request, pk):
    employment = get_for_scope(Employment, pk=pk)
    person_pk = employment.person_id
    services.employment_remove(employment=employment)
    messages.success(request, _("Emploi supprimé."))
    return redirect("person-detail", pk=person_pk)


# --- employers ------------------------------------------------------------------------------


@capability_required("registry.edit")
def employer_create(request):
    form = EmployerForm(request.POST or None)
    if request.method == "POST":
        organisation = _acting_organisation(request)
        employer = _submit(
            form,
            lambda data: services.employer_register(
                organisation=organisation, data=data, number=form.cleaned_data.get("number", "")
            ),
        )
        if employer:
            messages.success(
                request, _("Employeur immatriculé sous le numéro %s.") % employer.number
            )
            return redirect("employer-detail", pk=employer.pk)
    return render(request, "registry/employer_form.html", {"form": form})


def employer_detail(request, pk):
    """Agents see any employer of their organisation; a portal user sees only their own."""
    if not request.user.is_authenticated:
        return redirect(f"{request.build_absolute_uri('/login/')}?next={request.path}")
    employer = get_for_scope(Employer, pk=pk)
    if not can(request.user, "registry.view") and request.user.employer_id != employer.pk:
        raise PermissionDenied
    tab = request.GET.get("tab", "identity")
    context = {
        "employer": employer,
        "tab": tab,
        "can_edit": can(request.user, "registry.edit"),
        "establishments": employer.establishments.all(),
        "employments": employer.employments.select_related("person")[:200],
    }
    if tab == "history":
        context |= _history(request, employer)
    return render(request, "registry/employer_detail.html", context)


@capability_required("registry.edit")
def employer_edit(request, pk):
    employer = get_for_scope(Employer, pk=pk)
    form = EmployerForm(request.POST or None, instance=employer)
    if request.method == "POST" and _submit(
        form, lambda data: services.employer_update(employer=employer, data=data)
    ):
        messages.success(request, _("Modifications enregistrées."))
        return redirect("employer-detail", pk=employer.pk)
    return render(request, "registry/employer_form.html", {"form": form, "employer": employer})


@require_POST
@capability_required("registry.edit")
def establishment_add(request, pk):
    employer = get_for_scope(Employer, pk=pk)
    try:
        services.establishment_add(employer=employer, data=request.POST.dict())
        messages.success(request, _("Établissement ajouté."))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect("employer-detail", pk=employer.pk)
