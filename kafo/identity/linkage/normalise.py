"""Turn raw person records into the comparable fields the linkage model works on.

Names go through kafo.registry.domain.names (fold, variant dictionary, phonetic rules made for
the zone's languages) plus the few extra variant groups below. Places are folded and their
usual abbreviations expanded (Bko, BAMAKO, Bamako -> bamako). Dates keep their precision: a
year alone, or the 31/12 or 01/01 that clerks write for "born about", is marked approximate so
that it agrees with any day of that year. National ids lose spaces, dots and dashes.

Python only ever runs on the distinct values of a column (a few tens of thousands of names
even for millions of records); everything per record is a Polars expression.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import polars as pl
import yaml

from kafo.registry.domain import names as zone_names
from kafo.registry.domain.national_ids import normalise as normalise_national_id

INPUT_COLUMNS = (
    "record_id",
    "source",
    "family_name",
    "given_names",
    "sex",
    "birth_date",
    "birth_place",
    "mother_name",
    "national_id",
)

# Extra evidence, used when the input has the column (and both records of a pair a value):
# phone numbers, employer numbers (`|`-separated), spouses' and father's names.
EXTRA_COLUMNS = ("phone", "employer_numbers", "spouse_names", "father_name")
# A phone number is compared on its last digits (country codes and leading zeros vary).
PHONE_DIGITS = 8

# Variant groups missing from kafo.registry.domain.names (candidates to move there), canonical
# first. Mossi, Wolof and Fula spellings that the transcription rules do not already fold.
_EXTRA_VARIANT_GROUPS: tuple[tuple[str, ...], ...] = (
    ("modou", "moudou", "mbodou"),
    ("hadja", "adja", "hadjia"),
    ("hadizatou", "hadiza", "adizatou"),
    ("zeinabou", "zeinab", "zenabou", "zainab", "zeynabou"),
    ("ramatou", "ramata", "ramatoulaye"),
    ("mahamadi", "mahamady"),
    ("issoufou", "issouf", "issoufa"),
    ("boukary", "boukari"),
    ("rasmane", "rasmana"),
    ("ngessan", "nguessan", "nguesan"),
    ("ndri", "ndry"),
    ("thierno", "cerno", "tierno"),
    ("sekou", "sekouba", "seku"),
    ("dramane", "abdramane", "abdourahmane", "abdourahamane"),
)
# The zone dictionary wins where both know a spelling.
_EXTRA_VARIANTS = {
    v: g[0] for g in _EXTRA_VARIANT_GROUPS for v in g if v not in zone_names.VARIANTS
}

# Whole-place abbreviations and exonyms seen in registers.
_PLACE_ALIASES = {
    "bko": "bamako",
    "bamak": "bamako",
    "dkr": "dakar",
    "abj": "abidjan",
    "yakro": "yamoussoukro",
    "ouaga": "ouagadougou",
    "bobo": "bobo dioulasso",
    "nmy": "niamey",
    "timbuktu": "tombouctou",
    "st louis": "saint louis",
}
# Districts written after the town: "Dakar Plateau" is Dakar for linkage.
_PLACE_DISTRICTS = {"plateau", "ville", "commune", "centre"}


# The zone's reference file: each country's national id format, each organisation's country.
ZONE_REFERENCE = Path(__file__).resolve().parents[2] / "reference" / "zone.yaml"
# Placeholders clerks type when the person has no id: one character repeated ("00000000000"),
# or no digit at all ("NEANT", "INCONNU").
_PLACEHOLDER = re.compile(r"^(.)\1*$|^\D*$")


@lru_cache(maxsize=1)
def national_id_formats() -> tuple[tuple[re.Pattern, ...], frozenset[str]]:
    """Return the zone's national id formats and the organisations whose country has one."""
    zone = yaml.safe_load(ZONE_REFERENCE.read_text(encoding="utf-8"))
    patterns = {
        c["code"]: re.compile((c.get("national_id") or {}).get("pattern") or "")
        for c in zone["countries"]
        if (c.get("national_id") or {}).get("pattern")
    }
    checked = frozenset(o["code"] for o in zone["organisations"] if o["country"] in patterns)
    return tuple(patterns.values()), checked


def national_id_check(nid: str | None, source: str | None) -> bool | None:
    """True when a (normalised) id fits one of the zone's formats (a migrant keeps the id of
    home), False when it is a placeholder, or fits none and the organisation's country has a
    format, None when nothing can be said (no id, or a country without a published format)."""
    form = _id_form(nid) if nid else None
    if form is None or form == _FITS_NONE:
        return False if form == _FITS_NONE and source in national_id_formats()[1] else None
    return form == _FITS


_FITS, _FITS_NONE, _PLACEHOLDER_ID = "fits", "fits none", "placeholder"


def _id_form(nid: str) -> str:
    if _PLACEHOLDER.match(nid):
        return _PLACEHOLDER_ID
    return _FITS if any(p.fullmatch(nid) for p in national_id_formats()[0]) else _FITS_NONE


