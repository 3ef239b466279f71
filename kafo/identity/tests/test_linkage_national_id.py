"""The national id's own check in the linkage model: a well-formed equal id is strong, an
ill-formed one weak, and a difference where one id is ill-formed is no guard (DuckDB, no
database)."""

import polars as pl
import pytest

from kafo.identity.linkage.linker import explain, link
from kafo.identity.linkage.normalise import national_id_check, normalise
from kafo.identity.linkage.testsets import COLUMNS, generate


@pytest.mark.parametrize(
    ("nid", "source", "expected"),
    [
        ("12345678901234A", "INPS-ML", True),  # NINA of Mali
        ("2317442367020", "CNPS-CI", True),  # a Senegalese NIN at an Ivorian organisation
        ("1234567890124A", "INPS-ML", False),  # a digit dropped: fits no format
        ("00000000000", "CNPS-CI", False),  # placeholder, though 11 digits
        ("NEANT", "CNSS-BF", False),  # no digit at all
        ("123", "CNSS-BF", None),  # Burkina Faso publishes no format: nothing to say
        (None, "INPS-ML", None),
    ],
)
def test_national_id_check(nid, source, expected):
    assert national_id_check(nid, source) is expected


def test_normalised_records_carry_the_check():
    rows = [
        {c: "" for c in COLUMNS} | {"record_id": "a", "source": "INPS-ML", "national_id": n}
        for n in ("12 345 678 901 234-a", "1234", "")
    ]
    assert normalise(rows)["nid_ok"].to_list() == [True, False, None]


def _pair(result, a, b):
    return result.pairs.filter((pl.col("l_record_id") == a) & (pl.col("r_record_id") == b)).row(
        0, named=True
    )


def test_one_person_whose_id_lost_a_digit_is_linked_not_guarded():
    background = generate(400, seed=21).records
    rows = [
        (
            "K1",
            "INPS-ML",
            "Keita",
            "Moussa",
            "M",
            "1971-05-14",
            "Segou",
            "Awa Diarra",
            "12345678901234A",
        ),
        ("K2", "CMSS-ML", "KEITA", "Moussa", "M", "1971-05-14", "SEGOU", "", "1234567890124A"),
    ]
    result = link(pl.concat([background, pl.DataFrame(rows, schema=list(COLUMNS), orient="row")]))
    pair = _pair(result, "K1", "K2")
    assert explain(pair)[5] == "nid: different, one of them ill-formed"
    assert not pair["guard"]
    clusters = dict(result.clusters.iter_rows())
    assert clusters["K1"] == clusters["K2"]


def test_a_shared_placeholder_id_is_weak_evidence():
    background = generate(400, seed=21).records
    rows = [
        ("Z1", "CNPS-CI", "Kone", "Awa", "F", "1980", "Daloa", "", "00000000000"),
        ("Z2", "CNPS-CI", "KONE", "Awa", "F", "1980-06-02", "", "", "00000000000"),
        ("Z3", "CNPS-CI", "Kone", "Awa", "F", "1980", "Daloa", "", "55123456789"),
        ("Z4", "CNPS-CI", "KONE", "Awa", "F", "1980-06-02", "", "", "55123456789"),
    ]
    result = link(pl.concat([background, pl.DataFrame(rows, schema=list(COLUMNS), orient="row")]))
    placeholder, real = _pair(result, "Z1", "Z2"), _pair(result, "Z3", "Z4")
    assert explain(placeholder)[5] == "nid: same national id, ill-formed or unchecked"
    assert explain(real)[5] == "nid: same national id"
    # the same names and dates either way: the placeholder says much less than the real id
    assert real["match_weight"] - placeholder["match_weight"] > 5, (real, placeholder)
    assert real["match_probability"] > 0.999
