"""Pages of the exchanges: the liaison officer's messages, one message, a person's liaison."""

import datetime as dt

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kafo.accounts.permissions import can, capability_required
from kafo.organisations.tenancy import get_for_scope
from kafo.registry.models import Person

from . import selectors, services
from .models import Direction, LiaisonMessage, MessageKind, MessageStatus, Purpose

TABS = (
    ("incoming", gettext_lazy("reçus")),
    ("outgoing", gettext_lazy("envoyés")),
    ("overdue", gettext_lazy("en retard")),
)


@capability_required("exchange.view")
def inbox(request):
    """Incoming and outgoing messages, newest first, 25 a page; overdue ones flagged."""
    tab = request.GET.get("tab", "incoming")
    if tab not in dict(TABS):
        tab = "incoming"
    today = selectors.today()
    rows = (
        selectors.messages(overdue_on=today)
        if tab == "overdue"
        else selectors.messages(direction=tab)
    )
    page = Paginator(rows, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "exchange/inbox.html",
        {
            "page": page,
            "tab": tab,
            "tabs": TABS,
            "today": today,
            "overdue": selectors.overdue_count(request.user.organisation_id, today)
            if request.user.organisation_id
            else 0,
        },
    )


@capability_required("exchange.view")
def message_detail(request, pk):
    """One of the organisation's messages; an incoming request is answered here."""
    message = get_for_scope(LiaisonMessage, pk=pk, queryset=selectors.message_rows())
    can_liaise = can(request.user, "exchange.liaise")
    errors: dict = {}
    if request.method == "POST":
        if not can_liaise:
            raise Http404
        try:
            if message.kind == MessageKind.PERIODS_REQUEST:
                services.periods_answer(
                    message=message,
                    approve=request.POST.get("decision") == "approve",
                    reason=request.POST.get("reason", ""),
                    user=request.user,
                )
            else:
                services.message_acknowledge(message=message, user=request.user)
            flash.success(request, _("Réponse enregistrée."))
            return redirect("exchange-message-detail", pk=message.pk)
        except ValidationError as exc:
            errors = exc.message_dict
    context = {
        "message": message,
        "can_liaise": can_liaise,
        "errors": errors,
        "overdue": message.is_overdue(selectors.today()),
        "incoming_request": message.direction == Direction.INCOMING
        and message.kind == MessageKind.PERIODS_REQUEST,
    }
    if context["incoming_request"] and message.status == MessageStatus.PENDING:
        from kafo.identity.selectors import insured_periods_of

        context["preview"] = insured_periods_of(
            organisation=message.organisation,
            person=message.person,
            with_salaries=message.with_salaries,
        )
    return render(request, "exchange/message_detail.html", context)


@capability_required("exchange.view")
def person_liaison(request, pk):
    """A record's liaison: the organisations holding the zone person, the requests sent to
    each, the joined career; forms to ask for periods and to send a notice of death."""
    person = get_for_scope(Person, pk=pk)
    return render(
        request,
        "exchange/person_liaison.html",
        {
            "person": person,
            "elsewhere": selectors.elsewhere_with_requests(person),
            "career": selectors.joined_career(person),
            "purposes": Purpose.choices,
            "can_liaise": can(request.user, "exchange.liaise"),
        },
    )


@require_POST
@capability_required("exchange.liaise")
def request_create(request, pk):
    person = get_for_scope(Person, pk=pk)
    try:
        services.periods_request(
            person=person,
            target=request.POST.get("target", ""),
            purpose=request.POST.get("purpose", ""),
            note=request.POST.get("note", ""),
            with_salaries=request.POST.get("with_salaries") == "on",
            user=request.user,
        )
        flash.success(request, _("Demande de périodes envoyée."))
    except ValidationError as exc:
        flash.error(request, "; ".join(exc.messages))
    return redirect("exchange-person", pk=person.pk)


@require_POST
@capability_required("exchange.liaise")
def death_notice(request, pk):
    person = get_for_scope(Person, pk=pk)
    try:
        date_of_death = dt.date.fromisoformat(request.POST.get("date_of_death", ""))
    except ValueError:
        flash.error(request, _("Date du décès : indiquez une date valide (jj/mm/aaaa)."))
        return redirect("exchange-person", pk=person.pk)
    try:
        sent = services.death_notice_send(
            person=person, date_of_death=date_of_death, user=request.user
        )
        flash.success(request, _("Avis de décès envoyé à %(n)d organisme(s).") % {"n": len(sent)})
    except ValidationError as exc:
        flash.error(request, "; ".join(exc.messages))
    return redirect("exchange-person", pk=person.pk)


@require_POST
@capability_required("exchange.liaise")
def claim_request(request, pk):
    """Ask another organisation for the periods a claim needs (button of the claim page)."""
    from kafo.benefits.models import Claim

    claim = get_for_scope(Claim, pk=pk, queryset=Claim.objects.select_related("person"))
    try:
        services.periods_request(
            person=claim.person,
            target=request.POST.get("target", ""),
            purpose=Purpose.SURVIVORS if claim.kind == "survivors" else Purpose.OLD_AGE,
            with_salaries=request.POST.get("with_salaries") == "on",
            claim=claim,
            user=request.user,
        )
        flash.success(request, _("Demande de périodes envoyée."))
    except ValidationError as exc:
        flash.error(request, "; ".join(exc.messages))
    return redirect("benefits-claim-detail", pk=claim.pk)


@require_POST
@capability_required("exchange.liaise")
def claim_forward(request, pk):
    """Forward a claim to another organisation of the zone person (button of the claim page)."""
    from kafo.benefits.models import Claim

    claim = get_for_scope(Claim, pk=pk, queryset=Claim.objects.select_related("person"))
    try:
        services.claim_forward(
            claim=claim, target=request.POST.get("target", ""), user=request.user
        )
        flash.success(request, _("Demande transmise."))
    except ValidationError as exc:
        flash.error(request, "; ".join(exc.messages))
    return redirect("benefits-claim-detail", pk=claim.pk)


@capability_required("exchange.view")
def old_inbox(request):
    """/identity/liaison/ before issue 15."""
    return redirect("exchange-inbox")


@capability_required("exchange.view")
def old_detail(request, pk):
    """/identity/liaison/<pk>/ before issue 15 (rows kept their ids when they moved)."""
    return redirect("exchange-message-detail", pk=pk)
