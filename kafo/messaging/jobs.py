"""Background jobs of the messaging app (kafo/jobs, queue "sms"): arguments are ids only."""

from kafo.jobs import task
from kafo.messaging import services


@task(queue_name="sms")
def send_sms_batch_task(organisation_id: int, ids: list[int]) -> None:
    services.send_sms_batch(organisation_id, ids)


@task(queue_name="sms")
def collect_sms_receipts_task(organisation_id: int) -> None:
    services.collect_sms_receipts(organisation_id)


@task(queue_name="sms")
def send_email_task(organisation_id: int, email_id: int) -> None:
    services.send_email(organisation_id, email_id)


@task(queue_name="sms")
def notify_declared_workers_task(organisation_id: int, declaration_ids: list[int]) -> None:
    from kafo.messaging.workers import notify_declared_workers

    notify_declared_workers(organisation_id, declaration_ids)


def enqueue_declared_workers(organisation_id: int, declaration_ids: list[int]) -> None:
    """Enqueue, on commit, the worker SMS of accepted declarations (one job per import)."""
    from kafo.jobs import enqueue_on_commit

    if declaration_ids:
        enqueue_on_commit(notify_declared_workers_task, organisation_id, declaration_ids)
