"""Reads of the audit trail: a record's history as its viewer may see it."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.utils.translation import gettext as _

from kafo.accounts.permissions import can

from .models import AuditAction, AuditEvent

HISTORY_PAGE_SIZE = 50


@dataclass(frozen=True)
class History:
    """What a record's history tab shows to one viewer.

    `events` are the record's changes, newest first, a page at a time (None while the refused
    accesses are listed). Refused attempts to
    open the record from another organisation are kept in the trail but listed apart: only
    staff (`staff_view`) see how many there were (`denied_count`) and, when asked, their list
    (`denied`). A portal user sees no address and no staff name: each event says "vous", "agent
    de <organisation>" or the like instead (`AuditEvent.shown_actor`).
    """

    events: Page | None
    staff_view: bool
    denied_count: int | None = None
    denied: Page | None = None


def sees_staff_identities(viewer) -> bool:
    """Staff of the organisation see who acted and from where; an employer's portal users do not."""
    return (
        can(viewer, "registry.view") and viewer.employer_id is None and not viewer.is_employer_user
    )


def _of(subject):
    return AuditEvent.objects.filter(
        subject_type=subject._meta.model_name, subject_id=str(subject.pk)
    )


def history_of(subject):
    """The changes shown on a record's history tab, newest first (refused accesses excepted)."""
    return _of(subject).exclude(action=AuditAction.DENIED)


def denied_accesses_of(subject):
    """Refused attempts, from outside the owner organisation, to open the record."""
    return _of(subject).filter(action=AuditAction.DENIED)


def record_history(subject, *, viewer, page=1, denied: bool = False) -> History:
    """Return the page `page` of `subject`'s history, or of its refused accesses if `denied`.

    The refused-access list is for staff only: a portal user asking for it gets the changes.
    """
    staff = sees_staff_identities(viewer)
    if staff and denied:
        attempts = Paginator(denied_accesses_of(subject), HISTORY_PAGE_SIZE).get_page(page)
        _present(attempts, viewer, staff=True)
        return History(
            events=None,
            staff_view=True,
            denied_count=attempts.paginator.count,
            denied=attempts,
        )
    events = Paginator(history_of(subject), HISTORY_PAGE_SIZE).get_page(page)
    _present(events, viewer, staff=staff)
    return History(
        events=events,
        staff_view=staff,
        denied_count=denied_accesses_of(subject).count() if staff else None,
    )


def _present(events, viewer, *, staff: bool) -> None:
    """Set `shown_actor` on each event; for a portal viewer, also blank staff names and addresses.

    A portal viewer's events lose their `actor_label` and `ip_address`, and the user references
    in their changes (fields named `…_by`) read as the actor does.
    """
    if staff:
        for event in events:
            event.shown_actor = event.actor_label
        return
    ids = {event.actor_id for event in events if event.actor_id}
    for event in events:
        for field, values in event.changes.items():
            if field.endswith("_by") and isinstance(values, list):
                ids.update(v for v in values if isinstance(v, int))
    names = _names_for_portal(ids, viewer)
    for event in events:
        event.shown_actor = names.get(event.actor_id) or _("système")
        event.actor_label = event.shown_actor
        event.ip_address = None
        event.changes = {
            field: [
                names.get(v, _("personnel de l'organisme")) if v is not None else None
                for v in values
            ]
            if field.endswith("_by") and isinstance(values, list)
            else values
            for field, values in event.changes.items()
        }


def _names_for_portal(user_ids: set[int], viewer) -> dict[int, str]:
    names = {}
    users = get_user_model().objects.filter(pk__in=user_ids).select_related("organisation")
    for user in users:
        if user.pk == viewer.pk:
            names[user.pk] = _("vous")
        elif user.employer_id:
            names[user.pk] = _("utilisateur du portail de l'employeur")
        elif user.organisation_id:
            names[user.pk] = _("agent de %(organisation)s") % {
                "organisation": user.organisation.code
            }
        else:
            names[user.pk] = _("personnel de la zone")
    return names