def _national_id_ok(frame: pl.DataFrame) -> pl.Expr:
    """`nid_ok` of every record (see national_id_check), the patterns run on distinct ids."""
    form = _map_distinct(frame.get_column("nid").replace("", None), _id_form)
    checked = pl.col("source").is_in(list(national_id_formats()[1]))
    return (
        pl.when(form == _FITS)
        .then(True)
        .when((form == _PLACEHOLDER_ID) | ((form == _FITS_NONE) & checked))
        .then(False)
        .otherwise(None)
        .alias("nid_ok")
    )


_Y_BEFORE_VOWEL = re.compile(r"(?<=[^aeiouy])y(?=[aeiou])")


@lru_cache(maxsize=131072)
def name_key(token: str) -> str:
    """Return the phonetic key of one folded word, with the extra variant groups first.

    A y between a consonant and a vowel is read as i first (Dyallo -> Diallo): the zone rules
    fold di+vowel before y, so without this Dyallo and Diallo get different keys.
    """
    token = _EXTRA_VARIANTS.get(token, token)
    if token not in zone_names.VARIANTS:
        token = _Y_BEFORE_VOWEL.sub("i", token)
    return zone_names.phonetic_key(_EXTRA_VARIANTS.get(token, token))


def name_keys(text: str | None) -> list[str]:
    """Return the phonetic keys of every word of a name, in order."""
    return [name_key(t) for t in zone_names.tokens(text or "")]


def place_key(text: str | None) -> str | None:
    """Return the canonical key of a place of birth, None when empty."""
    folded = zone_names.fold(text or "")
    folded = _PLACE_ALIASES.get(folded, folded)
    words = [w for w in folded.split(" ") if w and w not in _PLACE_DISTRICTS]
    words = _PLACE_ALIASES.get(" ".join(words), " ".join(words)).split(" ")
    keys = [name_key(w) for w in words if w]
    return " ".join(keys) or None


def skeleton(keys: str | None) -> str | None:
    """First four consonants of a name's keys: survives a changed or doubled vowel."""
    if not keys:
        return None
    consonants = [c for c in keys if c not in "aeiou "]
    return "".join(consonants[:4]) or keys[:2]


_KEY_COLUMNS = ("k1", "k2", "keys", "bag", "folded", "sk", "first")


def _keys_table(values: pl.Series, columns: tuple[str, ...] = _KEY_COLUMNS) -> pl.DataFrame:
    """Keys of each distinct name text: first key, second key, all keys, sorted bag, the folded
    text, the skeleton of the first key and the first word as written (folded); only `columns`
    of them. Each text is folded once (folding is most of normalising's time)."""
    distinct = values.unique().drop_nulls().to_list()
    rows = []
    for text in distinct:
        folded = zone_names.fold(text)
        words = [t for t in folded.split(" ") if t]  # zone_names.tokens(text), folded once
        keys = [name_key(t) for t in words]
        row = {
            "k1": keys[0] if keys else None,
            "k2": keys[1] if len(keys) > 1 else None,
            "keys": " ".join(keys) or None,
            "bag": " ".join(sorted(set(keys))) or None,
            "folded": folded or None,
            "sk": skeleton(keys[0] if keys else None),
            "first": words[0] if words else None,
        }
        rows.append((text, *(row[c] for c in columns)))
    return pl.DataFrame(rows, schema={c: pl.String for c in ("text", *columns)}, orient="row")


def _with_name_keys(
    frame: pl.DataFrame, column: str, prefix: str, columns: tuple[str, ...] = _KEY_COLUMNS
) -> pl.DataFrame:
    table = _keys_table(frame.get_column(column), columns).rename(
        {c: f"{prefix}_{c}" for c in columns}
    )
    return frame.join(table, left_on=column, right_on="text", how="left")


def _with_place_key(frame: pl.DataFrame) -> pl.DataFrame:
    distinct = frame.get_column("birth_place").unique().drop_nulls().to_list()
    table = pl.DataFrame(
        {"birth_place": distinct, "place": [place_key(p) for p in distinct]},
        schema={"birth_place": pl.String, "place": pl.String},
    )
    return frame.join(table, on="birth_place", how="left")


def _date_columns() -> list[pl.Expr]:
    """Year, month, day and an `approx` flag (year only, or a conventional 31/12 or 01/01)."""
    text = pl.col("birth_date").str.strip_chars()
    year = text.str.slice(0, 4).cast(pl.Int32, strict=False)
    month = text.str.slice(5, 2).cast(pl.Int32, strict=False)
    day = text.str.slice(8, 2).cast(pl.Int32, strict=False)
    conventional = ((month == 12) & (day == 31)) | ((month == 1) & (day == 1))
    approx = day.is_null() | conventional
    return [
        year.alias("yr"),
        pl.when(approx).then(None).otherwise(month).alias("mo"),
        pl.when(approx).then(None).otherwise(day).alias("dy"),
        pl.when(year.is_null()).then(None).otherwise(approx).alias("approx"),
    ]


