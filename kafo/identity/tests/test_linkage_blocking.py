"""Blocking: the true pairs that no rule compared before issue 20's second pass are compared
now (DuckDB, no database)."""

# SQL here is built from the model's own rules; record values reach DuckDB as a loaded table.
# ruff: noqa: S608

import polars as pl
import pytest

from kafo.identity.linkage import model
from kafo.identity.linkage.engines import DuckDBEngine
from kafo.identity.linkage.normalise import normalise
from kafo.identity.linkage.testsets import COLUMNS

# Pairs of one person taken from the generated sets' missed pairs, each reached by no rule
# of the engine before this change.
MISSED_BEFORE = {
    # names entered the other way round *and* day and month swapped
    "swapped_names_swapped_date": (
        ("A1", "CNPS-CI", "Kamissoko", "Aïssata", "F", "1958-06-01", "San-Pedro", "", ""),
        ("A2", "CNPS-CI", "Aissata", "Kamissoko", "F", "1958-01-06", "SAN-PÉDRO", "", ""),
    ),
    # the given name mistyped beyond its skeleton and the year off by one
    "family_day_place": (
        ("B1", "CNSS-NE", "Dicko", "AÏCHATOU", "F", "1959-01-12", "NIAMEY", "", ""),
        ("B2", "CNSS-NE", "Dicko", "AÏKHATOU", "F", "1958-01-12", "Niamey", "", ""),
    ),
    # no date on one side, names the other way round
    "swapped_no_date": (
        ("C1", "CNSS-NE", "Bah", "MARIAM", "F", "1964-04-10", "Niamey", "", ""),
        ("C2", "CNSS-NE", "MARIAM", "Bah", "F", "", "NIAMEY", "", ""),
    ),
    # both names mangled, the year off by one: the mother's name, day and month agree
    "mother_day": (
        ("D1", "INPS-ML", "Tiaoré", "Yahya", "M", "1969-11-27", "", "Fatoumata Koné", ""),
        ("D2", "CMSS-ML", "TRAHORÉ", "Yaya", "M", "1970-11-27", "", "FATOUMATA KONE", ""),
    ),
}


def _candidate_pairs(rows, rules=model.BLOCKING_RULES) -> set[tuple[str, str]]:
    engine = DuckDBEngine()
    try:
        engine.load("rec", normalise([dict(zip(COLUMNS, row, strict=True)) for row in rows]))
        for name, sql in model.BLOCKING_TABLES.items():
            engine.create(name, sql)
        pairs = engine.frame(
            f"SELECT a.record_id AS l, b.record_id AS r FROM ({model.blocked_pairs_sql(rules)}) p "
            "JOIN rec a ON a.rid = p.l_rid JOIN rec b ON b.rid = p.r_rid"
        )
    finally:
        engine.close()
    return {tuple(sorted(pair)) for pair in pairs.iter_rows()}


@pytest.mark.parametrize("rule", sorted(MISSED_BEFORE))
def test_pairs_missed_by_the_old_rules_are_candidates(rule):
    left, right = MISSED_BEFORE[rule]
    assert _candidate_pairs([left, right]) == {(left[0], right[0])}
    # and the rule named is the one that reaches them
    assert _candidate_pairs([left, right], {rule: model.BLOCKING_RULES[rule]}) == {
        (left[0], right[0])
    }


def test_the_next_year_rule_meets_records_in_either_order():
    older = ("E1", "INPS-ML", "Kone", "Awa", "F", "1970", "Bamako", "Sira Traore", "")
    younger = ("E2", "INPS-ML", "Konate", "Mah", "F", "1971", "Bamako", "Sira Traore", "")
    rule = {"mother_next_year_place": model.BLOCKING_RULES["mother_next_year_place"]}
    assert _candidate_pairs([older, younger], rule) == {("E1", "E2")}
    assert _candidate_pairs([younger, older], rule) == {("E1", "E2")}


def test_other_persons_of_another_place_and_day_are_not_candidates():
    left = ("F1", "INPS-ML", "Dicko", "Aïchatou", "F", "1959-01-12", "Niamey", "", "")
    right = ("F2", "INPS-ML", "Dicko", "Aïkhatou", "F", "1958-01-13", "Zinder", "", "")
    assert _candidate_pairs([left, right]) == set()


def test_comparing_on_the_nine_columns_reads_no_extra_column_and_stores_one_byte_levels():
    """What every candidate pair costs (issue 20: +14 % memory at 200,000 persons): without
    extra evidence no extra column is read, and the scores keep levels, weight and flags only."""
    left, right = MISSED_BEFORE["family_day_place"]
    rec = normalise([dict(zip(COLUMNS, row, strict=True)) for row in (left, right)])
    extra_columns = [c for columns in model.EXTRA_RECORD_FIELDS.values() for c in columns]
    engine = DuckDBEngine()
    try:
        engine.load("rec", rec.drop(extra_columns))
        engine.create("pairs", model.oriented_pairs_sql("(SELECT 0 AS l_rid, 1 AS r_rid)"))
        for name in model.TF_FIELDS:
            engine.create(f"tf_{name}", "SELECT 'x' AS key, 0.0 AS adj2, 0.0 AS adj3")
        params = model.Parameters(m=model.DEFAULT_M, u=model.DEFAULT_U, prior=0.01)
        engine.create("scores", model.score_sql(f"({model.comparison_sql('pairs', ())})", params))
        scores = engine.frame("SELECT * FROM scores")
    finally:
        engine.close()
    assert scores.columns == [
        "l_rid",
        "r_rid",
        "swapped",
        *(f"g_{name}" for name in model.FIELDS),
        "match_weight",
        "guard",
        "contradiction",
    ]
    assert {scores[f"g_{name}"].dtype for name in model.FIELDS} == {pl.Int8}
    assert [scores[f"g_{name}"].item() for name in model.EXTRA_FIELDS] == [-1, -1, -1, -1]
    assert (scores["g_fam"].item(), scores["g_date"].item()) == (3, 6)


def test_names_the_other_way_round_are_found_once_per_pair_and_read_by_the_comparison():
    """Whether a pair has its names the other way round (four edit distances) is computed once,
    into the pairs table: the comparison reads that column (it used to recompute it in every
    level expression, three quarters of training's time at 20,000 persons)."""
    left, right = MISSED_BEFORE["swapped_names_swapped_date"]
    rec = normalise([dict(zip(COLUMNS, row, strict=True)) for row in (left, right)])
    engine = DuckDBEngine()
    try:
        engine.load("rec", rec)
        engine.create("pairs", model.oriented_pairs_sql("(SELECT 0 AS l_rid, 1 AS r_rid)"))
        oriented = engine.frame("SELECT * FROM pairs").to_dicts()
        levels = "g_fam, g_giv, swapped"
        as_found = engine.frame(f"SELECT {levels} FROM ({model.comparison_sql('pairs')}) c")
        # the same pair told straight: the comparison follows the column, computes nothing
        engine.create("pairs", "SELECT l_rid, r_rid, false AS swapped FROM pairs")
        as_told = engine.frame(f"SELECT {levels} FROM ({model.comparison_sql('pairs')}) c")
    finally:
        engine.close()
    assert oriented == [{"l_rid": 0, "r_rid": 1, "swapped": True}]
    assert as_found.row(0) == (3, 3, True)
    assert as_told.row(0) == (0, 0, False)
