from django import template

from kafo.audit import labels

register = template.Library()


@register.simple_tag
def field_label(event, field):
    """{% field_label e field %}: the verbose name of a field changed by an audit event."""
    return labels.field_label(event.object_type, field)
