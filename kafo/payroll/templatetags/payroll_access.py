"""Template filters: show a payroll link only to a user who may open it."""

from django import template

from kafo.payroll import permissions

register = template.Library()


@register.filter
def can_read_payments(user) -> bool:
    return permissions.can_read_payments(user)


@register.filter
def can_record_child_documents(user) -> bool:
    from kafo.payroll.views_statements import DOCUMENT_ROLES

    return user.is_authenticated and user.has_role(*DOCUMENT_ROLES)
