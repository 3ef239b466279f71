"""Staff page: the organisation's SMS and e-mails, newest first, with status, attempts and
the last error (what an agent checks when an employer or worker says nothing arrived)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from kafo.accounts.models import RoleCode
from kafo.messaging.models import EmailRecord, MessageStatus, SmsMessage

PAGE_SIZE = 50
READERS = (RoleCode.CONTRIBUTIONS_MANAGER, RoleCode.DIRECTOR, RoleCode.ZONE_ADMIN)

PURPOSES = {
    "worker_declared": _("Salarié : salaire déclaré"),
    "worker_undeclared": _("Salarié : non déclaré"),
    "collection_notice": _("Employeur : avis de recouvrement"),
}
# A notice to an employer is stored as "collection_notice:<kind>" (kafo.collection.notices).
NOTICE_PURPOSES = {
    "reminder": _("Employeur : rappel"),
    "overdue": _("Employeur : avis d'échéance dépassée"),
    "formal_notice": _("Employeur : mise en demeure"),
    "assessment": _("Employeur : taxation d'office"),
    "penalty": _("Employeur : avis de majoration"),
}


def purpose_label(purpose: str) -> str:
    head, _sep, rest = purpose.partition(":")
    if head == "collection_notice" and rest in NOTICE_PURPOSES:
        return str(NOTICE_PURPOSES[rest])
    return str(PURPOSES.get(head, _("Autre message")))


@login_required
def message_list(request):
    """SMS (default) or e-mails (?kind=email) of the organisation, filtered by status, paged."""
    if not (request.user.has_role(*READERS) or request.user.is_zone_admin):
        raise PermissionDenied
    kind = "email" if request.GET.get("kind") == "email" else "sms"
    status = request.GET.get("status", "")
    if status not in MessageStatus.values:
        status = ""
    model = EmailRecord if kind == "email" else SmsMessage
    rows = model.objects.select_related("organisation").order_by("-created_at", "-id")
    if status:
        rows = rows.filter(status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page:
        row.purpose_label = purpose_label(row.purpose)
    return render(
        request,
        "messaging/message_list.html",
        {"page": page, "kind": kind, "status": status, "statuses": MessageStatus.choices},
    )
