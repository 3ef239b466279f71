"""One declaration in force per employer and period, whatever the path and however many submit
at once (issue 12, finding 1: ten threads once stored six originals for one period)."""

import json
import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.db.models import Sum
from django.test import Client

from kafo.contributions.domain.dns import frame_from_rows as rows_frame
from kafo.contributions.models import (
    Declaration,
    DeclarationKind,
    DeclarationLine,
    DeclarationStatus,
    EntryKind,
    LedgerEntry,
)
from kafo.contributions.services import (
    DeclarationConflict,
    DeclarationRejected,
    declaration_submit,
    import_frame,
)
from kafo.organisations.tenancy import zone_scope
from kafo.registry.services import employer_register

PERIOD = "2025-03"
EMPLOYERS = 5
API_SUBMITTERS = 40  # 8 per employer, each with different salaries (a different file)
BULK_SUBMITTERS = 10  # each a file covering the five employers
TIMEOUT_S = 120


def _line(salary: int, nid: str = "12345678901") -> dict:
    return {
        "worker_number": "",
        "national_id": nid,
        "family_name": "Traoré",
        "given_names": "Awa",
        "days_worked": 28,  # within any month (days beyond the period are refused)
        "gross_salary": str(salary),
    }


def _run_all(jobs) -> list:
    """Start every job at once behind a barrier; each thread closes its own connection."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait(timeout=30)
            with zone_scope():
                results[i] = job()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, j)) for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT_S)
    assert not any(t.is_alive() for t in threads), "a submitter hung"
    return results


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks and concurrent writers: PostgreSQL (SQLite has one writer at a time)",
)
@pytest.mark.django_db(transaction=True)
def test_fifty_submitters_through_api_and_bulk_one_declaration_in_force(ci, make_user):
    org = ci["org"]
    employers = [ci["employer"]] + [
        employer_register(organisation=org, data={"legal_name": f"Société {i}", "risk_class": 1})
        for i in range(EMPLOYERS - 1)
    ]
    agent = make_user(org, "contributions_manager")

    def api_job(employer, salary):
        def job():
            client = Client()
            client.force_login(agent)
            payload = {
                "employer_number": employer.number,
                "period": PERIOD,
                "lines": [_line(salary), _line(salary + 7, "12345678902")],
            }
            resp = client.post("/api/declarations", json.dumps(payload), "application/json")
            return resp.status_code

        return job

    def bulk_job(k):
        def job():
            rows = [
                {"employer_number": e.number, "period": PERIOD} | _line(300_000 + 1000 * k + j)
                for j, e in enumerate(employers)
            ]
            try:
                import_frame(frame=rows_frame(rows), organisation=org, submitted_by=agent)
            except DeclarationConflict:
                return "conflict"
            return "stored"

        return job

    jobs = [
        api_job(employers[i % EMPLOYERS], 100_000 + 1000 * i) for i in range(API_SUBMITTERS)
    ] + [bulk_job(k) for k in range(BULK_SUBMITTERS)]
    outcomes = _run_all(jobs)

    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert not errors, errors
    api = Counter(o for o in outcomes[:API_SUBMITTERS])
    bulk = Counter(outcomes[API_SUBMITTERS:])
    assert set(api) <= {201, 409}, api
    assert set(bulk) <= {"stored", "conflict"}, bulk
    # A bulk file is stored whole or not at all: if one was stored, no API submitter won.
    assert api[201] + EMPLOYERS * bulk["stored"] == EMPLOYERS, (api, bulk)

    with zone_scope():
        for e in employers:
            decls = list(Declaration.unscoped.filter(employer=e, period=PERIOD))
            assert len(decls) == 1, (e.number, [(d.pk, d.channel, d.status) for d in decls])
            (d,) = decls
            assert d.status == DeclarationStatus.IN_FORCE
            assert DeclarationLine.unscoped.filter(declaration=d).count() == d.line_count
            # The account holds exactly what the declaration in force makes due, to the franc.
            due = LedgerEntry.unscoped.filter(
                employer=e, kind__in=[EntryKind.CONTRIBUTION, EntryKind.REVERSAL]
            ).aggregate(s=Sum("amount"))["s"]
            assert due == d.total and d.total > Decimal(0)
            assert LedgerEntry.unscoped.filter(employer=e, kind=EntryKind.CONTRIBUTION).count() == 1


def test_second_original_for_the_period_is_a_conflict_and_stores_nothing(ci):
    e = ci["employer"]
    declaration_submit(employer=e, period=PERIOD, rows=[_line(100_000)])
    before = (Declaration.unscoped.count(), LedgerEntry.unscoped.count())
    with pytest.raises(DeclarationConflict) as err:
        declaration_submit(employer=e, period=PERIOD, rows=[_line(120_000)])
    assert "déjà déclaré cette période" in err.value.line_errors[0]["reason"]
    assert (Declaration.unscoped.count(), LedgerEntry.unscoped.count()) == before


def test_api_answers_409_when_the_period_is_already_declared(client, ci, make_user):
    client.force_login(make_user(ci["org"], "contributions_manager"))
    payload = {"employer_number": ci["employer"].number, "period": PERIOD}
    first = client.post(
        "/api/declarations",
        json.dumps(payload | {"lines": [_line(100_000)]}),
        "application/json",
    )
    assert first.status_code == 201, first.content
    second = client.post(
        "/api/declarations",
        json.dumps(payload | {"lines": [_line(150_000)]}),
        "application/json",
    )
    assert second.status_code == 409, second.content
    assert "rectificative" in second.json()["errors"][0]["reason"]
    assert Declaration.unscoped.count() == 1


@pytest.mark.parametrize(
    ("first", "second"),
    [("2025-03", "2025-Q1"), ("2025-Q1", "2025-02"), ("2025-Q2", "2025-06")],
)
def test_an_overlapping_period_is_refused(ci, first, second):
    e = ci["employer"]
    declaration_submit(employer=e, period=first, rows=[_line(100_000)])
    with pytest.raises(DeclarationConflict) as err:
        declaration_submit(employer=e, period=second, rows=[_line(100_000)])
    assert f"chevauche la période {first}" in err.value.line_errors[0]["reason"]
    assert Declaration.unscoped.filter(period=second).count() == 0


def test_a_month_and_its_quarter_in_one_file_are_refused(ci):
    e = ci["employer"]
    rows = [
        {"employer_number": e.number, "period": p} | _line(100_000) for p in ("2025-01", "2025-Q1")
    ]
    with pytest.raises(DeclarationRejected) as err:
        import_frame(frame=rows_frame(rows), organisation=ci["org"])
    assert all("chevauche" in x["reason"] for x in err.value.line_errors)
    assert Declaration.unscoped.count() == 0


def test_a_correction_replaces_and_the_next_month_is_free(ci):
    e = ci["employer"]
    declaration_submit(employer=e, period=PERIOD, rows=[_line(100_000)])
    corr = declaration_submit(
        employer=e, period=PERIOD, rows=[_line(110_000)], kind=DeclarationKind.CORRECTIVE
    ).declaration
    declaration_submit(employer=e, period="2025-04", rows=[_line(100_000)])
    in_force = Declaration.unscoped.filter(status=DeclarationStatus.IN_FORCE)
    assert sorted(in_force.values_list("period", flat=True)) == ["2025-03", "2025-04"]
    assert in_force.get(period=PERIOD).pk == corr.pk


def test_an_unknown_kind_is_refused_by_the_service(ci):
    with pytest.raises(DeclarationRejected) as err:
        declaration_submit(employer=ci["employer"], period=PERIOD, rows=[_line(1)], kind="x")
    assert err.value.line_errors[0]["column"] == "kind"
    assert Declaration.unscoped.count() == 0


def test_an_excel_header_written_twice_is_refused(ci):
    import io

    from openpyxl import Workbook

    e = ci["employer"]
    wb = Workbook()
    ws = wb.active
    ws.append(
        ["employer_number", "period", "national_id", "family_name", "given_names"]
        + ["days_worked", "gross_salary", "gross_salary"]
    )
    ws.append([e.number, PERIOD, "12345678901", "Traoré", "Awa", 31, 100000, 900000])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(DeclarationRejected) as err:
        declaration_submit(employer=e, period=PERIOD, content=buf.getvalue(), filename="d.xlsx")
    assert [(x["column"], x["reason"]) for x in err.value.line_errors] == [
        ("gross_salary", "colonne présente plusieurs fois")
    ]
    assert Declaration.unscoped.count() == 0
