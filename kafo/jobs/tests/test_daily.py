"""`kafo daily`: the system's one daily run; a second run the same day creates nothing; the
scheduled job is never waiting twice and enqueues the next day's at 02:00 when it runs."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kafo.audit.models import AuditEvent
from kafo.collection import services as collection
from kafo.collection.models import Assessment, Notice
from kafo.contributions.models import LedgerEntry
from kafo.jobs import daily, run_pending
from kafo.messaging.models import EmailRecord, SmsMessage
from kafo.registry.services import employer_register
from kafo.rules.services import rules_seed

d = dt.date


def _counts():
    return {
        "notices": Notice.objects.count(),
        "assessments": Assessment.objects.count(),
        "entries": LedgerEntry.objects.count(),
        "sms": SmsMessage.objects.count(),
        "emails": EmailRecord.objects.count(),
        "audit": AuditEvent.objects.count(),
        "jobs": DBTaskResult.objects.count(),
    }


def _daily(*args):
    out = io.StringIO()
    call_command("daily", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)  # the notices' jobs are enqueued on commit
def test_kafo_daily_runs_every_step_and_a_second_run_creates_nothing(zone):
    from kafo.organisations.tenancy import tenant_scope

    rules_seed()
    collection.collection_rules_seed()
    org = zone["CNPS-CM"]
    with tenant_scope(org):
        employer_register(
            organisation=org,
            data={
                "legal_name": "Scierie Nkam",
                "risk_class": 1,
                "phone": "677 12 34 56",
                "registered_on": d(2026, 9, 1),
            },
        )
    out = _daily("--on", "2026-10-16")
    # 2026-09 due 15/10: its overdue notice, by SMS (no e-mail known)
    assert "CNPS-CM : 1 avis, 0 taxation(s) d'office, 0 SMS aux salariés non déclarés" in out
    assert "Prestations arrivées à échéance arrêtées : 0." in out
    assert "Traitements quotidiens terminés." in out
    first = _counts()
    assert (first["notices"], first["assessments"], first["jobs"]) == (1, 0, 1)
    out = _daily("--on", "2026-10-16")
    assert "Terminé : 0 avis, 0 taxation(s) d'office, 0 SMS aux salariés non déclarés." in out
    assert _counts() == first


@pytest.mark.django_db(transaction=True)
def test_the_daily_job_is_scheduled_once_and_reschedules_itself_at_two(zone, monkeypatch):
    tz = ZoneInfo(timezone.get_current_timezone_name())
    now = timezone.make_aware(dt.datetime(2026, 11, 29, 17, 30), tz)
    monkeypatch.setattr(timezone, "now", lambda: now)
    assert "programmé le 30/11/2026 à 02:00" in _daily("--schedule")
    assert "déjà programmé" in _daily("--schedule")
    assert daily.schedule_next() is False
    [job] = daily.scheduled()
    assert timezone.localtime(job.run_after) == timezone.make_aware(
        dt.datetime(2026, 11, 30, 2, 0), tz
    )
    # The worker runs it (made due now): it runs the day's steps and enqueues tomorrow's, once.
    ran = []
    monkeypatch.setattr(daily, "run_daily", lambda on=None: ran.append(on) or ["ok"])
    DBTaskResult.objects.filter(pk=job.pk).update(run_after=now - dt.timedelta(minutes=1))
    assert run_pending() == 1
    assert ran == [None]
    assert DBTaskResult.objects.get(pk=job.pk).status == "SUCCESSFUL"
    [again] = daily.scheduled()
    assert again.pk != job.pk
    assert timezone.localtime(again.run_after) == timezone.make_aware(
        dt.datetime(2026, 11, 30, 2, 0), tz
    )
    assert daily.scheduled().count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_daily_job_reschedules_itself_even_when_a_step_fails(zone, monkeypatch):
    def boom(on=None):
        raise RuntimeError("base indisponible")

    monkeypatch.setattr(daily, "run_daily", boom)
    daily.daily_job.enqueue()
    assert run_pending() == 1
    assert DBTaskResult.objects.filter(task_path=daily.TASK_PATH, status="FAILED").count() == 1
    assert daily.scheduled().count() == 1


@pytest.mark.django_db
def test_schedule_refuses_a_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--schedule et --on"):
        _daily("--schedule", "--on", "2026-11-29")
    assert DBTaskResult.objects.count() == 0
