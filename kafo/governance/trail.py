"""The audit trail of the governance rows that carry a file (sessions' minutes, evidence of a
decision's status): their snapshot records the file's name."""

from __future__ import annotations

from django.db.models import FileField

from kafo.audit import services as audit
from kafo.audit.models import AuditAction


# The shared audit snapshot does not turn a FileField's value into text yet (reported); for the
# two models that carry a file, the trail is written from a snapshot that records the file name.
def _snapshot(instance) -> dict:
    files = {f.attname for f in instance._meta.concrete_fields if isinstance(f, FileField)}
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in audit.SKIPPED_FIELDS:
            continue
        value = getattr(instance, field.attname)
        data[field.name] = (value.name or "") if field.attname in files else audit._jsonable(value)
    return data


def _audit_created(instance, *, subject=None) -> None:
    changes = {k: [None, v] for k, v in _snapshot(instance).items() if v not in (None, "")}
    audit.record_change(
        action=AuditAction.CREATE, instance=instance, changes=changes, subject=subject
    )


def _audit_updated(instance, before: dict, *, subject=None) -> None:
    changes = audit.diff(before, _snapshot(instance))
    if changes:
        audit.record_change(
            action=AuditAction.UPDATE, instance=instance, changes=changes, subject=subject
        )
