"""`{% claim_coordination claim %}`: the coordination section of a claim page (CIPRES
convention): the other organisations of the zone person, the request sent to each with its
status and deadline, the periods received, the forward, each decision received, the buttons of
the next steps for a liaison officer, and the summary of decisions.

A template tag, so the benefits app's claim page shows it without importing this app (as the
registry's person page loads `payroll_access`)."""

from django import template

from kafo.accounts.permissions import can
from kafo.benefits import permissions as benefits_permissions

from ..summary_data import claim_coordination as coordination_of

register = template.Library()


@register.inclusion_tag("exchange/_claim_coordination.html", takes_context=True)
def claim_coordination(context, claim):
    user = context["request"].user
    coordination = coordination_of(claim)
    return {
        "claim": claim,
        "coordination": coordination,
        "can_liaise": can(user, "exchange.liaise"),
        "can_read_messages": can(user, "exchange.view"),
        "summary": coordination.is_origin
        and coordination.has_forward
        and benefits_permissions.can_read_claims(user),
        "csrf_token": context.get("csrf_token"),
    }
