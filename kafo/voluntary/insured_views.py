"""The insured person's own voluntary insurance: see their membership and periods, join, pay a
period by mobile money. The URLs carry no id: the person is always the login's own
(`insured_person`), and only their own membership is read."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kafo.accounts.permissions import insured_person

from . import selectors, services
from .forms import JoinForm, PayForm
from .models import MembershipStatus
from .views import bracket_choices, field_errors, membership_context, payable_choices


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
def my_membership(request, person):
    membership = selectors.membership_of(person)
    table = selectors.table_for(person.organisation)
    context = {"person": person, "table": table, "membership": membership}
    if membership is not None:
        context |= membership_context(membership, page=request.GET.get("page"))
    return render(request, "voluntary/insured_membership.html", context)


@insured_required
def my_join(request, person):
    table = selectors.table_for(person.organisation)
    if table is None or selectors.membership_of(person) is not None:
        return redirect("insured-voluntary")
    form = JoinForm(
        request.POST or None,
        brackets=bracket_choices(table),
        frequencies=table.frequencies,
        with_person=False,
        initial={"frequency": table.frequencies[0]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.membership_join(
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
            messages.success(request, _("Votre adhésion est enregistrée."))
            return redirect("insured-voluntary")
    return render(
        request,
        "voluntary/member_form.html",
        {"form": form, "table": table, "self_service": True, "person": person},
    )


@insured_required
def my_pay(request, person):
    membership = selectors.membership_of(person)
    if membership is None or membership.status != MembershipStatus.ACTIVE:
        return redirect("insured-voluntary")
    today = timezone.localdate()
    form = PayForm(
        request.POST or None, periods=payable_choices(membership, today), self_service=True
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.period_pay(
                membership=membership,
                period=data["period"],
                amount=data["amount"].replace(" ", "").replace("\u202f", ""),
                method="mobile_money",
                reference=data["reference"],
                paid_on=today,
                user=request.user,
                self_service=True,
            )
        except ValidationError as exc:
            field_errors(form, exc)
        else:
            messages.success(
                request, _("Paiement enregistré : la période compte dans votre carrière.")
            )
            return redirect("insured-voluntary")
    return render(
        request,
        "voluntary/pay_form.html",
        {"form": form, "membership": membership, "self_service": True, "person": person},
    )
