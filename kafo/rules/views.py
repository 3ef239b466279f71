"""Pages of the rule tables: agents read every version; a zone administrator adds one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kafo.accounts.permissions import AGENT_ROLES
from kafo.organisations.models import Organisation

from . import selectors, services
from .forms import rule_form_class

KIND_LABELS = {
    "rate": _("taux de cotisation"),
    "penalty": _("règle de majoration"),
    "declaration": _("règle de déclaration"),
}


def can_view_rules(user) -> bool:
    return user.is_authenticated and (user.is_zone_admin or user.has_role(*AGENT_ROLES))


@login_required
def version_list(request):
    if not can_view_rules(request.user):
        raise PermissionDenied
    org = None
    code = request.GET.get("org")
    if request.user.is_zone_admin and code:
        org = Organisation.objects.filter(code=code).first()
    elif request.user.organisation_id:
        org = request.user.organisation
    versions = selectors.rule_versions(organisation_id=org.pk if org else None)
    return render(
        request,
        "rules/version_list.html",
        {
            "versions": versions,
            "organisation": org,
            "organisations": Organisation.objects.all() if request.user.is_zone_admin else [],
            "can_add": request.user.is_zone_admin,
        },
    )


@login_required
def version_add(request, kind: str):
    if kind not in services.RULE_MODELS:
        raise Http404
    if not request.user.is_zone_admin:
        raise PermissionDenied
    form_class = rule_form_class(kind)
    form = form_class(request.POST or None, initial={"organisation": request.GET.get("org")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisation = data.pop("organisation")
        try:
            services.rule_version_add(organisation=organisation, kind=kind, data=data)
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, _("Nouvelle version enregistrée."))
            return redirect(f"{reverse('rules-version-list')}?org={organisation.code}")
    return render(
        request, "rules/version_form.html", {"form": form, "kind_label": KIND_LABELS[kind]}
    )
