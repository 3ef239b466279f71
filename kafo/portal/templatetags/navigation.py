"""base.html's menu: `{% navigation_entries as nav %}`, `{% if user|can_search %}`."""

from django import template

from kafo import navigation

register = template.Library()


@register.simple_tag(takes_context=True)
def navigation_entries(context):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return navigation.entries_for(user) if user is not None else []


@register.filter
def can_search(user) -> bool:
    return navigation.can_search(user)
