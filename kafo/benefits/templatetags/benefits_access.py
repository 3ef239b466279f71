"""`{% if user|can_read_claims %}`: the menu shows "Prestations" only to who may open it."""

from django import template

from kafo.benefits import permissions

register = template.Library()


@register.filter
def can_read_claims(user) -> bool:
    return permissions.can_read_claims(user)
