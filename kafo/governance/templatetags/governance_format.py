from django import template

from ..domain.amounts import format_amount

register = template.Library()


@register.filter
def amount(value, currency="XOF"):
    """{{ action.budget|amount:plan.organisation.currency }} → "125 000 FCFA"."""
    return format_amount(value, currency)


@register.filter
def percent(value):
    return "—" if value is None else f"{value} %".replace(".", ",")
