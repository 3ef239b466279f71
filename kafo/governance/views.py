"""Pages of governance: thin — parse a form, call one service or selector, render."""

from __future__ import annotations

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kafo.organisations.tenancy import get_for_scope

from . import board_pack, forms, selectors, services
from .access import can_manage, can_read, can_update_status
from .models import (
    Action,
    Body,
    Decision,
    DecisionStatusChange,
    Indicator,
    Plan,
    Priority,
    Session,
    Status,
)


def _require_read(request) -> None:
    if not can_read(request.user):
        raise PermissionDenied


def _require_manage(request) -> None:
    if not can_manage(request.user):
        raise PermissionDenied


def _organisation_for_create(request, form):
    return form.cleaned_data.get("organisation") or request.user.organisation


def _form_view(request, form, save, *, title, **context):
    """Show `form` under `title`; on a valid POST, answer what `save(cleaned_data)` returns.

    The one create/edit flow of governance's pages: `save` calls one service and returns the
    redirect to the page that shows the result; a ValidationError the service raises is shown
    on the form's fields, and the form again.
    """
    if request.method == "POST" and form.is_valid():
        try:
            response = save(form.cleaned_data)
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            return response
    return render(request, "governance/form.html", {"form": form, "title": title, **context})


# --- bodies and sessions --------------------------------------------------------------------


@login_required
def body_list(request):
    _require_read(request)
    return render(
        request,
        "governance/body_list.html",
        {"bodies": selectors.body_list(), "can_manage": can_manage(request.user)},
    )


@login_required
def body_create(request):
    _require_manage(request)
    form = forms.BodyForm(request.POST or None, user=request.user)

    def save(data):
        body = services.body_create(
            organisation=_organisation_for_create(request, form),
            name=data["name"],
            kind=data["kind"],
            description=data["description"],
        )
        return redirect("governance-body-detail", pk=body.pk)

    return _form_view(request, form, save, title=_("Nouvelle instance"))


@login_required
def body_detail(request, pk):
    _require_read(request)
    body = get_for_scope(Body, pk=pk)
    return render(
        request,
        "governance/body_detail.html",
        {
            "body": body,
            "members": body.members.select_related("user"),
            "sessions": selectors.body_sessions(body),
            "can_manage": can_manage(request.user),
        },
    )


@login_required
def member_add(request, pk):
    _require_manage(request)
    body = get_for_scope(Body, pk=pk)
    form = forms.MemberForm(request.POST or None, organisation_id=body.organisation_id)

    def save(data):
        services.body_member_add(body=body, **data)
        return redirect("governance-body-detail", pk=body.pk)

    title = _("Nouveau membre — %(b)s") % {"b": body}
    return _form_view(request, form, save, title=title, parent=body)


@login_required
def session_create(request, pk):
    _require_manage(request)
    body = get_for_scope(Body, pk=pk)
    form = forms.SessionForm(request.POST or None, request.FILES or None, body=body)

    def save(data):
        session = services.session_create(body=body, **data)
        return redirect("governance-session-detail", pk=session.pk)

    title = _("Nouvelle session — %(b)s") % {"b": body}
    return _form_view(request, form, save, title=title, multipart=True)


@login_required
def session_detail(request, pk):
    _require_read(request)
    session = get_for_scope(Session, queryset=Session.objects.select_related("body"), pk=pk)
    manage = can_manage(request.user)
    return render(
        request,
        "governance/session_detail.html",
        {
            "session": session,
            "attendees": session.attendees.all(),
            "decisions": selectors.session_decisions(session),
            "pack_count": len(selectors.board_pack(session)),
            "can_manage": manage,
            "decision_form": forms.DecisionForm(organisation_id=session.organisation_id)
            if manage
            else None,
        },
    )


@login_required
def session_edit(request, pk):
    _require_manage(request)
    session = get_for_scope(Session, queryset=Session.objects.select_related("body"), pk=pk)
    initial = {
        "date": session.date,
        "place": session.place,
        "agenda": session.agenda,
        "attendees": list(session.attendees.all()),
        "other_attendees": session.other_attendees,
    }
    form = forms.SessionForm(
        request.POST or None, request.FILES or None, body=session.body, initial=initial
    )

    def save(data):
        services.session_update(session=session, **data)
        return redirect("governance-session-detail", pk=session.pk)

    title = _("Modifier — %(s)s") % {"s": session}
    return _form_view(request, form, save, title=title, multipart=True)


