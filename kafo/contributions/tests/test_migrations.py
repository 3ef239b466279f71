"""Migrations of declaration lines: 0006 moves them to a narrow table (nothing declared is lost),
0007 makes their person index a hash index on PostgreSQL."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("contributions", "0005_line_bulk_indexes")]
AFTER = [("contributions", "0006_narrow_declaration_lines")]


@pytest.mark.django_db(transaction=True)
def test_0006_keeps_every_declared_field_and_the_risk_class():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    org = apps.get_model("organisations", "Organisation").objects.create(
        code="XX-TEST", name="Test", country_id=_country(apps)
    )
    employer = apps.get_model("registry", "Employer").objects.create(
        organisation=org,
        number="E1",
        legal_name="SOTRA",
        risk_class=3,
        status_since=dt.date(2020, 1, 1),
        registered_on=dt.date(2020, 1, 1),
    )
    decl = apps.get_model("contributions", "Declaration").objects.create(
        organisation=org,
        employer=employer,
        period="2025-03",
        file_hash="h",
        channel="file",
        submitted_at=dt.datetime(2025, 4, 2, tzinfo=dt.UTC),
        rules_on=dt.date(2025, 3, 1),
    )
    old_line = apps.get_model("contributions", "DeclarationLine")
    for n, gross in ((2, 50_000), (3, 4_000_000)):
        old_line.objects.create(
            organisation=org,
            declaration=decl,
            line_no=n,
            worker_number=f"W{n}",
            national_id="123" if n == 3 else "",
            family_name="Bamba",
            given_names="Awa",
            category="executive" if n == 3 else "standard",
            days_worked=31,
            gross_salary=gross,
            old_age_er=1,
            employer_total=1,
        )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    line = apps.get_model("contributions", "DeclarationLine")
    rows = list(
        line.objects.order_by("line_no").values_list(
            "declaration_id",
            "line_no",
            "organisation_id",
            "person_id",
            "worker_number",
            "national_id",
            "family_name",
            "given_names",
            "category",
            "days_worked",
            "gross_salary",
        )
    )
    assert rows == [
        (decl.pk, 2, org.pk, None, "W2", "", "Bamba", "Awa", "standard", 31, 50_000),
        (decl.pk, 3, org.pk, None, "W3", "123", "Bamba", "Awa", "executive", 31, 4_000_000),
    ]
    assert apps.get_model("contributions", "Declaration").objects.get().risk_class == 3
    latest = MigrationExecutor(connection)
    latest.migrate(latest.loader.graph.leaf_nodes())  # the schema the other tests expect


def _country(apps):
    country = apps.get_model("organisations", "Country").objects.create(
        code="XX", name="Test", currency="XOF", minimum_wage=1
    )
    return country.pk


@pytest.mark.django_db
def test_the_person_index_of_lines_is_a_hash_index_on_postgresql_only():
    """Careers read lines by person with `=` only; a bulk import inserts persons in no order,
    which a hash index takes without descending a tree (storage.py)."""
    from kafo.contributions.models import DeclarationLine

    with connection.cursor() as cur:
        found = connection.introspection.get_constraints(cur, DeclarationLine._meta.db_table)
    index = found["line_person_idx"]
    assert index["columns"] == ["person_id"]
    assert (index["type"] == "hash") == (connection.vendor == "postgresql")
