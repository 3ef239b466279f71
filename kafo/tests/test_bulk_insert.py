"""kafo.bulk.insert_many writes the rows bulk_create writes (audit events, ledger entries)."""

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kafo.audit.context import acting_as, actor_for
from kafo.audit.models import AuditEvent
from kafo.audit.services import record_created_many
from kafo.bulk import insert_many
from kafo.contributions.models import LedgerEntry
from kafo.organisations.tenancy import tenant_scope
from kafo.registry.tests.factories import employer as make_employer

COMPARED = [
    "organisation_id",
    "employer_id",
    "kind",
    "period",
    "due_date",
    "amount",
    "declaration_id",
    "payment_id",
    "penalty_as_of",
    "reverses_id",
    "detail",
    "label",
]


def _entries(org, firm, label):
    return [
        LedgerEntry(
            organisation=org,
            employer_id=firm.pk,
            kind="contribution",
            period=f"2025-{month:02d}",
            due_date=dt.date(2025, month + 1, 15),
            amount=Decimal(125_000 + month),
            penalty_as_of=dt.date(2025, 12, 31) if month == 2 else None,
            detail={"taux": "16.4", "mois": [month, None]},
            label=label,
        )
        for month in (1, 2, 3)
    ]


def test_insert_many_writes_the_rows_bulk_create_writes(zone):
    org = zone["INPS-ML"]
    firm = make_employer(org, "Huilerie du Kénédougou")
    LedgerEntry.unscoped.bulk_create(_entries(org, firm, "orm"))
    with CaptureQueriesContext(connection) as queries:
        assert insert_many(LedgerEntry, _entries(org, firm, "bulk"), batch_size=2) == 3
    assert len(queries) == 2  # one executemany per batch
    by_orm = list(
        LedgerEntry.unscoped.filter(label="orm").order_by("period").values_list(*COMPARED[:-1])
    )
    by_bulk = list(
        LedgerEntry.unscoped.filter(label="bulk").order_by("period").values_list(*COMPARED[:-1])
    )
    assert by_bulk == by_orm
    assert by_bulk[1][4:6] == (dt.date(2025, 3, 15), Decimal(125_002))
    assert by_bulk[1][10] == {"taux": "16.4", "mois": [2, None]}
    assert by_bulk[1][8] == dt.date(2025, 12, 31)
    made = LedgerEntry.unscoped.filter(label="bulk").values_list("created_at", flat=True)
    assert all(at is not None and at.tzinfo is not None for at in made)


def test_insert_many_of_nothing_writes_nothing(zone):
    with CaptureQueriesContext(connection) as queries:
        assert insert_many(LedgerEntry, []) == 0
    assert len(queries) == 0
    assert LedgerEntry.unscoped.count() == 0


def test_record_created_many_audits_every_row_with_its_actor(zone, make_user):
    org = zone["INPS-ML"]
    agent = make_user(org, "contributions_manager")
    firm = make_employer(org, "Huilerie du Kénédougou")
    LedgerEntry.unscoped.bulk_create(_entries(org, firm, "orm"))
    entries = list(LedgerEntry.unscoped.filter(label="orm").order_by("period"))
    before = AuditEvent.unscoped.count()
    with acting_as(actor_for(agent, "10.1.1.7")):
        assert (
            record_created_many(entries, subject_type="employer", subject_field="employer_id") == 3
        )
    with tenant_scope(org):
        events = list(AuditEvent.objects.filter(object_type="ledgerentry").order_by("object_id"))
    assert AuditEvent.unscoped.count() == before + 3
    assert [e.object_id for e in events] == [str(e.pk) for e in entries]
    first = events[0]
    assert (first.actor_id, first.actor_label, first.ip_address) == (
        agent.pk,
        agent.get_full_name() or agent.username,
        "10.1.1.7",
    )
    assert (first.action, first.subject_type, first.subject_id) == (
        "create",
        "employer",
        str(firm.pk),
    )
    assert first.changes["amount"] == [None, "125001"]
    assert first.changes["detail"] == [None, {"taux": "16.4", "mois": [1, None]}]
    assert first.at is not None
