"""The per-role dashboards (the home page of every staff user), the Excel export of an
indicator table and the director's monthly report.

The figures of each section are built in sections.py (from the snapshots of
`kafo stats compute`: a page never scans the declarations); who may open the list behind a
figure in links.py.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from kafo.accounts.models import RoleCode
from kafo.stats import sections, selectors
from kafo.stats.format import period_label
from kafo.stats.sections import ROLE_INDICATORS, ZONE_CODES


@login_required
def dashboard(request):
    """The home page of a staff user: one section per role they hold (called by the portal)."""
    from kafo.accounts.permissions import can
    from kafo.registry.models import Employer, Person

    user = request.user
    organisation = user.organisation
    today = timezone.localdate()
    roles = user.role_codes()
    context: dict = {
        "roles": sorted(user.roles.all(), key=lambda r: r.code),
        "can_view_registry": can(user, "registry.view"),
        "can_edit_registry": can(user, "registry.edit"),
        "sections": set(),
    }
    if user.is_zone_admin:
        period = selectors.latest_period(None)
        headers, rows, totals = sections.zone(period)
        context |= {"zone_headers": headers, "zone_rows": rows, "zone_totals": totals}
        context["zone_trends"] = sections.trends(user, None, ZONE_CODES[:4], period)
        context["sections"].add("zone")
    if organisation is not None:
        period = selectors.latest_period(organisation)
        codes: list[str] = []
        for role in roles:
            codes += [c for c in ROLE_INDICATORS.get(role, ()) if c not in codes]
        context["trends"] = sections.trends(user, organisation, codes, period)
        context["period"] = period_label(period) if period else ""
        if RoleCode.DIRECTOR in roles:
            top, chart, total = sections.arrears(user, organisation, period)
            context |= {"top_arrears": top, "arrears_chart": chart, "arrears_total": total}
            context["queues"] = sections.queues(user, organisation, period, today)
            context["sections"].add("director")
        if RoleCode.CONTRIBUTIONS_MANAGER in roles and period:
            context["declarations"] = sections.declarations(user, organisation, period)
            context["pending"] = sections.queue_figure(
                user,
                organisation,
                "pending_registrations",
                period,
                _("Immatriculations en attente"),
                "pending",
            )
        if roles & {RoleCode.BENEFITS_OFFICER, RoleCode.APPROVER, RoleCode.DIRECTOR}:
            context["claims"], context["claims_chart"] = sections.claims(user, today)
        if RoleCode.PAYMENT_OFFICER in roles:
            context["payments"] = sections.payments(user)
        if RoleCode.REGISTRATION_AGENT in roles and period:
            context["registration"] = [
                sections.queue_figure(
                    user,
                    organisation,
                    "pending_registrations",
                    period,
                    _("Immatriculations en attente"),
                    "reg-pending",
                ),
                sections.queue_figure(
                    user,
                    organisation,
                    "review_queue",
                    period,
                    _("Éléments à examiner (index de zone)"),
                    "reg-review",
                ),
            ]
        context["can_export"] = bool(period)
    if context["can_view_registry"]:
        context["person_count"] = Person.objects.count()
        context["employer_count"] = Employer.objects.count()
    if user.employer_id:
        context["own_employer"] = Employer.objects.filter(pk=user.employer_id).first()
    return render(request, "stats/dashboard.html", context)


def _may_read_indicators(user) -> bool:
    return user.is_authenticated and (
        user.is_zone_admin or (user.organisation_id is not None and user.has_role(*ROLE_INDICATORS))
    )


def _scope(request):
    """The organisation whose table is asked: the user's own; the zone (None) for a zone admin."""
    user = request.user
    if not _may_read_indicators(user):
        raise PermissionDenied
    if user.is_zone_admin and user.organisation_id is None:
        return None
    return user.organisation


@login_required
def indicators_xlsx(request):
    """The indicator table of the last 12 months (own organisation, or the zone) in Excel."""
    from kafo.stats.reports import indicator_table_xlsx

    organisation = _scope(request)
    periods = selectors.last_periods(12, until=selectors.latest_period(organisation))
    data = indicator_table_xlsx(organisation, periods)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = organisation.code if organisation else "zone"
    response["Content-Disposition"] = f'attachment; filename="indicateurs-{name}.xlsx"'
    return response


@login_required
def monthly_report_pdf(request):
    """The director's monthly report (own organisation) as PDF."""
    from kafo.stats.reports import monthly_report_pdf as build

    user = request.user
    if not (user.organisation_id and user.has_role(RoleCode.DIRECTOR)):
        raise PermissionDenied
    period = selectors.latest_period(user.organisation)
    data = build(user.organisation, period)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="rapport-mensuel-{user.organisation.code}-{period or "vide"}.pdf"'
    )
    return response
