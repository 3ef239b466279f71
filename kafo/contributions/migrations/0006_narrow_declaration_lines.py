"""Narrow declaration lines: no computed amounts, no surrogate id (see the models' docstrings).

Django cannot turn an existing table's primary key into a composite one, so the lines move to a
new table: the old one is renamed, the new one created, the rows copied, the old one dropped.
Declarations first receive the risk class their amounts were computed with (the employer's
current class: until now no employer's class could have changed since its declarations, as
the old lines were computed with the employer's class at filing and nothing kept history).
"""

import django.db.models.deletion
import django.db.models.manager
from django.db import migrations, models

COPIED = (
    "organisation_id, declaration_id, line_no, person_id, worker_number, national_id, "
    "family_name, given_names, category, days_worked, gross_salary"
)


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0005_line_bulk_indexes"),
        ("organisations", "0001_initial"),
        ("registry", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="declaration",
            name="risk_class",
            field=models.PositiveSmallIntegerField(
                default=1, verbose_name="classe de risque appliquée"
            ),
        ),
        migrations.RunSQL(
            "UPDATE contributions_declaration SET risk_class = (SELECT e.risk_class FROM "
            "registry_employer e WHERE e.id = contributions_declaration.employer_id)",
            migrations.RunSQL.noop,
        ),
        migrations.RemoveIndex(model_name="declarationline", name="contributio_declara_7174bc_idx"),
        migrations.RemoveIndex(model_name="declarationline", name="contributio_organis_975667_idx"),
        migrations.RenameModel("DeclarationLine", "LegacyDeclarationLine"),
        migrations.CreateModel(
            name="DeclarationLine",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "declaration",
                        "line_no",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("line_no", models.PositiveIntegerField(verbose_name="ligne")),
                ("worker_number", models.CharField(blank=True, max_length=20)),
                ("national_id", models.CharField(blank=True, max_length=30)),
                ("family_name", models.CharField(max_length=80)),
                ("given_names", models.CharField(max_length=120)),
                ("category", models.CharField(default="standard", max_length=10)),
                ("days_worked", models.PositiveSmallIntegerField()),
                (
                    "gross_salary",
                    models.DecimalField(
                        decimal_places=0, default=0, max_digits=16, verbose_name="salaire brut"
                    ),
                ),
                (
                    "declaration",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="lines",
                        to="contributions.declaration",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="organisations.organisation",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="registry.person",
                    ),
                ),
            ],
            options={
                "ordering": ["line_no"],
                "indexes": [
                    models.Index(fields=["person"], name="line_person_idx"),
                    models.Index(
                        condition=models.Q(("person__isnull", True)),
                        fields=["organisation", "worker_number"],
                        name="line_unknown_number_idx",
                    ),
                    models.Index(
                        condition=models.Q(("person__isnull", True)),
                        fields=["organisation", "national_id"],
                        name="line_unknown_nid_idx",
                    ),
                ],
            },
            managers=[
                ("objects", django.db.models.manager.Manager()),
                ("unscoped", django.db.models.manager.Manager()),
            ],
        ),
        migrations.RunSQL(
            f"INSERT INTO contributions_declarationline ({COPIED}) "
            f"SELECT {COPIED} FROM contributions_legacydeclarationline",
            migrations.RunSQL.noop,
        ),
        migrations.DeleteModel("LegacyDeclarationLine"),
    ]
