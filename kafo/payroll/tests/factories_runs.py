"""A frozen payroll run with one file, built directly (for the tenant-isolation walk)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kafo.accounts.models import User
from kafo.payroll.models import PayrollFile, PayrollRun, RunStatus


def make_frozen_run(organisation) -> dict:
    preparer = User.objects.create_user(
        username=f"{organisation.code.lower()}.run-preparer", organisation=organisation
    )
    now = timezone.now()
    run = PayrollRun.objects.create(
        organisation=organisation,
        period_start=dt.date(2026, 3, 1),
        status=RunStatus.FROZEN,
        prepared_by=preparer,
        prepared_at=now,
        frozen_at=now,
    )
    f = PayrollFile.objects.create(
        organisation=organisation,
        run=run,
        kind="mobile_money",
        label="Orange Money",
        name="SECRET-run.csv",
        content_type="text/csv",
        content=b"SECRET",
        line_count=0,
        total=0,
        sha256="0" * 64,
        created_at=now,
    )
    return {"run": run, "run_file": f}
