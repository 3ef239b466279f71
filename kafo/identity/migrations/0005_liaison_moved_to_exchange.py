"""Liaison requests moved to the `exchange` app (issue 15): exchange's 0002 has copied every
row (same ids, twins, dates, decisions, periods) before this drops the old table."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0004_review_queue"),
        ("exchange", "0002_copy_liaison_requests"),
    ]

    operations = [
        migrations.DeleteModel(name="LiaisonRequest"),
    ]
