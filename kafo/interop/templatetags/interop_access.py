from django import template

from kafo.interop import permissions

register = template.Library()


@register.filter
def can_manage_partners(user) -> bool:
    return permissions.can_manage_partners(user)
