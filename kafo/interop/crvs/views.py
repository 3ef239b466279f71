"""The CRVS's callback endpoint (JSON) and the staff pages of this part: deaths to review, the
notifications sent to subscribers with their delivery status."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kafo.accounts.models import RoleCode
from kafo.interop import auth, spec
from kafo.organisations.tenancy import get_for_scope, zone_scope
from kafo.payroll import permissions as payroll_permissions

from ..models_events import (
    CivilRegistry,
    DeathMatch,
    MatchStatus,
    Notification,
    NotificationStatus,
)
from ..registry_api import envelope
from . import client, deaths

PAGE_SIZE = 25
WWW_AUTHENTICATE = {"WWW-Authenticate": 'Bearer realm="kafo"'}
# The CRVS request each callback action carries (crvs_api_v1.0.0.yaml).
CALLBACK_PATHS = {"notify": "/registry/notify", "on-subscribe": "/registry/on-subscribe"}
MESSAGE_SCHEMAS = {"notify": "NotifyEventRequest", "on-subscribe": "SubscribeResponse"}


@csrf_exempt
def crvs_callback(request):
    """Receive the civil registry's `notify` (deaths) and `on-subscribe` messages."""
    if request.method != "POST":
        return envelope.error(
            405, "err.request.bad", "seule la méthode POST est acceptée", headers={"Allow": "POST"}
        )
    token = auth.bearer_token(request)
    try:
        partner = auth.verify_token(token) if token else None
    except auth.TokenRefused:
        partner = None
    if partner is None:
        return envelope.error(
            401,
            "err.request.unauthorized",
            "jeton d'accès absent ou invalide",
            headers=WWW_AUTHENTICATE,
        )
    with zone_scope():
        registry = CivilRegistry.objects.filter(partner=partner).first()
    if registry is None:
        return envelope.error(
            403, "err.request.forbidden", "ce partenaire n'est pas un état civil enregistré"
        )
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return envelope.error(400, "err.request.bad", f"JSON illisible : {exc}")
    header = body.get("header") if isinstance(body, dict) else None
    action = header.get("action") if isinstance(header, dict) else None
    if action not in CALLBACK_PATHS:
        return envelope.error(
            400, "err.request.bad", "header.action : notify ou on-subscribe attendu"
        )
    found = spec.errors(spec.CRVS, spec.request_ref(CALLBACK_PATHS[action]), body)
    if found and isinstance(body.get("message"), dict):
        precise = spec.errors(
            spec.CRVS,
            spec.pointer("components", "schemas", MESSAGE_SCHEMAS[action]),
            body["message"],
        )
        found = [e for e in found if not e.path.startswith("/message")] + [
            spec.SchemaError("/message" + e.path, e.message) for e in precise
        ]
    if found:
        return envelope.error(400, "err.request.bad", "; ".join(str(e) for e in found[:10]))
    try:
        envelope.check_signature(partner, body)
    except envelope.EnvelopeRefused as refused:
        return envelope.error(refused.status, refused.code, str(refused))
    with zone_scope(), transaction.atomic():
        if action == "notify":
            deaths.notices_receive(registry, body["message"])
        else:
            client.subscription_confirmed(registry, body["message"])
    return envelope.ack(envelope.new_id())


# --- pages -----------------------------------------------------------------------------------


def can_review_deaths(user) -> bool:
    return payroll_permissions.can_prepare_payments(user)


def can_read_notifications(user) -> bool:
    return user.is_authenticated and (user.is_zone_admin or user.has_role(RoleCode.DIRECTOR))


@login_required
def death_review_list(request):
    """Deaths the civil registry notified that a weak match ties to the organisation's persons."""
    if not can_review_deaths(request.user):
        raise PermissionDenied
    qs = (
        DeathMatch.objects.filter(status=MatchStatus.PENDING)
        .select_related("notice__registry", "person")
        .order_by("notice__received_at", "pk")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "interop/death_review.html", {"page": page})


@login_required
@require_POST
def death_review_decide(request, pk):
    if not can_review_deaths(request.user):
        raise PermissionDenied
    match = get_for_scope(DeathMatch, pk=pk)
    decision = request.POST.get("decision")
    if decision not in ("accept", "reject"):
        messages.error(request, _("Décision : confirmer ou écarter."))
        return redirect("interop-death-review")
    try:
        deaths.death_match_decide(match=match, accept=decision == "accept", user=request.user)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(
            request,
            _("Décès enregistré : les prestations s'arrêtent à la fin du mois du décès.")
            if decision == "accept"
            else _("Rapprochement écarté."),
        )
    return redirect("interop-death-review")


@login_required
def notification_list(request):
    """Notifications sent to the subscribers of the organisation's partners, with their status."""
    if not can_read_notifications(request.user):
        raise PermissionDenied
    status = request.GET.get("status", "")
    qs = Notification.objects.select_related("subscription__partner").order_by("-created_at", "-pk")
    if status in NotificationStatus.values:
        qs = qs.filter(status=status)
    else:
        status = ""
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "interop/notifications.html",
        {"page": page, "status": status, "statuses": NotificationStatus.choices},
    )
