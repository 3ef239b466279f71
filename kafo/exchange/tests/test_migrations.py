"""The liaison requests move from identity to exchange (exchange 0002 copies, identity 0005
drops): every row keeps its id, twin, dates, decision and periods; going back restores them."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("identity", "0004_review_queue"), ("exchange", "0001_messages")]
AFTER = [("identity", "0005_liaison_moved_to_exchange")]
CREATED = dt.datetime(2025, 2, 3, 10, 0, tzinfo=dt.UTC)
DECIDED = dt.datetime(2025, 2, 10, 9, 30, tzinfo=dt.UTC)
PERIODS = {
    "organisation": "YY-TEST",
    "months": 3,
    "spans": [{"start": "2024-01", "end": "2024-03", "months": 3}],
    "as_of": "2025-02-10",
}


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_liaison_requests_are_copied_to_exchange_and_back():
    apps = _migrate(BEFORE)
    country = apps.get_model("organisations", "Country").objects.create(
        code="XQ", name="Test", currency="XOF", minimum_wage=1
    )
    org_model = apps.get_model("organisations", "Organisation")
    asker = org_model.objects.create(code="XX-TEST", name="Asker", country=country)
    asked = org_model.objects.create(code="YY-TEST", name="Asked", country=country)
    zone_person = apps.get_model("identity", "ZonePerson").objects.create()
    person_model = apps.get_model("registry", "Person")
    records = [
        person_model.objects.create(
            organisation=org,
            number=f"N{org.code}",
            family_name="Traoré",
            given_names="Awa",
            sex="F",
            birth_date=dt.date(1970, 1, 1),
            registered_on=dt.date(2020, 1, 1),
        )
        for org in (asker, asked)
    ]
    old = apps.get_model("identity", "LiaisonRequest")
    common = {
        "requester": asker,
        "target": asked,
        "zone_person": zone_person,
        "purpose": "old_age",
        "note": "Pension",
        "status": "approved",
        "decided_at": DECIDED,
    }
    outgoing = old.objects.create(
        organisation=asker, direction="outgoing", person=records[0], periods=PERIODS, **common
    )
    incoming = old.objects.create(
        organisation=asked, direction="incoming", person=records[1], twin=outgoing, **common
    )
    old.objects.filter(pk=outgoing.pk).update(twin=incoming, created_at=CREATED)
    old.objects.filter(pk=incoming.pk).update(created_at=CREATED)

    apps = _migrate(AFTER)
    new = apps.get_model("exchange", "LiaisonMessage")
    rows = list(
        new.objects.order_by("pk").values_list(
            "pk",
            "organisation_id",
            "direction",
            "kind",
            "sender_id",
            "recipient_id",
            "person_id",
            "twin_id",
            "status",
            "created_at",
            "decided_at",
            "periods",
            "reference",
        )
    )
    ref = f"XX-TEST-{outgoing.pk:06d}"
    assert rows == [
        (outgoing.pk, asker.pk, "outgoing", "periods_request", asker.pk, asked.pk,
         records[0].pk, incoming.pk, "approved", CREATED, DECIDED, PERIODS, ref),
        (incoming.pk, asked.pk, "incoming", "periods_request", asker.pk, asked.pk,
         records[1].pk, outgoing.pk, "approved", CREATED, DECIDED, {}, ref),
    ]  # fmt: skip
    # the id sequence goes on after the copied ids
    later = new.objects.create(
        organisation_id=asker.pk,
        direction="outgoing",
        kind="death_notice",
        sender_id=asker.pk,
        recipient_id=asked.pk,
        reference="-",
        person_id=records[0].pk,
        purpose="survivors",
        created_at=CREATED,
    )
    assert later.pk > incoming.pk
    later.delete()

    apps = _migrate(BEFORE)
    back = apps.get_model("identity", "LiaisonRequest")
    assert list(
        back.objects.order_by("pk").values_list("pk", "twin_id", "created_at", "periods")
    ) == [(outgoing.pk, incoming.pk, CREATED, PERIODS), (incoming.pk, outgoing.pk, CREATED, {})]
    assert not apps.get_model("exchange", "LiaisonMessage").objects.exists()
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # the schema others expect
