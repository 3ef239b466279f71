import datetime

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="notice",
            name="issued_on",
            # No notice existed before this field: the default only fills the column's creation.
            field=models.DateField(default=datetime.date(2026, 11, 29), verbose_name="émis le"),
            preserve_default=False,
        ),
    ]
