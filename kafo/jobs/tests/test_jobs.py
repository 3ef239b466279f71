"""The one job mechanism: a job enqueued in a transaction runs after commit, in the worker."""

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from kafo.jobs import enqueue_on_commit, failed_jobs, pending_count, run_pending
from kafo.jobs.tests.sample_jobs import RAN, boom, record

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_job_enqueued_in_a_rolled_back_transaction_never_exists():
    RAN.clear()
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            enqueue_on_commit(record, "lost")
            raise RuntimeError("rollback")
    assert pending_count() == 0
    assert run_pending() == 0
    assert RAN == []


def test_jobs_wait_in_the_database_until_a_worker_runs_them():
    RAN.clear()
    with transaction.atomic():
        enqueue_on_commit(record, "a")
        enqueue_on_commit(record, "b")
        assert pending_count() == 0  # not before commit
    assert pending_count("default") == 2
    assert RAN == []
    assert run_pending() == 2
    assert sorted(RAN) == ["a", "b"]
    assert pending_count() == 0
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2


def test_a_failing_job_is_kept_as_failed_with_its_error():
    boom.enqueue("disk full")
    assert run_pending() == 1
    failed = list(failed_jobs())
    assert len(failed) == 1
    assert "disk full" in failed[0].exception_class_path + failed[0].traceback
