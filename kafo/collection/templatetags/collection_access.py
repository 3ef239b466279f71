"""Template filters: whether a user may open the collection pages (links shown only then)."""

from django import template

from kafo.collection import permissions

register = template.Library()


@register.filter
def can_follow_non_filers(user) -> bool:
    return permissions.can_follow_non_filers(user)
