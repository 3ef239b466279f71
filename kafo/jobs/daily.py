"""The system's one daily run: `kafo daily [--on DATE]` from cron, or the job below from the
worker (`kafo daily --schedule` starts its cycle: each run enqueues the next for 02:00).

In order, each step idempotent (a second run the same day creates nothing):

1. governance: overdue decisions and actions marked late, the day's reminders (`governance daily`);
2. collection: notices to employers, assessments, the quarterly SMS to undeclared workers
   (`collection daily`);
3. payroll: benefits past their last day due stopped (`benefits_stop_expired`), family
   allowances brought in line with the children's rights (`payroll allowances`);
4. statistics: the indicators of the last two complete months (`stats compute`), when the stats
   app has it.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io

from django.core.management import call_command
from django.utils import timezone

from kafo.jobs import enqueue_on_commit, task

RUN_AT = dt.time(2, 0)
TASK_PATH = "kafo.jobs.daily.daily_job"


def _payroll_stop_expired(on: dt.date) -> str:
    from kafo.organisations.models import Organisation
    from kafo.organisations.tenancy import tenant_scope, zone_scope
    from kafo.payroll.services import benefits_stop_expired

    with zone_scope():
        organisations = list(Organisation.objects.order_by("code"))
    stopped = 0
    for organisation in organisations:
        with tenant_scope(organisation):
            stopped += benefits_stop_expired(organisation=organisation, on=on)
    return f"Prestations arrivées à échéance arrêtées : {stopped}."


def _stats_compute(on: dt.date) -> str | None:
    if importlib.util.find_spec("kafo.stats.compute") is None:
        return None
    from kafo.stats.compute import compute_all, default_periods

    result = compute_all(default_periods(on))
    return f"Indicateurs calculés : {', '.join(result.periods)} ({result.rows} valeurs)."


def run_daily(on: dt.date | None = None) -> list[str]:
    """Run every daily step for `on` (today by default); return what each one reported."""
    on = on or timezone.localdate()
    day = on.isoformat()
    report: list[str] = []

    def command(name: str, **options) -> None:
        out = io.StringIO()
        call_command(name, stdout=out, **options)
        report.extend(line for line in out.getvalue().splitlines() if line.strip())

    command("governance_daily", date=day)
    command("collection_daily", on=day)
    report.append(_payroll_stop_expired(on))
    command("payroll_allowances", on=day)
    command("voluntary_daily", on=day)
    stats = _stats_compute(on)
    if stats:
        report.append(stats)
    return report


# --- The scheduled job ---------------------------------------------------------------------------


def next_run(now: dt.datetime) -> dt.datetime:
    """02:00 (local time) the day after `now`."""
    tomorrow = timezone.localtime(now).date() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(tomorrow, RUN_AT))


def scheduled():
    """The daily runs waiting (at most one)."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status="READY", task_path=TASK_PATH)


def schedule_next(now: dt.datetime | None = None) -> bool:
    """Enqueue the next daily run at 02:00 unless one is already waiting; return whether it
    did."""
    if scheduled().exists():
        return False
    enqueue_on_commit(daily_job, run_after=next_run(now or timezone.now()))
    return True


@task(queue_name="default")
def daily_job() -> list[str]:
    """Run the day's steps, then enqueue tomorrow's run (even when a step failed: the failure
    stays visible as this job's, the cycle goes on)."""
    try:
        return run_daily()
    finally:
        schedule_next()
