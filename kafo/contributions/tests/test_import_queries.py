"""A bulk file's cost in queries does not grow with its number of declarations: the audit
events name each declaration by its employer's number, read in one query (was one query per
declaration: 11,000 for the demo's taken-over history)."""

import datetime as dt

import polars as pl
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kafo.audit.models import AuditEvent
from kafo.contributions import ledger
from kafo.contributions.services import import_frame
from kafo.organisations.tenancy import tenant_scope
from kafo.registry.services import employer_register
from kafo.rules.services import rules_seed

TODAY = dt.date(2026, 11, 29)


def _frame(employers, periods):
    rows = [
        (e.number, p, f"W{n}{e.pk}", "Diallo", "Awa", "26", "150000")
        for e in employers
        for p in periods
        for n in range(2)
    ]
    schema = ["employer_number", "period", "worker_number", "family_name", "given_names"]
    return pl.DataFrame(rows, schema=[*schema, "days_worked", "gross_salary"], orient="row")


def _queries(org, employers, periods):
    with CaptureQueriesContext(connection) as ctx:
        import_frame(
            frame=_frame(employers, periods), organisation=org, migration=True, today=TODAY
        )
    return len(ctx.captured_queries)


def test_bulk_import_queries_do_not_grow_with_the_declarations(zone, monkeypatch):
    # the bulk path of a large file, whose dues are not audited one by one
    # (patched where post_declarations reads it, whichever module of the ledger holds it)
    monkeypatch.setitem(ledger.post_declarations.__globals__, "AUDIT_EACH_ENTRY_UP_TO", 0)
    rules_seed()
    org = zone["IPRES-SN"]
    with tenant_scope(org):
        employers = [
            employer_register(
                organisation=org,
                data={"legal_name": f"Société {n}", "registered_on": dt.date(2020, 1, 1)},
            )
            for n in range(6)
        ]
    few = _queries(org, employers[:1], ["2026-01", "2026-02"])  # 2 declarations
    many = _queries(org, employers[1:], ["2026-03", "2026-04"])  # 10 declarations
    assert many == few
    reprs = AuditEvent.objects.filter(object_type="declaration").values_list(
        "object_repr", flat=True
    )
    assert sorted(reprs) == sorted(
        f"DNS {p} {e.number} (initiale)"
        for e, periods in ((employers[0], ("2026-01", "2026-02")),)
        + tuple((e, ("2026-03", "2026-04")) for e in employers[1:])
        for p in periods
    )