def _map_distinct(values: pl.Series, function) -> pl.Series:
    """Apply a Python function to each distinct value only, then map back."""
    distinct = values.unique().drop_nulls()
    mapping = dict(zip(distinct.to_list(), map(function, distinct.to_list()), strict=True))
    return values.replace_strict(mapping, default=None, return_dtype=pl.String)


def _as_input_frame(records) -> pl.DataFrame:
    """Accept a Polars frame, an Arrow table or a list of dicts with the input columns."""
    if isinstance(records, pl.DataFrame):
        frame = records
    elif isinstance(records, list):
        frame = pl.DataFrame(records, infer_schema_length=None)
    else:
        frame = pl.from_arrow(records)
    missing = [c for c in INPUT_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"missing columns: {', '.join(missing)}")
    columns = (*INPUT_COLUMNS, *EXTRA_COLUMNS)
    frame = frame.select(
        [
            (pl.col(c) if c in frame.columns else pl.lit(None))
            .cast(pl.String)
            .str.strip_chars()
            .alias(c)
            for c in columns
        ]
    )
    # Empty text is missing text.
    return frame.with_columns(
        [pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in columns]
    )


def _extra_inputs() -> list[pl.Expr]:
    """The phone's digits and the sorted list of employer numbers, computed once: as
    expressions repeated in each column below, Polars computed the employers' list six times
    (2.0 of normalising's 3.7 s at 200,000 persons with the optional columns)."""
    return [
        pl.col("phone").str.replace_all(r"\D", "").alias("phone_digits"),
        pl.col("employer_numbers")
        .str.to_uppercase()
        .str.replace_all(r"[\s.\-]", "")
        .str.split("|")
        .list.eval(pl.element().filter(pl.element() != ""))
        .list.unique()
        .list.sort()
        .alias("employer_list"),
    ]


def _extra_columns() -> list[pl.Expr]:
    """Phone (last PHONE_DIGITS digits), employers (sorted numbers, the smallest and largest
    apart for comparing), spouses' and father's names as bags of keys."""
    digits = pl.col("phone_digits")
    employers = pl.col("employer_list")
    listed = employers.list.len() > 0
    return [
        pl.when(digits.str.len_chars() >= PHONE_DIGITS)
        .then(digits.str.slice(-PHONE_DIGITS))
        .otherwise(None)
        .alias("phone"),
        pl.when(listed).then(employers.list.join("|")).otherwise(None).alias("emps"),
        pl.when(listed).then(employers.list.first()).otherwise(None).alias("emp_lo"),
        pl.when(listed).then(employers.list.last()).otherwise(None).alias("emp_hi"),
        pl.col("spo_bag").alias("spouse"),
        pl.col("fat_bag").alias("father"),
    ]


def normalise(records) -> pl.DataFrame:
    """Return one row per record with `rid` (0..n-1) and the comparable fields."""
    frame = (
        _as_input_frame(records).with_row_index("rid").with_columns(pl.col("rid").cast(pl.Int64))
    )
    frame = _with_name_keys(frame, "family_name", "fam")
    frame = _with_name_keys(frame, "given_names", "giv")
    frame = _with_name_keys(frame, "mother_name", "mot", ("bag",))
    for column, prefix in (("spouse_names", "spo"), ("father_name", "fat")):
        if frame.get_column(column).null_count() < frame.height:
            frame = _with_name_keys(frame, column, prefix, ("bag",))  # compared as bags only
        else:  # the column is absent: no keys to compute, no join (a copy of every record)
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(f"{prefix}_bag"))
    frame = _with_place_key(frame)
    sex = pl.col("sex").str.to_uppercase().str.slice(0, 1)
    frame = frame.with_columns(
        _map_distinct(frame.get_column("national_id"), normalise_national_id).alias("nid")
    )
    nid = pl.col("nid")
    frame = frame.with_columns(_national_id_ok(frame), *_extra_inputs())
    return frame.sort("rid").select(
        "rid",
        "record_id",
        "source",
        pl.col("fam_k1").alias("fk"),
        pl.col("fam_k2").alias("fk2"),
        pl.col("fam_sk").alias("fsk"),
        pl.col("giv_sk").alias("gsk"),
        pl.col("fam_keys").alias("fam"),
        # first words as written (folded): a dictionary variant can give two spellings of one
        # name far-apart keys (Fanta -> fatumata, Fahnta -> fanta) while the text is one typo
        pl.col("fam_first").alias("ff1"),
        pl.col("giv_first").alias("gf1"),
        pl.col("giv_k1").alias("gk1"),
        pl.col("giv_k2").alias("gk2"),
        pl.col("giv_keys").alias("giv"),
        pl.col("mot_bag").alias("mother"),
        "place",
        pl.when(sex.is_in(["M", "F", "H"]))
        .then(sex.replace("H", "M"))
        .otherwise(None)
        .alias("sex"),
        *_date_columns(),
        pl.when(nid == "").then(None).otherwise(nid).alias("nid"),
        pl.when(nid == "").then(None).otherwise(pl.col("nid_ok")).alias("nid_ok"),
        *_extra_columns(),
    )
