"""`kafo demo` schedules the one daily run (`kafo daily`) when it starts, never twice."""

import datetime as dt
import io

from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from kafo.jobs.daily import TASK_PATH
from kafo.portal.management.commands import demo
from kafo.registry.services import person_register


def test_demo_schedules_the_daily_run_once_over_two_starts(
    zone, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    settings.DATA_DIR = tmp_path
    # migrate and collectstatic left out: the test database is migrated, static files unused
    monkeypatch.setattr(
        demo,
        "call_command",
        lambda name, *args, **kw: (
            None if name in ("migrate", "collectstatic") else call_command(name, *args, **kw)
        ),
    )
    person_register(  # a demo zone already there: no seeding
        organisation=zone["INPS-ML"],
        data={
            "family_name": "Traoré",
            "given_names": "Awa",
            "sex": "F",
            "birth_date": dt.date(1990, 1, 1),
        },
    )
    first, second = io.StringIO(), io.StringIO()
    for out in (first, second):  # the job is enqueued once the command's transaction commits
        with django_capture_on_commit_callbacks(execute=True):
            call_command("demo", "--no-serve", stdout=out)
    assert "Traitement quotidien programmé le " in first.getvalue()
    assert "Traitement quotidien déjà programmé : rien d'ajouté." in second.getvalue()
    assert DBTaskResult.objects.filter(task_path=TASK_PATH, status="READY").count() == 1
