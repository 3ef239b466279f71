"""The linkage engine on generated and hand-made records (DuckDB, no database)."""

import random

import polars as pl
import pytest

from kafo.identity.linkage import testsets
from kafo.identity.linkage.evaluation import pairwise_scores
from kafo.identity.linkage.linker import explain, link
from kafo.identity.linkage.normalise import name_key, normalise, place_key
from kafo.identity.linkage.testsets import COLUMNS, EXTRA_COLUMNS, generate

# Hand-made hard cases, appended to a generated population so that training has data.
HARD_CASES = [
    # three homonyms: same very common name, same birth year and place, other days and mothers
    ("H1a", "INPS-ML", "Traoré", "Mamadou", "M", "1975-03-14", "Bamako", "Awa Keïta", ""),
    ("H1b", "CNPS-CI", "TRAORE", "MAMADOU", "M", "1975-03-14", "Bko", "", ""),
    ("H2a", "INPS-ML", "Traoré", "Mamadou", "M", "1975-07-02", "Bamako", "Sira Diarra", ""),
    ("H2b", "CMSS-ML", "Traore", "Mamadou", "M", "1975-07-02", "BAMAKO", "", ""),
    ("H3a", "INPS-ML", "Traoré", "Mamadou", "M", "1975-11-23", "Bamako", "Fanta Sow", ""),
    ("H3b", "CNSS-BF", "TRAORÉ", "Mamadou", "M", "1975-11-23", "Bamako", "", ""),
    # twins: same parents, date and place, different given names
    ("T1a", "IPRES-SN", "Diallo", "Awa", "F", "1990-05-05", "Thiès", "Kadiatou Sow", ""),
    ("T1b", "CSS-SN", "DIALLO", "AWA", "F", "1990-05-05", "Thies", "Kadiatou Sow", ""),
    ("T2a", "IPRES-SN", "Diallo", "Ousmane", "M", "1990-05-05", "Thiès", "Kadiatou Sow", ""),
    ("T2b", "CNPS-CI", "Diallo", "Ousmane", "M", "1990-05-05", "THIES", "", ""),
    # the same woman: swapped names, variants, year only, day and month swapped
    ("S1", "INPS-ML", "Kulibali", "Fatimata", "F", "1961", "Bko", "", ""),
    ("S2", "CNPS-CI", "Fatoumata", "COULIBALY", "F", "1961-04-15", "Bamako", "Hawa Sidibé", ""),
    ("S3", "CNSS-BF", "Coulibaly", "Fatoumata Assétou", "F", "1961-12-31", "BAMAKO", "", ""),
    ("S4", "CMSS-ML", "COULIBALY", "FATOUMATA", "F", "1961-15-04", "Bamako", "", ""),
    # the same man: N'Diaye/Ndiaye, Oumar/Umar, year off by one, national id mistyped
    ("N1", "IPRES-SN", "N'Diaye", "Oumar", "M", "1958-09-21", "Dakar", "", "1234567890123"),
    ("N2", "CSS-SN", "NDIAYE", "Umar", "M", "1959-09-21", "DKR", "Coumba Fall", "1234567809123"),
]


@pytest.fixture(scope="module")
def hard_cases():
    background = generate(400, seed=21).records
    hand_made = pl.DataFrame(HARD_CASES, schema=list(COLUMNS), orient="row")
    result = link(pl.concat([background, hand_made]))
    # The engine's whole clustering (the automatic clusters are a near-certain part of it).
    return dict(result.proposed.filter(pl.col("record_id").str.len_chars() <= 3).iter_rows())


def test_records_of_one_homonym_join_and_homonyms_stay_apart(hard_cases):
    assert [hard_cases["H1a"], hard_cases["H2a"], hard_cases["H3a"]] == [
        hard_cases["H1b"],
        hard_cases["H2b"],
        hard_cases["H3b"],
    ]
    assert len({hard_cases["H1a"], hard_cases["H2a"], hard_cases["H3a"]}) == 3


def test_twins_stay_apart(hard_cases):
    assert hard_cases["T1a"] == hard_cases["T1b"]
    assert hard_cases["T2a"] == hard_cases["T2b"]
    assert hard_cases["T1a"] != hard_cases["T2a"]


def test_swapped_names_approximate_dates_and_variants_join(hard_cases):
    assert {hard_cases[r] for r in ("S1", "S2", "S3", "S4")} == {hard_cases["S1"]}


def test_year_off_by_one_and_mistyped_national_id_join(hard_cases):
    assert hard_cases["N1"] == hard_cases["N2"]


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Traoré", "TRAORE"),
        ("Keïta", "Keyta"),
        ("Mamadou", "Mahamadou"),
        ("N'Diaye", "Ndiaye"),
        ("Dyallo", "Diallo"),
        ("Oumar", "Umar"),
        ("Ouédraogo", "Wedraogo"),
    ],
)
def test_name_variants_share_a_key(left, right):
    assert name_key(normalise_token(left)) == name_key(normalise_token(right))


def normalise_token(text):
    from kafo.registry.domain.names import fold

    return fold(text)


@pytest.mark.parametrize("text", ["Bko", "BAMAKO", "Bamako", "bamako"])
def test_places_of_bamako_share_a_key(text):
    assert place_key(text) == place_key("Bamako")