@login_required
def session_minutes(request, pk):
    _require_read(request)
    session = get_for_scope(Session, pk=pk)
    return _serve(session.minutes)


@login_required
def session_pack(request, pk, fmt):
    _require_read(request)
    session = get_for_scope(Session, queryset=Session.objects.select_related("body"), pk=pk)
    rows = selectors.board_pack(session)
    name = f"dossier-session-{session.body_id}-{session.number}"
    if fmt == "xlsx":
        response = HttpResponse(
            board_pack.to_xlsx(session, rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    if fmt == "pdf":
        response = HttpResponse(board_pack.to_pdf(session, rows), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
        return response
    raise Http404


def _serve(field):
    """Return a stored file after the caller checked the scope (no public media URL)."""
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, filename=PurePath(field.name).name)


# --- decisions ------------------------------------------------------------------------------


@login_required
@require_POST
def decision_create(request, pk):
    _require_manage(request)
    session = get_for_scope(Session, queryset=Session.objects.select_related("body"), pk=pk)
    form = forms.DecisionForm(request.POST, organisation_id=session.organisation_id)

    def save(data):
        decision = services.decision_create(session=session, by=request.user, **data)
        messages.success(request, _("Décision %(r)s enregistrée.") % {"r": decision.reference})
        return redirect("governance-session-detail", pk=session.pk)

    title = _("Nouvelle décision — %(s)s") % {"s": session}
    return _form_view(request, form, save, title=title)


@login_required
def decision_detail(request, pk):
    _require_read(request)
    decision = get_for_scope(
        Decision, queryset=Decision.objects.select_related("session__body", "owner_user"), pk=pk
    )
    today = timezone.localdate()
    decision.shown_status = selectors.effective_status(decision.status, decision.deadline, today)
    decision.shown_status_label = Status(decision.shown_status).label
    return render(
        request,
        "governance/decision_detail.html",
        {
            "decision": decision,
            "history": selectors.decision_history(decision),
            "delegations": decision.delegations.select_related("delegate"),
            "can_manage": can_manage(request.user),
            "can_update": can_update_status(request.user, decision),
            "status_form": forms.DecisionStatusForm(
                initial={"status": decision.status, "follow_up_note": decision.follow_up_note}
            ),
        },
    )


@login_required
def decision_edit(request, pk):
    _require_manage(request)
    decision = get_for_scope(Decision, queryset=Decision.objects.select_related("session"), pk=pk)
    fields = forms.DecisionForm.base_fields
    initial = {f: getattr(decision, f) for f in fields}
    form = forms.DecisionForm(
        request.POST or None, organisation_id=decision.organisation_id, initial=initial
    )

    def save(data):
        services.decision_update(decision=decision, data=data, by=request.user)
        return redirect("governance-decision-detail", pk=decision.pk)

    return _form_view(request, form, save, title=_("Modifier — %(d)s") % {"d": decision})


@login_required
def decision_status(request, pk):
    _require_read(request)
    decision = get_for_scope(Decision, queryset=Decision.objects.select_related("session"), pk=pk)
    if not can_update_status(request.user, decision):
        raise PermissionDenied
    form = forms.DecisionStatusForm(request.POST or None, request.FILES or None)

    def save(data):
        services.decision_set_status(
            decision=decision,
            status=data["status"],
            by=request.user,
            note=data["note"],
            evidence=data["evidence"],
            follow_up_note=data["follow_up_note"],
        )
        messages.success(request, _("Statut enregistré."))
        return redirect("governance-decision-detail", pk=decision.pk)

    title = _("Statut — %(d)s") % {"d": decision}
    return _form_view(request, form, save, title=title, multipart=True)


@login_required
def evidence_file(request, pk):
    _require_read(request)
    change = get_for_scope(DecisionStatusChange, pk=pk)
    return _serve(change.evidence)


@login_required
def delegation_create(request, pk):
    _require_manage(request)
    decision = get_for_scope(Decision, queryset=Decision.objects.select_related("session"), pk=pk)
    form = forms.DelegationForm(request.POST or None, organisation_id=decision.organisation_id)

    def save(data):
        services.delegation_grant(decision=decision, **data)
        return redirect("governance-decision-detail", pk=decision.pk)

    title = _("Délégation accordée par %(d)s") % {"d": decision}
    return _form_view(request, form, save, title=title)


@login_required
def delegation_list(request):
    _require_read(request)
    return render(
        request,
        "governance/delegation_list.html",
        {"delegations": selectors.delegation_list(), "today": timezone.localdate()},
    )


# --- follow-up ------------------------------------------------------------------------------


@login_required
def follow_up(request):
    """What is due for one owner: the user by default; managers may pick any owner's name."""
    _require_read(request)
    owner = request.GET.get("owner", "").strip()
    manage = can_manage(request.user)
    if owner and manage:
        data = selectors.follow_up(owner_name=owner)
    else:
        data = selectors.follow_up(user=request.user)
    return render(
        request,
        "governance/follow_up.html",
        {
            "data": data,
            "owner": owner,
            "owners": selectors.owner_names() if manage else [],
        },
    )


# --- plans ----------------------------------------------------------------------------------


@login_required
def plan_list(request):
    _require_read(request)
    return render(
        request,
        "governance/plan_list.html",
        {"plans": selectors.plan_list(), "can_manage": can_manage(request.user)},
    )


@login_required
def plan_create(request):
    _require_manage(request)
    form = forms.PlanForm(request.POST or None, user=request.user)

    def save(data):
        data = dict(data)
        data.pop("organisation", None)
        plan = services.plan_create(organisation=_organisation_for_create(request, form), **data)
        return redirect("governance-plan-detail", pk=plan.pk)

    return _form_view(request, form, save, title=_("Nouveau plan"))


@login_required
def plan_detail(request, pk):
    _require_read(request)
    plan = get_for_scope(Plan, queryset=Plan.objects.select_related("organisation__country"), pk=pk)
    return render(
        request,
        "governance/plan_detail.html",
        {
            "view": selectors.plan_rollup(plan),
            "plan": plan,
            "currency": plan.organisation.currency,
            "can_manage": can_manage(request.user),
        },
    )


@login_required
def priority_add(request, pk):
    _require_manage(request)
    plan = get_for_scope(Plan, pk=pk)
    form = forms.PriorityForm(request.POST or None)

    def save(data):
        services.priority_add(plan=plan, **data)
        return redirect("governance-plan-detail", pk=plan.pk)

    return _form_view(request, form, save, title=_("Nouvel axe — %(p)s") % {"p": plan})


@login_required
def action_add(request, pk):
    _require_manage(request)
    priority = get_for_scope(Priority, pk=pk)
    form = forms.ActionForm(request.POST or None, organisation_id=priority.organisation_id)

    def save(data):
        services.action_add(priority=priority, **data)
        return redirect("governance-plan-detail", pk=priority.plan_id)

    title = _("Nouvelle action — %(p)s") % {"p": priority}
    return _form_view(request, form, save, title=title)


@login_required
def action_status(request, pk):
    _require_read(request)
    action = get_for_scope(Action, queryset=Action.objects.select_related("priority"), pk=pk)
    if not can_update_status(request.user, action):
        raise PermissionDenied
    form = forms.ActionStatusForm(
        request.POST or None,
        initial={"status": action.status, "percent_done": action.percent_done, "note": action.note},
    )

    def save(data):
        services.action_set_status(action=action, **data)
        return redirect("governance-plan-detail", pk=action.priority.plan_id)

    return _form_view(request, form, save, title=_("Statut — %(a)s") % {"a": action})


@login_required
def indicator_add(request, pk):
    _require_manage(request)
    plan = get_for_scope(Plan, pk=pk)
    form = forms.IndicatorForm(request.POST or None, plan=plan)

    def save(data):
        services.indicator_add(plan=plan, **data)
        return redirect("governance-plan-detail", pk=plan.pk)

    title = _("Nouvel indicateur — %(p)s") % {"p": plan}
    return _form_view(request, form, save, title=title)


@login_required
def measure_add(request, pk):
    _require_manage(request)
    indicator = get_for_scope(Indicator, pk=pk)
    form = forms.MeasureForm(request.POST or None)

    def save(data):
        services.indicator_measure_record(indicator=indicator, **data)
        return redirect("governance-plan-detail", pk=indicator.plan_id)

    title = _("Nouvelle mesure — %(i)s") % {"i": indicator}
    return _form_view(request, form, save, title=title)
