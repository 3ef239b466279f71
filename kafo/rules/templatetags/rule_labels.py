from django import template

from kafo.rules import labels

register = template.Library()


@register.filter
def branch_label(code):
    """{{ r.branch|branch_label }}: a branch code by its display name."""
    return labels.branch_label(code)


@register.filter
def component_label(code):
    """{{ r.component|component_label }}: a rate component code by its display name."""
    return labels.component_label(code)
