"""Staff pages of the registry API's partners: the list, register one (its secret shown once),
its agreement and last queries, a new secret (shown once), suspend or reactivate."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kafo.organisations.tenancy import get_for_scope

from . import permissions, services
from .forms_partners import PartnerForm
from .models import Partner, RecordAttribute

PAGE_SIZE = 25


def _need(user) -> None:
    if not permissions.can_manage_partners(user):
        raise PermissionDenied


@login_required
def partner_list(request):
    """The partners the caller's scope sees (its organisation's; every one for the zone)."""
    _need(request.user)
    partners = Partner.objects.prefetch_related("organisations").order_by("name", "pk")
    page = Paginator(partners, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "interop/partner_list.html", {"page": page})


@login_required
def partner_create(request):
    """Register a partner; answer its client id and secret on this page, once."""
    _need(request.user)
    form = PartnerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        orgs = list(form.cleaned_data["organisations"])
        owner = request.user.organisation if not request.user.is_zone_admin else orgs[0]
        try:
            partner, secret = services.partner_register(
                organisation=owner,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                organisations=orgs,
                attributes=form.cleaned_data["attributes"],
                callback_urls=form.callback_url_list(),
                public_key=form.cleaned_data["public_key"],
                rate_limit_per_minute=form.cleaned_data["rate_limit_per_minute"],
                by=request.user,
            )
        except services.PartnerError as exc:
            form.add_error(None, str(exc))
        else:
            return _secret_page(request, partner, secret)
    return render(request, "interop/partner_form.html", {"form": form})


def _secret_page(request, partner, secret):
    response = render(
        request, "interop/partner_secret.html", {"partner": partner, "secret": secret}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def partner_detail(request, pk: int):
    _need(request.user)
    partner = get_for_scope(Partner, pk=pk)
    labels = dict(RecordAttribute.choices)
    return render(
        request,
        "interop/partner_detail.html",
        {
            "partner": partner,
            "attributes": [labels[a] for a in partner.attributes if a in labels],
            "organisations": partner.organisations.order_by("code"),
            "queries": partner.queries.all()[:20],
            "subscriptions": partner.subscriptions.order_by("-pk")[:20],
        },
    )


@login_required
@require_POST
def partner_secret(request, pk: int):
    """Give the partner a new secret (the old one stops working); show it once."""
    _need(request.user)
    partner = get_for_scope(Partner, pk=pk)
    secret = services.partner_rotate_secret(partner=partner)
    return _secret_page(request, partner, secret)


@login_required
@require_POST
def partner_active(request, pk: int):
    """Suspend the partner (its tokens stop working at once) or reactivate it."""
    _need(request.user)
    partner = get_for_scope(Partner, pk=pk)
    services.partner_set_active(partner=partner, active=not partner.active)
    messages.success(
        request, _("Partenaire réactivé.") if partner.active else _("Partenaire suspendu.")
    )
    return redirect("interop-partner-detail", pk=partner.pk)
