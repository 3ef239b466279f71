"""Kafo's one background-job mechanism, chosen once for the whole system.

Django's tasks framework (the `django-tasks` backport of Django 6's `django.tasks`, so the code
moves to Django 6 by changing one import) with the database backend of `django-tasks-db`: a job is
a row in Kafo's own database (SQLite or PostgreSQL), claimed with `SELECT … FOR UPDATE SKIP
LOCKED` on PostgreSQL and an exclusive transaction on SQLite, so no extra server is needed.

- Define a job: `from kafo.jobs import task` then `@task(queue_name="sms")` on a module-level
  function whose arguments are JSON values (ids, strings), never model instances.
- Enqueue it after the data it reads is committed: `enqueue_on_commit(send_sms, notice.id)`.
- Queues: default, notices, sms, payroll, callbacks, imports (config/settings.py TASKS).
- Run jobs: `kafo jobs work` (a long-running worker; production runs one or more beside
  gunicorn, the demo starts one), `kafo jobs run` (every ready job, then exit: cron or tests),
  `run_pending()` in code and tests.
- Retries: the framework runs a job once. A job that talks to the outside world (SMS, callback)
  records its own attempts on its own row and enqueues itself again with
  `job.using(run_after=…)`: the attempt count and the last error stay visible to the user.
"""

from __future__ import annotations

from django.db import transaction
from django_tasks import task  # noqa: F401  (re-exported: the one way to define a job)

__all__ = ["task", "enqueue_on_commit", "run_pending", "pending_count", "failed_jobs"]


def enqueue_on_commit(job, *args, run_after=None, **kwargs) -> None:
    """Enqueue `job(*args, **kwargs)` once the current transaction commits (at once outside one)."""

    def _enqueue():
        target = job.using(run_after=run_after) if run_after is not None else job
        target.enqueue(*args, **kwargs)

    transaction.on_commit(_enqueue)


def run_pending(queues: list[str] | None = None, max_tasks: int | None = None) -> int:
    """Run every ready job of `queues` (all by default) in this process, then return.

    Returns the number of jobs run. Jobs scheduled for later (run_after in the future) stay.
    """
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    before = DBTaskResult.objects.exclude(status="READY").count()
    Worker(
        queue_names=queues or ["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id="kafo-inline",
        excluded_queue_names=[],
    ).run()
    return DBTaskResult.objects.exclude(status="READY").count() - before


def pending_count(queue: str | None = None) -> int:
    """Jobs waiting to run (ready now or later)."""
    from django_tasks_db.models import DBTaskResult

    jobs = DBTaskResult.objects.filter(status="READY")
    if queue:
        jobs = jobs.filter(queue_name=queue)
    return jobs.count()


def failed_jobs(queue: str | None = None):
    """Jobs that raised: what an operator looks at (`kafo jobs failed`)."""
    from django_tasks_db.models import DBTaskResult

    jobs = DBTaskResult.objects.filter(status="FAILED").order_by("-finished_at")
    if queue:
        jobs = jobs.filter(queue_name=queue)
    return jobs
