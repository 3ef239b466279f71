"""Copy the liaison requests of `identity` into `exchange` (issue 15): nothing is lost.

Each row keeps its id (the audit trail and old links name it), its twin, dates, decision and
periods; it becomes a periods request whose sender is the old requester and whose recipient is
the old target. Its reference is built from the requester's code and the outgoing row's id.
Identity's 0005 then drops the old table. Going back moves the periods requests back.
"""

from django.core.management.color import no_style
from django.db import migrations

COPIED = (
    "id",
    "organisation_id",
    "direction",
    "zone_person_id",
    "person_id",
    "purpose",
    "note",
    "status",
    "created_by_id",
    "created_at",
    "decided_by_id",
    "decided_at",
    "refusal_reason",
    "periods",
)


def _reset_sequence(schema_editor, model):
    connection = schema_editor.connection
    for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
        schema_editor.execute(sql)


def forward(apps, schema_editor):
    old = apps.get_model("identity", "LiaisonRequest")
    new = apps.get_model("exchange", "LiaisonMessage")
    codes = dict(apps.get_model("organisations", "Organisation").objects.values_list("id", "code"))
    rows = list(old.objects.using(schema_editor.connection.alias).order_by("id").values())
    copies = []
    for row in rows:
        outgoing_id = row["id"] if row["direction"] == "outgoing" else row["twin_id"]
        copies.append(
            new(
                **{field: row[field] for field in COPIED},
                kind="periods_request",
                sender_id=row["requester_id"],
                recipient_id=row["target_id"],
                reference=f"{codes[row['requester_id']]}-{outgoing_id or row['id']:06d}",
            )
        )
    new.objects.bulk_create(copies)
    for row in rows:
        if row["twin_id"]:
            new.objects.filter(pk=row["id"]).update(twin_id=row["twin_id"])
    if rows:
        _reset_sequence(schema_editor, new)


def backward(apps, schema_editor):
    old = apps.get_model("identity", "LiaisonRequest")
    new = apps.get_model("exchange", "LiaisonMessage")
    rows = list(new.objects.filter(kind="periods_request").order_by("id").values())
    old.objects.bulk_create(
        old(
            **{field: row[field] for field in COPIED},
            requester_id=row["sender_id"],
            target_id=row["recipient_id"],
        )
        for row in rows
    )
    for row in rows:
        # update(): bulk_create let auto_now_add stamp the copy's date
        old.objects.filter(pk=row["id"]).update(
            twin_id=row["twin_id"], created_at=row["created_at"]
        )
    if rows:
        _reset_sequence(schema_editor, old)
    # moved back: forward copies them again (kinds identity never had cannot go back)
    new.objects.filter(kind="periods_request").update(twin=None)
    new.objects.filter(kind="periods_request").delete()


class Migration(migrations.Migration):
    dependencies = [("exchange", "0001_messages"), ("identity", "0004_review_queue")]

    operations = [migrations.RunPython(forward, backward)]
