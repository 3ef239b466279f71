"""The daily job of the indicators (kafo/jobs): compute the last two complete months, then
enqueue itself for the next day at 02:00 (local time), once.

Start the cycle once with `schedule_daily()` (the demo and deployment do; calling it again
while a run is pending adds nothing).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kafo.jobs import enqueue_on_commit, task

RUN_AT = dt.time(2, 0)
TASK_PATH = "kafo.stats.compute_job.compute_daily"


def _next_run(now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    tomorrow = local.date() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(tomorrow, RUN_AT))


def _pending() -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status="READY", task_path=TASK_PATH).exists()


def schedule_daily(now: dt.datetime | None = None) -> bool:
    """Enqueue the next daily run unless one is already waiting; return whether it did."""
    if _pending():
        return False
    enqueue_on_commit(compute_daily, run_after=_next_run(now or timezone.now()))
    return True


@task(queue_name="default")
def compute_daily() -> int:
    """Compute the last two complete months' indicators; schedule tomorrow's run."""
    from kafo.stats.compute import compute_all

    result = compute_all()
    schedule_daily()
    return result.rows
