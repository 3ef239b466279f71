from .models import AuditEvent


def history_of(subject) -> list[AuditEvent]:
    """Return the audit events shown on a record's history tab, newest first."""
    return list(
        AuditEvent.objects.filter(
            subject_type=subject._meta.model_name, subject_id=str(subject.pk)
        ).select_related(None)[:500]
    )
