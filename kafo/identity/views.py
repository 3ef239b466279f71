"""Zone person index pages: a record's place in the zone, the review queue, hints."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kafo.accounts.models import RoleCode
from kafo.accounts.permissions import can, capability_required
from kafo.organisations.tenancy import get_for_scope
from kafo.registry.domain import birth_dates
from kafo.registry.models import Person

from . import selectors, services
from .domain.quick_match import Record
from .models import LinkChange, ReviewItem, ReviewStatus


@capability_required("registry.view")
def person_zone(request, pk):
    person = get_for_scope(Person, pk=pk)
    link = selectors.zone_link_of(person)
    context = {
        "person": person,
        "link": link,
        "can_edit": can(request.user, "registry.edit"),
        "can_exchange": can(request.user, "exchange.view"),
    }
    if link:
        own_records = selectors.own_records_of(link)
        # Liaison with the other organisations (requests, joined career): kafo/exchange.
        context |= {
            "own_records": own_records,
            "elsewhere": selectors.elsewhere_of(link),
            "changes": selectors.recent_changes(link),
        }
    return render(request, "identity/person_zone.html", context)


@require_POST
@capability_required("registry.edit")
def person_split(request, pk):
    person = get_for_scope(Person, pk=pk)
    try:
        services.zone_person_split(person=person)
        messages.success(request, _("Dossier détaché : il forme désormais une personne à part."))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect("identity-person-zone", pk=person.pk)


@require_POST
@capability_required("registry.edit")
def changes_undo(request, batch):
    # The batch must contain a change of the agent's own organisation (scoped query).
    change = LinkChange.objects.filter(batch=batch).first()
    if change is None:
        raise Http404
    try:
        services.link_changes_undo(
            batch=uuid.UUID(str(batch)), organisation_id=change.organisation_id
        )
        messages.success(request, _("Opération annulée."))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect("identity-person-zone", pk=change.person_id)


@capability_required("registry.view")
def review_list(request):
    """The review queue in the engine's order, 25 items a page; the queue's age and each
    reviewer's throughput for the registration manager."""
    status = request.GET.get("status", ReviewStatus.PENDING)
    if status not in ReviewStatus.values:
        status = ReviewStatus.PENDING
    page = Paginator(selectors.review_queue(status), selectors.REVIEW_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "status": status,
        "statuses": ReviewStatus.choices,
        "can_liaise": can(request.user, "exchange.view"),
    }
    if request.user.has_role(RoleCode.REGISTRATION_AGENT, RoleCode.DIRECTOR):
        context["stats"] = selectors.review_queue_stats()
    return render(request, "identity/review_list.html", context)


@capability_required("registry.view")
def review_detail(request, pk):
    item = get_for_scope(ReviewItem, pk=pk)
    if request.method == "POST":
        if not can(request.user, "registry.edit"):
            raise Http404
        same = request.POST.get("decision") == "same"
        try:
            batch = services.review_decide(item=item, same_person=same, user=request.user)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            other = selectors.other_side_answer(item)
            if batch is None and same and other == ReviewStatus.PENDING:
                messages.success(
                    request,
                    _(
                        "Réponse enregistrée. Les dossiers seront liés quand %(org)s aura aussi "
                        "répondu « même personne »."
                    )
                    % {"org": item.other_organisation_code},
                )
            elif batch is None and same and other == ReviewStatus.DISTINCT:
                messages.success(
                    request,
                    _(
                        "Réponse enregistrée. %(org)s a répondu « personnes différentes » : "
                        "les dossiers ne sont pas liés."
                    )
                    % {"org": item.other_organisation_code},
                )
            elif batch is not None and not same:
                messages.success(
                    request,
                    _("Dossiers séparés ; les prochains calculs de l'index ne les lieront plus."),
                )
            else:
                messages.success(request, _("Décision enregistrée."))
            return redirect("identity-review-list")
    return render(
        request,
        "identity/review_detail.html",
        {
            "item": item,
            "sides": selectors.review_side_by_side(item),
            "other_agreements": selectors.review_other_agreements(item),
            "can_edit": can(request.user, "registry.edit"),
            "other_answer": selectors.other_side_answer(item),
        },
    )


@require_POST
@capability_required("registry.edit")
def review_undo(request, pk):
    """Take back an answer: the merge or split it made is undone and the pair is asked again."""
    item = get_for_scope(ReviewItem, pk=pk)
    try:
        services.review_answer_undo(item=item, user=request.user)
        messages.success(request, _("Réponse annulée : la paire est de nouveau à examiner."))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect("identity-review-detail", pk=item.pk)


@capability_required("registry.view")
def registration_hints(request):
    """htmx fragment for the registration form: "probably already known at …".

    Each search counts against the user's limit per minute; past it the answer is a 429 with
    the reason, shown in the hints box.
    """
    try:
        born, precision = birth_dates.parse(request.GET.get("birth", "").removeprefix("vers "))
    except ValueError:
        born, precision = None, "day"
    if not (request.user.organisation_id and born):
        return render(request, "identity/_hints.html", {"hints": []})
    try:
        services.hint_request_admit(user=request.user)
    except services.HintsRateLimited as exc:
        response = render(request, "identity/_hints.html", {"refused": str(exc)}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    record = Record(
        family_name=request.GET.get("family_name", ""),
        given_names=request.GET.get("given_names", ""),
        sex=request.GET.get("sex", ""),
        birth_date=born,
        birth_precision=str(precision),
        birth_place=request.GET.get("birth_place", ""),
        mother_name=request.GET.get("mother_name", ""),
        national_id=request.GET.get("national_id", "").upper(),
    )
    hints = selectors.registration_hints(record, organisation_id=request.user.organisation_id)
    own = [h for h in hints if h.own_person][:5]
    return render(
        request, "identity/_hints.html", {"hints": own + [h for h in hints if not h.own_person]}
    )
