from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render

from kafo.accounts.permissions import can
from kafo.audit.models import AuditEvent
from kafo.organisations.models import Organisation
from kafo.registry.models import Employer, EmployerStatus, Person


def employers_by_status() -> dict[str, int]:
    """Return the number of employers by status display name, in the order of the choices."""
    counts = dict(Employer.objects.values_list("status").annotate(n=Count("id")).order_by())
    return {str(s.label): counts[s.value] for s in EmployerStatus if counts.get(s.value)}


@login_required
def dashboard(request):
    """One page per role: what this user works on, scoped to their organisation."""
    user = request.user
    if user.is_insured_user and user.person_id:
        return redirect("insured-retirement")  # an insured person's home is "Ma retraite"
    if user.is_employer_user and user.employer_id:
        return redirect("collection-employer-home")  # an employer's home is its own page
    staff = not (user.is_insured_user or user.is_employer_user)
    if staff and (user.role_codes() or user.is_zone_admin):
        from kafo.stats.views import dashboard as role_dashboard

        return role_dashboard(request)  # staff: the dashboard of their roles (kafo/stats)
    context = {
        "can_view_registry": can(user, "registry.view"),
        "can_edit_registry": can(user, "registry.edit"),
        "roles": sorted(user.roles.all(), key=lambda r: r.code),
    }
    if context["can_view_registry"]:
        context |= {
            "person_count": Person.objects.count(),
            "employer_count": Employer.objects.count(),
            # by display name ("actif : 427"), never the stored code (issue 18)
            "employers_by_status": employers_by_status(),
            "recent_events": AuditEvent.objects.exclude(action="denied")[:10],
        }
    if user.is_zone_admin:
        context["organisations"] = Organisation.objects.select_related("country")
    if user.employer_id:
        context["own_employer"] = Employer.objects.filter(pk=user.employer_id).first()
    return render(request, "portal/dashboard.html", context)
