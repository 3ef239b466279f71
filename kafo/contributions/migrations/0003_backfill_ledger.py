"""Post to the employer accounts what the declarations received before the account existed
made due (declarations in force only: a corrected period counts once, as corrected)."""

from django.db import migrations

from kafo.contributions.domain import periods

DEFAULT_DUE_DAY = 15


def backfill(apps, schema_editor):
    Declaration = apps.get_model("contributions", "Declaration")
    LedgerEntry = apps.get_model("contributions", "LedgerEntry")
    DeclarationRule = apps.get_model("rules", "DeclarationRule")
    posted = set(
        LedgerEntry.objects.filter(kind="contribution").values_list("declaration_id", flat=True)
    )
    rules: dict[int, list] = {}
    for r in DeclarationRule.objects.order_by("effective_from"):
        rules.setdefault(r.organisation_id, []).append((r.effective_from, r.due_day))
    batch = []
    for d in Declaration.objects.filter(status="in_force").iterator(chunk_size=2000):
        if d.pk in posted:
            continue
        start, _end = periods.parse(d.period)
        due_day = DEFAULT_DUE_DAY
        for effective_from, day in rules.get(d.organisation_id, []):
            if effective_from <= start:
                due_day = day
        batch.append(
            LedgerEntry(
                organisation_id=d.organisation_id,
                employer_id=d.employer_id,
                kind="contribution",
                period=d.period,
                due_date=periods.due_date(d.period, due_day),
                amount=d.total,
                declaration_id=d.pk,
                label=f"Cotisations {d.period} (DNS reprise)",
            )
        )
        if len(batch) >= 2000:
            LedgerEntry.objects.bulk_create(batch)
            batch = []
    LedgerEntry.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0002_employer_account"),
        ("rules", "0001_initial"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
