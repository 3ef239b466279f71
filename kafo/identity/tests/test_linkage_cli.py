"""`kafo identity_link`: one row per input record, clear errors, and no database at all.

These tests have no `db` fixture: pytest-django refuses any query, so a passing run proves the
command does not touch the database.
"""

import csv

import polars as pl
import pytest
from django.core.management import CommandError, call_command

from kafo.identity.linkage.testsets import generate


def test_writes_one_row_per_input_record(tmp_path):
    persons, out, pairs = tmp_path / "persons.csv", tmp_path / "clusters.csv", tmp_path / "p.csv"
    records = generate(150, seed=9).records
    records.write_csv(persons)

    call_command("identity_link", str(persons), out=str(out), pairs=str(pairs))

    clusters = pl.read_csv(out, infer_schema=False)
    assert clusters.columns == ["record_id", "person_id"]
    assert sorted(clusters["record_id"]) == sorted(records["record_id"])
    assert set(clusters["person_id"]) <= set(records["record_id"])
    assert "explanation" in pl.read_csv(pairs, infer_schema=False).columns


def test_missing_column_is_refused_and_nothing_written(tmp_path):
    persons, out = tmp_path / "persons.csv", tmp_path / "clusters.csv"
    generate(20, seed=9).records.drop("mother_name").write_csv(persons)

    with pytest.raises(CommandError, match="missing columns: mother_name"):
        call_command("identity_link", str(persons), out=str(out))
    assert not out.exists()


def test_duplicate_record_id_is_refused(tmp_path):
    persons, out = tmp_path / "persons.csv", tmp_path / "clusters.csv"
    records = generate(20, seed=9).records
    pl.concat([records, records.head(1)]).write_csv(persons)

    with pytest.raises(CommandError, match=f"record_id {records['record_id'][0]} appears"):
        call_command("identity_link", str(persons), out=str(out))
    assert not out.exists()


def test_output_cells_are_never_live_formulas(tmp_path):
    persons, out, pairs = tmp_path / "persons.csv", tmp_path / "clusters.csv", tmp_path / "p.csv"
    records = generate(40, seed=9).records
    planted = '=HYPERLINK("http://x","y")'
    records = records.with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit(planted))
        .otherwise(pl.col("record_id"))
        .alias("record_id")
    )
    records.write_csv(persons)

    call_command("identity_link", str(persons), out=str(out), pairs=str(pairs))

    rows = list(csv.reader(out.open(encoding="utf-8")))
    cells = [c for r in rows[1:] for c in r]
    assert "'" + planted in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)
    assert not any(
        c.startswith(("=", "+", "@")) for r in csv.reader(pairs.open(encoding="utf-8")) for c in r
    )
