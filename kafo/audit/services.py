"""Write the audit trail. Services call these inside their own transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models
from django.db.models.fields.files import FieldFile

from .context import current_actor
from .models import AuditAction, AuditEvent

SKIPPED_FIELDS = {"search_keys", "updated_at", "created_at"}


def snapshot(instance: models.Model) -> dict:
    """Return the instance's concrete field values as JSON-safe data."""
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in SKIPPED_FIELDS:
            continue
        value = getattr(instance, field.attname)
        data[field.name] = _jsonable(value)
    return data


def _jsonable(value):
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, dt.date | dt.datetime | Decimal):
        return str(value)
    return value


def diff(before: dict, after: dict) -> dict:
    """Return {field: [old, new]} for the fields that changed."""
    return {
        k: [before.get(k), after.get(k)]
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    }


def _event(
    *, action: str, instance: models.Model, changes: dict, subject_type: str, subject_id
) -> AuditEvent:
    actor = current_actor()
    return AuditEvent(
        organisation_id=instance.organisation_id,
        actor_id=actor.user_id,
        actor_label=actor.label,
        ip_address=actor.ip_address,
        action=action,
        object_type=instance._meta.model_name,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        subject_type=subject_type,
        subject_id=str(subject_id),
        changes=changes,
    )


def record_change(
    *,
    action: str,
    instance: models.Model,
    changes: dict,
    subject: models.Model | None = None,
) -> AuditEvent:
    subject = subject or instance
    event = _event(
        action=action,
        instance=instance,
        changes=changes,
        subject_type=subject._meta.model_name,
        subject_id=subject.pk,
    )
    event.save()
    return event


def _created_changes(instance) -> dict:
    return {k: [None, v] for k, v in snapshot(instance).items() if v not in (None, "")}


def record_created(instance, *, subject=None) -> AuditEvent:
    return record_change(
        action=AuditAction.CREATE,
        instance=instance,
        changes=_created_changes(instance),
        subject=subject,
    )


def record_created_many(instances, *, subject_type: str, subject_field: str) -> int:
    """The events `record_created` writes for each instance, in one bulk insert (bulk imports).

    The subject is named by type and by the instance's foreign-key field (e.g. "employer",
    "employer_id"), so no subject row is loaded. Written by kafo.bulk.insert_many (the same
    rows as bulk_create, without the ORM compiling each value).
    """
    from types import SimpleNamespace

    from kafo.bulk import insert_many

    actor = current_actor()
    # The rows of `_event`, as plain objects: no model instance built per event.
    events = [
        SimpleNamespace(
            organisation_id=instance.organisation_id,
            at=None,
            actor_id=actor.user_id,
            actor_label=actor.label,
            ip_address=actor.ip_address,
            action=AuditAction.CREATE,
            object_type=instance._meta.model_name,
            object_id=str(instance.pk),
            object_repr=str(instance)[:200],
            subject_type=subject_type,
            subject_id=str(getattr(instance, subject_field)),
            changes=_created_changes(instance),
        )
        for instance in instances
    ]
    return insert_many(AuditEvent, events)


def record_updated(instance, before: dict, *, subject=None) -> AuditEvent | None:
    changes = diff(before, snapshot(instance))
    if not changes:
        return None
    return record_change(
        action=AuditAction.UPDATE, instance=instance, changes=changes, subject=subject
    )


def record_deleted(instance, before: dict, *, subject=None) -> AuditEvent:
    changes = {k: [v, None] for k, v in before.items() if v not in (None, "")}
    return record_change(
        action=AuditAction.DELETE, instance=instance, changes=changes, subject=subject
    )


def record_denied_access(*, model, pk) -> None:
    """Log, in the owner's trail, that someone outside its organisation tried to reach a record."""
    instance = model.unscoped.filter(pk=pk).first()
    if instance is None:
        return
    actor = current_actor()
    AuditEvent.unscoped.create(
        organisation_id=instance.organisation_id,
        actor_id=actor.user_id,
        actor_label=actor.label,
        ip_address=actor.ip_address,
        action=AuditAction.DENIED,
        object_type=model._meta.model_name,
        object_id=str(pk),
        subject_type=model._meta.model_name,
        subject_id=str(pk),
        changes={},
    )
