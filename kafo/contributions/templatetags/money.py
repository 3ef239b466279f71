from decimal import Decimal

from django import template

from kafo.contributions.domain.compute import format_amount

register = template.Library()


@register.filter
def fcfa(value):
    """125000 -> '125 000 FCFA'."""
    if value in (None, ""):
        return "—"
    return format_amount(Decimal(value))


@register.filter
def neg(value):
    """-125000 -> 125000 (credits shown as positive amounts in a credit column)."""
    return -Decimal(value)
