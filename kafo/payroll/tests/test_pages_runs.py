"""The payroll-run pages: prepare, preview, approve by another officer, files, returns."""

import datetime as dt

from kafo.payroll.models import LineStatus, PayrollFile, PayrollLine, PayrollRun, RunStatus
from kafo.payroll.tests.test_runs import benefit, officers, org  # noqa: F401 (fixtures)


def login(client, user):
    client.logout()
    client.force_login(user)


def test_prepare_preview_approve_freeze_download_and_return(client, org, officers):  # noqa: F811
    preparer, approver = officers
    a = benefit(org, "KEITA Moussa", 60_000)
    benefit(org, "DIARRA Awa", 45_000, channel="mobile_money")
    login(client, preparer)
    r = client.post("/payroll/runs/prepare/", {"period": "2026-03", "months": "1"})
    run = PayrollRun.objects.get()
    assert r.status_code == 302 and r.url == f"/payroll/runs/{run.pk}/"
    page = client.get(f"/payroll/runs/{run.pk}/").content.decode()
    assert "105 000" in page and "Aucune anomalie" in page
    assert "Approuver la campagne" not in page  # the preparer may not approve
    client.post(f"/payroll/runs/{run.pk}/approve/")
    run.refresh_from_db()
    assert run.status == RunStatus.PREPARED
    login(client, approver)
    assert "Approuver la campagne" in client.get(f"/payroll/runs/{run.pk}/").content.decode()
    client.post(f"/payroll/runs/{run.pk}/approve/")
    client.post(f"/payroll/runs/{run.pk}/freeze/")
    run.refresh_from_db()
    assert (run.status, run.approved_by_id) == (RunStatus.FROZEN, approver.pk)
    pain = PayrollFile.objects.get(run=run, kind="pain001")
    got = client.get(f"/payroll/runs/{run.pk}/files/{pain.pk}/")
    assert got.status_code == 200 and b"<CtrlSum>60000</CtrlSum>" in got.content
    ref = PayrollLine.objects.get(run=run, benefit=a).reference
    csv = f"reference;etat;motif\n{ref};rejeté;compte clos\n".encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post(
        f"/payroll/runs/{run.pk}/returns/",
        {"file": SimpleUploadedFile("retour.csv", csv, content_type="text/csv")},
    )
    line = PayrollLine.objects.get(run=run, benefit=a)
    assert (line.status, line.failure_reason) == (LineStatus.FAILED, "compte clos")


def test_a_bad_return_line_changes_nothing(client, org, officers):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kafo.payroll import runs

    preparer, approver = officers
    benefit(org, "KEITA Moussa", 60_000)
    run = runs.run_prepare(
        organisation=org, period_start=dt.date(2026, 3, 1), months=1, user=preparer
    )
    runs.run_approve(run=run, user=approver, on=dt.date(2026, 3, 20))
    runs.run_freeze(run=run, user=preparer)
    ref = PayrollLine.objects.get(run=run).reference
    login(client, preparer)
    r = client.post(
        f"/payroll/runs/{run.pk}/returns/",
        {"file": SimpleUploadedFile("r.csv", f"ref;etat\n{ref};peut-être\n".encode())},
        follow=True,
    )
    assert "Ligne 2 : état « peut-être » inconnu" in r.content.decode()
    assert PayrollLine.objects.get(run=run).status == LineStatus.PENDING
