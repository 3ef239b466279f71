"""Pages of voluntary insurance for the organisation's clerks: members (paged), enrolment, a
member's sheet with its periods, recording a payment, resuming a lapsed membership."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from kafo.accounts import permissions as accounts
from kafo.collection.domain.expected import period_label
from kafo.contributions.domain.compute import format_amount
from kafo.contributions.permissions import can_read_account
from kafo.organisations.tenancy import get_for_scope
from kafo.registry.models import Person

from . import selectors, services
from .forms import JoinForm, PayForm, ResumeForm
from .models import Membership, MembershipStatus
from .permissions import can_join, can_read, can_record_payment

PAGE_SIZE = 50
PERIODS_PER_PAGE = 24


def field_errors(form, exc: ValidationError) -> None:
    for field, errs in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errs)


def bracket_choices(table) -> list[tuple[str, str]]:
    if table is None:
        return []
    return [
        (
            b.code,
            _("%(code)s : %(m)s par mois (%(q)s par trimestre)")
            % {
                "code": b.code,
                "m": format_amount(b.monthly_income),
                "q": format_amount(b.quarterly_income),
            },
        )
        for b in table.brackets
    ]


def payable_choices(membership: Membership, on) -> list[tuple[str, str]]:
    """The unpaid periods the member may pay on `on`, oldest first, with what each costs."""
    state = selectors.standing(membership, on=on)
    choices = []
    for s in state.periods:
        if s.paid:
            continue
        due = selectors.amount_due(membership, period=s.period, paid_on=on)
        choices.append(
            (
                s.period,
                _("%(p)s : %(amount)s")
                % {"p": period_label(s.period), "amount": format_amount(due.total)},
            )
        )
    return choices


def membership_context(membership: Membership, *, page=None) -> dict:
    """What a member's sheet shows (clerk's page and the member's own page)."""
    today = timezone.localdate()
    state = selectors.standing(membership, on=today)
    rows = []
    for s in reversed(state.periods):
        rows.append(
            {
                "label": period_label(s.period),
                "due_date": s.due_date,
                "paid": s.paid,
                "overdue": s.overdue,
            }
        )
    periods_page = Paginator(rows, PERIODS_PER_PAGE).get_page(page)
    table = selectors.table_for(membership, today)
    bracket = table.bracket(membership.bracket) if table else None
    return {
        "membership": membership,
        "person": membership.person,
        "state": state,
        "periods_page": periods_page,
        "payments": [
            {"label": period_label(p.period), "row": p} for p in selectors.payments_of(membership)
        ],
        "events": list(membership.events.order_by("on", "pk")),
        "table": table,
        "bracket": bracket,
        "lapsed": membership.status == MembershipStatus.LAPSED,
    }


def _membership(pk: int) -> Membership:
    return get_for_scope(
        Membership,
        pk=pk,
        queryset=Membership.objects.select_related("person", "account", "organisation"),
    )


@login_required
def member_list(request):
    if not can_read(request.user):
        raise PermissionDenied
    status = request.GET.get("status", "")
    query = request.GET.get("q", "").strip()
    page = Paginator(selectors.memberships(status=status, query=query), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "voluntary/member_list.html",
        {
            "page": page,
            "status": status,
            "q": query,
            "statuses": MembershipStatus.choices,
            "query": urlencode({k: v for k, v in (("status", status), ("q", query)) if v}),
            "can_join": can_join(request.user),
            "offered": request.user.organisation is not None
            and selectors.table_for(request.user.organisation) is not None,
        },
    )


@login_required
def member_new(request):
    if not can_join(request.user):
        raise PermissionDenied
    organisation = request.user.organisation
    table = selectors.table_for(organisation)
    if table is None:
        messages.error(
            request, _("%(org)s n'offre pas l'assurance volontaire.") % {"org": organisation.code}
        )
        return redirect("voluntary-member-list")
    form = JoinForm(
        request.POST or None,
        brackets=bracket_choices(table),
        frequencies=table.frequencies,
        initial={"frequency": table.frequencies[0]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = Person.objects.filter(number=data["person_number"].strip()).first()
        if person is None:
            form.add_error("person_number", _("Aucune personne immatriculée sous ce numéro."))
        else:
            try:
                membership = services.membership_join(
                    person=person,
                    kind=data["kind"],
                    bracket=data["bracket"],
                    frequency=data["frequency"],
                    residence_country=data["residence_country"],
                    address=data["address"],
                    phone=data["phone"],
                    user=request.user,
                )
            except ValidationError as exc:
                field_errors(form, exc)
            else:
                messages.success(request, _("Adhésion enregistrée."))
                return redirect("voluntary-member-detail", pk=membership.pk)
    return render(request, "voluntary/member_form.html", {"form": form, "table": table})


@login_required
def member_detail(request, pk: int):
    if not can_read(request.user):
        raise PermissionDenied
    membership = _membership(pk)
    context = membership_context(membership, page=request.GET.get("page"))
    context |= {
        "can_pay": can_record_payment(request.user) and not context["lapsed"],
        "can_resume": can_join(request.user) and context["lapsed"],
        "can_open_person": accounts.can(request.user, "registry.view"),
        "can_open_account": can_read_account(request.user),
    }
    return render(request, "voluntary/member_detail.html", context)


@login_required
def member_pay(request, pk: int):
    if not can_record_payment(request.user):
        raise PermissionDenied
    membership = _membership(pk)
    today = timezone.localdate()
    form = PayForm(
        request.POST or None,
        periods=payable_choices(membership, today),
        initial={"paid_on": today, "method": "mobile_money"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.period_pay(
                membership=membership,
                period=data["period"],
                amount=data["amount"].replace(" ", "").replace("\u202f", ""),
                method=data["method"],
                reference=data["reference"],
                paid_on=data["paid_on"],
                user=request.user,
            )
        except ValidationError as exc:
            field_errors(form, exc)
        else:
            messages.success(
                request, _("Paiement enregistré : la période compte dans la carrière.")
            )
            return redirect("voluntary-member-detail", pk=membership.pk)
    return render(request, "voluntary/pay_form.html", {"form": form, "membership": membership})


@login_required
def member_resume(request, pk: int):
    if not can_join(request.user):
        raise PermissionDenied
    membership = _membership(pk)
    table = selectors.table_for(membership)
    form = ResumeForm(
        request.POST or None,
        brackets=bracket_choices(table),
        frequencies=table.frequencies if table else (),
        initial={"bracket": membership.bracket, "frequency": membership.frequency},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_resume(
                membership=membership,
                bracket=form.cleaned_data["bracket"],
                frequency=form.cleaned_data["frequency"],
                user=request.user,
            )
        except ValidationError as exc:
            field_errors(form, exc)
        else:
            messages.success(request, _("Adhésion reprise."))
            return redirect("voluntary-member-detail", pk=membership.pk)
    return render(request, "voluntary/resume_form.html", {"form": form, "membership": membership})