def test_dates_keep_their_precision():
    frame = normalise(
        [
            {c: "" for c in COLUMNS} | {"record_id": "a", "birth_date": "1961"},
            {c: "" for c in COLUMNS} | {"record_id": "b", "birth_date": "1961-12-31"},
            {c: "" for c in COLUMNS} | {"record_id": "c", "birth_date": "1961-04-15"},
        ]
    )
    assert frame.select("yr", "mo", "dy", "approx").rows() == [
        (1961, None, None, True),
        (1961, None, None, True),
        (1961, 4, 15, False),
    ]


def test_generated_set_is_deterministic():
    first, second = generate(50, seed=4), generate(50, seed=4)
    assert first.records.equals(second.records)
    assert first.truth.equals(second.truth)
    assert first.records.columns == list(COLUMNS)


def test_precision_and_recall_on_a_generated_set():
    """2,000 persons (about 3,700 records): precision and recall both at least 0.88."""
    test_set = generate(2000, seed=8)
    result = link(test_set.records)
    scores = pairwise_scores(result.proposed, test_set.truth)
    assert result.clusters.height == test_set.records.height
    assert scores.precision >= 0.88
    assert scores.recall >= 0.88
    automatic = pairwise_scores(result.clusters, test_set.truth)
    assert automatic.precision >= 0.98


def test_pairs_explain_their_agreements():
    result = link(generate(300, seed=2).records)
    pair = result.pairs.filter(pl.col("linked")).row(0, named=True)
    lines = explain(pair)
    assert [line.split(":")[0] for line in lines[:7]] == [
        "fam",
        "giv",
        "date",
        "place",
        "mother",
        "nid",
        "sex",
    ]
    assert 0.5 < pair["match_probability"] <= 1


def test_day_and_month_swapped_are_compared_and_linked():
    """Only the swapped-date rules meet these two records (other day and month, other place)."""
    background = generate(400, seed=21).records
    rows = [
        ("W1", "INPS-ML", "Sanogo", "Seydou", "M", "1984-03-07", "Sikasso", "", ""),
        ("W2", "CNSS-BF", "SANOGO", "Seydou Lamine", "M", "1984-07-03", "", "", ""),
    ]
    hand_made = pl.DataFrame(rows, schema=list(COLUMNS), orient="row")
    result = link(pl.concat([background, hand_made]))
    pair = result.pairs.filter(
        (pl.col("l_record_id") == "W1") & (pl.col("r_record_id") == "W2")
    ).row(0, named=True)
    assert explain(pair)[2] == "date: day and month swapped"
    assert pair["linked"]
    clusters = dict(result.proposed.iter_rows())
    assert clusters["W1"] == clusters["W2"]


def test_generated_extra_columns_leave_the_nine_columns_as_they_were():
    plain, extra = generate(300, seed=3), generate(300, seed=3, extra_columns=True)
    assert extra.records.columns == list(COLUMNS) + list(EXTRA_COLUMNS)
    assert extra.records.select(COLUMNS).equals(plain.records)
    assert extra.truth.equals(plain.truth)
    assert extra.records.equals(generate(300, seed=3, extra_columns=True).records)
    present = extra.records.select([(pl.col(c) != "").sum() for c in EXTRA_COLUMNS]).row(0)
    # often missing, never always: phone, employers, spouses (married adults), father
    assert present == (273, 366, 135, 214)
    assert extra.records.height == 581


def test_generated_twins_share_their_father_and_homonyms_do_not():
    extras = testsets._Extras(random.Random(1), 100)
    rng = random.Random(2)
    base = testsets._new_person(rng, 0)
    twin, other = testsets._twins(base, rng, 0)
    homonym = testsets._homonyms(base, rng, 2, 2)[0]
    fathers = [extras._facts(p)["father"] for p in (twin, other, homonym)]
    assert fathers[0] == fathers[1] != fathers[2]


def test_normalising_folds_each_distinct_name_text_once(monkeypatch):
    """Folding (accents, case, punctuation) was most of normalising's time and ran three
    times per distinct name text; the spouse's and father's names were given all seven keys
    where only their bag is compared."""
    from kafo.identity.linkage import normalise as normalising

    folded: list[str] = []
    fold = normalising.zone_names.fold

    def counting_fold(text: str) -> str:
        folded.append(text)
        return fold(text)

    monkeypatch.setattr(normalising.zone_names, "fold", counting_fold)
    row = ("R1", "INPS-ML", "Traoré", "Mamadou Lamine", "M", "1975-03-14", "", "Awa Keïta", "")
    record = dict(zip(COLUMNS, row, strict=True)) | {
        "spouse_names": "Fanta Sow",
        "father_name": "Oumar Traoré",
    }
    rec = normalise([record, record | {"record_id": "R2"}])
    names = ["Traoré", "Mamadou Lamine", "Awa Keïta", "Fanta Sow", "Oumar Traoré"]
    assert sorted(t for t in folded if t in names) == sorted(names)
    assert rec.row(0, named=True)["spouse"] == "fatumata sou"  # the same keys as before
    assert rec.row(0, named=True)["father"] == "traor umar"
