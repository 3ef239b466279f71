"""The linkage model as SQL that DuckDB and Spark both run, plus EM in plain Python.

Steps, each one set-based on the engine:

1. blocking: candidate pairs from several equi-join rules, so that a record whose name, date or
   id is damaged is still reached through another rule; every rule joins on a date part too, so
   that no block grows with the square of a common name;
2. comparison: every candidate pair gets one agreement level per field (`g_*` columns), with
   family and given names compared crosswise when a record has them the other way round;
3. training: u (how often non-matches agree) is counted on a deterministic sample of random
   pairs; m (how often matches agree) and the share of matches are found by
   expectation-maximisation on the counts of each agreement pattern, a few thousand rows at
   most, so the loop runs in Python on the patterns, never on pairs;
4. scoring: Fellegi–Sunter weights, with a term-frequency correction on names and places so that
   "Mamadou Traoré born in Bamako" agreeing says less than a rare name agreeing;
5. guards: pairs that must never be joined whatever their score (two different national ids;
   twins: same mother and birth date, different given names);
6. clustering: pairs two links apart are scored too, then clusters that pick each other as
   best neighbour merge, round after round, unless a pair across them must not be together;
   a pair under the threshold links when it is the only candidate of both its records.
"""

# SQL here is assembled from names and literals of this package only; record values reach
# the engines as loaded tables, never as SQL text.
# ruff: noqa: S608

from __future__ import annotations

import math
from dataclasses import dataclass, field

# Agreement levels of each field, best first; -1 (missing on one side) carries no weight.
LEVELS: dict[str, dict[int, str]] = {
    "fam": {3: "same family name", 2: "same family name key", 1: "close", 0: "different"},
    "giv": {
        4: "same given names, two or more",
        3: "same given names",
        2: "a given name in common",
        1: "first given name close",
        0: "different",
    },
    "date": {
        8: "same date",
        7: "day and month swapped",
        6: "same day and month, year off by one",
        5: "same year, both dates approximate",
        4: "same year, one date approximate",
        3: "years off by one or two, both dates approximate",
        2: "year off by one or two, one date approximate",
        1: "same year, other day",
        0: "different",
    },
    "place": {2: "same place", 1: "close", 0: "different"},
    "mother": {2: "same mother's name", 1: "close", 0: "different"},
    # The id's own check (kafo/reference/zone.yaml: each country's format; no check digit is
    # published for any of them): an equal id that fits a format is strong evidence, an equal
    # id that fits none (a placeholder, a truncated number) weak; two ids that differ when one
    # is ill-formed are a mistyping more than two persons (no guard).
    "nid": {
        4: "same national id",
        3: "same national id, ill-formed or unchecked",
        2: "one typing error apart",
        1: "different, one of them ill-formed",
        0: "different",
    },
    "sex": {1: "same sex", 0: "different"},
    # An organisation rarely registers one person twice, while homonyms of one country are
    # often in the same organisation: the same organisation is (weak) evidence of two persons.
    "src": {1: "same organisation", 0: "other organisations"},
    # Extra evidence, when both records have it (the CSV's optional columns, or what the
    # system holds beyond the nine fields): missing on one side weighs nothing, as above.
    "phone": {1: "same phone number", 0: "different"},
    "emp": {2: "same employers", 1: "an employer in common", 0: "no employer in common"},
    "spouse": {2: "same spouse's name", 1: "close", 0: "different"},
    "father": {2: "same father's name", 1: "close", 0: "different"},
}
FIELDS = tuple(LEVELS)
EXTRA_FIELDS = ("phone", "emp", "spouse", "father")

# Fields whose top levels get a term-frequency correction, and the key that is counted.
TF_FIELDS = {"fam": ("l_fk", (3, 2)), "giv": ("l_gk1", (3, 2)), "place": ("l_place", (2,))}
TF_KEY_COLUMN = {"fam": "fk", "giv": "gk1", "place": "place"}
TF_MINIMUM = 1e-4

# Blocking rules: a pair is a candidate when any rule joins it. Every rule is an equi-join on
# name, place or id keys *and* a date part, so that no block grows with the square of a common
# name (at 1,000,000 persons "same names, years close" alone made hundreds of millions of pairs):
# - exact dates meet on their day and month (any year within two: a drifted year) or their
#   whole date;
# - an approximate date ("born about 1975") meets the same names in the years around it
#   through `rec_years`, where each dated record appears once per year it may be confused with
#   (its year -2..+2); only for names that are not crowded that year (CROWD_CAP records of the
#   same family and given key born that year at most): an approximate "Traoré Mamadou, 1975"
#   among hundreds could not be told from them anyway.
# Each rule: (left side, right side, join condition); a left side other than `rec` is a subset
# of the records joined to its right side (pairs are then put in order with least/greatest).
CROWD_CAP = 15
_SAME_DATE = "a.yr = b.yr AND a.mo = b.mo AND a.dy = b.dy"
_SAME_DAY = "a.mo = b.mo AND a.dy = b.dy AND abs(a.yr - b.yr) <= 2"
_SWAPPED_DATE = "a.yr = b.yr AND a.mo = b.dy AND a.dy = b.mo AND a.mo <> a.dy"
_UNDATED = "(SELECT * FROM rec WHERE yr IS NULL)"
_APPROX = "(SELECT * FROM rec_years WHERE approx AND yj = yr)"
_ALL = "(SELECT * FROM rec)"  # every record, pairs put in order (the rule is not symmetric)
_MOTHER_PLACE = (
    "a.mother = b.mother AND a.place = b.place "
    "AND (substr(a.fk, 1, 1) = substr(b.fk, 1, 1) OR substr(a.fk, 1, 1) = substr(b.gk1, 1, 1))"
)
BLOCKING_RULES: dict[str, tuple[str, str, str]] = {
    "national_id": ("rec", "rec", "a.nid = b.nid"),
    "family_date": ("rec", "rec", f"a.fk = b.fk AND {_SAME_DATE}"),
    "given_date": ("rec", "rec", f"a.gk1 = b.gk1 AND {_SAME_DATE}"),
    "place_date": ("rec", "rec", f"a.place = b.place AND {_SAME_DATE}"),
    # day and month swapped (05/03 for 03/05): no other date rule meets them
    "family_swapped_date": ("rec", "rec", f"a.fsk = b.fsk AND {_SWAPPED_DATE}"),
    "given_swapped_date": ("rec", "rec", f"a.gsk = b.gsk AND {_SWAPPED_DATE}"),
    # skeletons survive a typo or a changed vowel on either side
    "family_skeleton_day": ("rec", "rec", f"a.fsk = b.fsk AND a.gk1 = b.gk1 AND {_SAME_DAY}"),
    "given_skeleton_day": ("rec", "rec", f"a.fk = b.fk AND a.gsk = b.gsk AND {_SAME_DAY}"),
    "swapped_day": ("rec", "rec", f"a.fsk = b.gsk AND a.gsk = b.fsk AND {_SAME_DAY}"),
    "family_skeleton_about": (
        _APPROX,
        "rec_years",
        "a.fsk = b.fsk AND a.gk1 = b.gk1 AND a.yr = b.yj",
    ),
    "given_skeleton_about": (_APPROX, "rec_years", "a.fk = b.fk AND a.gsk = b.gsk AND a.yr = b.yj"),
    "swapped_about": (_APPROX, "rec_years", "a.fsk = b.gsk AND a.gsk = b.fsk AND a.yr = b.yj"),
    # family (or given) key + year + place, with the other name's initial: the other name
    # mangled beyond its key, the date approximate or a day off
    "family_year_place": (
        "rec",
        "rec",
        "a.fk = b.fk AND a.yr = b.yr AND a.place = b.place "
        "AND substr(a.gk1, 1, 1) = substr(b.gk1, 1, 1) AND (a.approx OR b.approx OR a.mo = b.mo)",
    ),
    "given_year_place": (
        "rec",
        "rec",
        "a.gk1 = b.gk1 AND a.yr = b.yr AND a.place = b.place "
        "AND substr(a.fk, 1, 1) = substr(b.fk, 1, 1) AND (a.approx OR b.approx OR a.mo = b.mo)",
    ),
    # names the other way round *and* day and month swapped: neither swapped rule meets them
    "swapped_names_swapped_date": (
        "rec",
        "rec",
        f"a.fsk = b.gsk AND a.gsk = b.fsk AND {_SWAPPED_DATE}",
    ),
    # one name mangled beyond its skeleton and the year off: the other name, the day and month
    # and the place still agree
    "family_day_place": ("rec", "rec", f"a.fk = b.fk AND a.place = b.place AND {_SAME_DAY}"),
    "given_day_place": ("rec", "rec", f"a.gk1 = b.gk1 AND a.place = b.place AND {_SAME_DAY}"),
    # a record with no date against the records of the same name skeletons and place (names
    # either way round)
    "names_no_date": (_UNDATED, "rec", "a.fsk = b.fsk AND a.gsk = b.gsk AND a.place = b.place"),
    "swapped_no_date": (_UNDATED, "rec", "a.fsk = b.gsk AND a.gsk = b.fsk AND a.place = b.place"),
    # the mother's name when the child's names are damaged: with the day and month, or with the
    # place, the year (or the next one) and an initial of either name (blocks stay small)
    # an approximate date among crowded names (no `rec_years` row): the mother's name agrees
    "about_names_mother": (
        "(SELECT * FROM rec WHERE approx)",
        "rec",
        "a.fk = b.fk AND a.gk1 = b.gk1 AND a.mother = b.mother AND abs(a.yr - b.yr) <= 2",
    ),
    "mother_day": ("rec", "rec", f"a.mother = b.mother AND {_SAME_DAY}"),
    "mother_year_place": ("rec", "rec", f"{_MOTHER_PLACE} AND a.yr = b.yr"),
    "mother_next_year_place": (_ALL, "rec", f"{_MOTHER_PLACE} AND a.yr + 1 = b.yr"),
}
# Tables the blocking rules read besides `rec`, created before blocking and dropped after.
_OFFSETS = " UNION ALL ".join(f"SELECT {d} AS d" for d in (-2, -1, 0, 1, 2))
BLOCKING_TABLES: dict[str, str] = {
    "rec_years": (
        "SELECT r.rid, r.fk, r.fsk, r.gk1, r.gsk, r.yr, r.approx, r.yr + o.d AS yj "
        "FROM (SELECT rid, fk, fsk, gk1, gsk, yr, approx, "
        "count(*) OVER (PARTITION BY fk, gk1, yr) AS crowd FROM rec WHERE yr IS NOT NULL) r "
        f"CROSS JOIN ({_OFFSETS}) o WHERE r.crowd <= {CROWD_CAP}"
    ),
}

_RECORD_FIELDS = (
    *("fk", "fk2", "fsk", "fam", "ff1", "gk1", "gk2", "gsk", "giv", "gf1"),
    *("mother", "place", "sex", "yr", "mo", "dy", "approx", "nid", "nid_ok", "source"),
)
# The record columns each extra comparison reads; an extra field no record has is not joined
# at all (its level is -1 everywhere): on the nine columns alone, comparing millions of pairs
# carried six empty columns on both sides (+14 % memory at 200,000 persons).
EXTRA_RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    "phone": ("phone",),
    "emp": ("emps", "emp_lo", "emp_hi"),
    "spouse": ("spouse",),
    "father": ("father",),
}


def blocked_pairs_sql(rules: dict[str, tuple[str, str, str]] = BLOCKING_RULES) -> str:
    """Return the distinct candidate pairs (l_rid < r_rid) of all blocking rules."""
    selects = []
    for left, right, condition in rules.values():
        if left == "rec":
            selects.append(
                f"SELECT a.rid AS l_rid, b.rid AS r_rid FROM rec a JOIN {right} b "
                f"ON {condition} WHERE a.rid < b.rid"
            )
        else:
            selects.append(
                "SELECT least(a.rid, b.rid) AS l_rid, greatest(a.rid, b.rid) AS r_rid "
                f"FROM {left} a JOIN {right} b ON {condition} WHERE a.rid <> b.rid"
            )
    return "SELECT DISTINCT l_rid, r_rid FROM (" + " UNION ALL ".join(selects) + ") u"


# Random pairs counted for u: enough for the rarest level (same exact date, about 1 in 20,000
# random pairs) to be counted tens of times, and no more (comparing them costs time).
RANDOM_PAIRS = 1_500_000


def random_pairs_sql(count: int, strides: tuple[int, ...] = (7919, 104729, 1299709)) -> str:
    """Deterministic pseudo-random pairs: rid i with (i * stride + 1) mod n, same on any engine;
    one record in `keep` only, so that there are about RANDOM_PAIRS of them at most."""
    keep = max(1, -(-count * len(strides) // RANDOM_PAIRS))
    selects = [
        f"SELECT a.rid AS l_rid, b.rid AS r_rid FROM rec a JOIN rec b "
        f"ON b.rid = (a.rid * {stride} + 1) % {count} WHERE a.rid <> b.rid AND a.rid % {keep} = 0"
        for stride in strides
    ]
    return " UNION ALL ".join(selects)


def oriented_pairs_sql(pairs_table: str) -> str:
    """Return the pairs of `pairs_table` (l_rid, r_rid) with `swapped`: whether one record has
    its family and given names the other way round.

    Computed once per pair into the table that `comparison_sql` reads: inside the comparison,
    each of the many level expressions that read an oriented name carried the four edit
    distances again (engines inline the subquery), three quarters of comparing's time."""
    return (
        f"SELECT p.l_rid, p.r_rid, coalesce({_SWAPPED_SQL}, false) AS swapped "
        f"FROM {pairs_table} p JOIN rec a ON a.rid = p.l_rid JOIN rec b ON b.rid = p.r_rid"
    )


def comparison_sql(pairs_table: str, extra: tuple[str, ...] = EXTRA_FIELDS) -> str:
    """Return the pairs of `pairs_table` (l_rid, r_rid, swapped: see `oriented_pairs_sql`)
    with both records' fields and the `g_*` levels; extra fields not in `extra` (no record
    has them) are -1 without reading any column."""
    fields = (*_RECORD_FIELDS, *(c for f in extra for c in EXTRA_RECORD_FIELDS[f]))
    left = ", ".join(f"a.{c} AS l_{c}" for c in fields)
    right = ", ".join(f"b.{c} AS r_{c}" for c in fields)
    joined = (
        f"SELECT p.l_rid, p.r_rid, {left}, {right}, p.swapped "
        f"FROM {pairs_table} p JOIN rec a ON a.rid = p.l_rid JOIN rec b ON b.rid = p.r_rid"
    )

    def oriented(family: str, given: str) -> str:
        return f"CASE WHEN swapped THEN r_{given} ELSE r_{family} END"

    oriented_cols = (
        f"{oriented('fk', 'gk1')} AS o_fk, {oriented('fam', 'giv')} AS o_fam, "
        f"{oriented('gk1', 'fk')} AS o_gk1, {oriented('gk2', 'fk2')} AS o_gk2, "
        f"{oriented('giv', 'fam')} AS o_giv, {oriented('ff1', 'gf1')} AS o_ff1, "
        f"{oriented('gf1', 'ff1')} AS o_gf1"
    )
    levels = ",\n".join(
        f"{'-1' if name in EXTRA_FIELDS and name not in extra else sql} AS g_{name}"
        for name, sql in _LEVEL_SQL.items()
    )
    return (
        f"SELECT l_rid, r_rid, swapped, l_fk, l_gk1, l_place, {levels} "
        f"FROM (SELECT *, {oriented_cols} FROM ({joined}) j) o"
    )


# One record has family and given names the other way round: the crosswise comparison is
# closer than the straight one (keys equal crosswise, or fewer edits crosswise).
_SWAPPED_SQL = """(a.fk <> b.fk AND (
    (a.fk = b.gk1 AND a.gk1 = b.fk)
    OR levenshtein(a.fam, b.giv) + levenshtein(a.giv, b.fam) + 2
       < levenshtein(a.fam, b.fam) + levenshtein(a.giv, b.giv)))"""

_LEVEL_SQL = {
    "fam": """CASE WHEN l_fk IS NULL OR o_fk IS NULL THEN -1
        WHEN l_fam = o_fam THEN 3
        WHEN l_fk = o_fk THEN 2
        WHEN levenshtein(l_fam, o_fam) <= 2 OR levenshtein(l_ff1, o_ff1) <= 2 THEN 1
        ELSE 0 END""",
    "giv": """CASE WHEN l_gk1 IS NULL OR o_gk1 IS NULL THEN -1
        WHEN l_giv = o_giv AND l_gk2 IS NOT NULL AND o_gk2 IS NOT NULL THEN 4
        WHEN l_giv = o_giv THEN 3
        WHEN l_gk1 = o_gk1 OR l_gk1 = o_gk2 OR l_gk2 = o_gk1 THEN 2
        WHEN levenshtein(l_gk1, o_gk1) <= CASE WHEN length(l_gk1) >= 6 THEN 2 ELSE 1 END
            OR levenshtein(l_gf1, o_gf1) <= CASE WHEN length(l_gf1) >= 6 THEN 2 ELSE 1 END
            THEN 1 ELSE 0 END""",
    "date": """CASE WHEN l_yr IS NULL OR r_yr IS NULL THEN -1
        WHEN l_yr = r_yr AND l_mo = r_mo AND l_dy = r_dy THEN 8
        WHEN l_yr = r_yr AND l_mo = r_dy AND l_dy = r_mo THEN 7
        WHEN abs(l_yr - r_yr) = 1 AND l_mo = r_mo AND l_dy = r_dy THEN 6
        WHEN l_yr = r_yr AND l_approx AND r_approx THEN 5
        WHEN l_yr = r_yr AND (l_approx OR r_approx) THEN 4
        WHEN abs(l_yr - r_yr) <= 2 AND l_approx AND r_approx THEN 3
        WHEN abs(l_yr - r_yr) <= 2 AND (l_approx OR r_approx) THEN 2
        WHEN l_yr = r_yr THEN 1 ELSE 0 END""",
    "place": """CASE WHEN l_place IS NULL OR r_place IS NULL THEN -1
        WHEN l_place = r_place THEN 2
        WHEN levenshtein(l_place, r_place) <= 2 THEN 1 ELSE 0 END""",
    "mother": """CASE WHEN l_mother IS NULL OR r_mother IS NULL THEN -1
        WHEN l_mother = r_mother THEN 2
        WHEN levenshtein(l_mother, r_mother) <= 3 THEN 1 ELSE 0 END""",
    "nid": """CASE WHEN l_nid IS NULL OR r_nid IS NULL THEN -1
        WHEN l_nid = r_nid AND l_nid_ok THEN 4
        WHEN l_nid = r_nid THEN 3
        WHEN length(l_nid) = length(r_nid) AND levenshtein(l_nid, r_nid) <= 2 THEN 2
        WHEN NOT l_nid_ok OR NOT r_nid_ok THEN 1
        ELSE 0 END""",
    "sex": """CASE WHEN l_sex IS NULL OR r_sex IS NULL THEN -1
        WHEN l_sex = r_sex THEN 1 ELSE 0 END""",
    "src": """CASE WHEN l_source IS NULL OR r_source IS NULL THEN -1
        WHEN l_source = r_source THEN 1 ELSE 0 END""",
    "phone": """CASE WHEN l_phone IS NULL OR r_phone IS NULL THEN -1
        WHEN l_phone = r_phone THEN 1 ELSE 0 END""",
    # In common: the smallest or largest numbers meet (exact for lists of one or two employers,
    # the usual case; a plain equality both engines read the same way, unlike list functions).
    "emp": """CASE WHEN l_emps IS NULL OR r_emps IS NULL THEN -1
        WHEN l_emps = r_emps THEN 2
        WHEN l_emp_lo = r_emp_lo OR l_emp_hi = r_emp_hi OR l_emp_lo = r_emp_hi
            OR l_emp_hi = r_emp_lo THEN 1 ELSE 0 END""",
    "spouse": """CASE WHEN l_spouse IS NULL OR r_spouse IS NULL THEN -1
        WHEN l_spouse = r_spouse THEN 2
        WHEN levenshtein(l_spouse, r_spouse) <= 3 THEN 1 ELSE 0 END""",
    "father": """CASE WHEN l_father IS NULL OR r_father IS NULL THEN -1
        WHEN l_father = r_father THEN 2
        WHEN levenshtein(l_father, r_father) <= 3 THEN 1 ELSE 0 END""",
}

# Never link, whatever the score: two national ids that are not one typo apart; twins.
# Twins: same family, birth date and place, and given names with nothing in common (the
# mother's name agreeing or missing), with no national id agreeing (twins have two). Given names
# only close with a different sex were twins too, but at 200,000 persons 263 of the 283 pairs
# it guarded were one person (a mistyped sex): the sex weight is left to say it.
GUARD_SQL = """(g_nid = 0
    OR (g_fam >= 2 AND g_date >= 7 AND g_mother IN (-1, 2) AND g_place IN (-1, 2)
        AND g_giv = 0 AND g_nid = -1))"""


def pattern_counts_sql(table: str) -> str:
    cols = ", ".join(f"g_{f}" for f in FIELDS)
    return f"SELECT {cols}, count(*) AS n FROM {table} GROUP BY {cols}"


def tf_counts_sql(field_name: str) -> str:
    key = TF_KEY_COLUMN[field_name]
    return f"SELECT {key} AS key, count(*) AS n FROM rec WHERE {key} IS NOT NULL GROUP BY {key}"


# --- training ------------------------------------------------------------------------------


@dataclass
class Parameters:
    """m and u per field and level, and the share of matches among candidate pairs."""

    m: dict[str, dict[int, float]]
    u: dict[str, dict[int, float]]
    prior: float
    tf_adjustments: dict[str, dict[int, list[tuple[str, float]]]] = field(default_factory=dict)

    def weight(self, name: str, level: int) -> float:
        return math.log2(self.m[name][level] / self.u[name][level])

    @property
    def prior_weight(self) -> float:
        return math.log2(self.prior / (1 - self.prior))


# What the model believes before it sees any data (assumptions, set by hand from the zone's
# test sets): m, how often a true match agrees at each level; u, how often two different
# persons do. Counted as PSEUDO_PAIRS pairs beside the data, they decide nothing once a
# zone has thousands of pairs, and keep a small organisation's run from learning noise
# (EM on 40 records can find that "different place" is a sign of a match).
DEFAULT_M: dict[str, dict[int, float]] = {
    "fam": {3: 0.80, 2: 0.12, 1: 0.05, 0: 0.03},
    "giv": {4: 0.20, 3: 0.40, 2: 0.25, 1: 0.10, 0: 0.05},
    "date": {8: 0.60, 7: 0.05, 6: 0.04, 5: 0.05, 4: 0.07, 3: 0.04, 2: 0.02, 1: 0.08, 0: 0.05},
    "place": {2: 0.75, 1: 0.15, 0: 0.10},
    "mother": {2: 0.77, 1: 0.20, 0: 0.03},
    "nid": {4: 0.93, 3: 0.02, 2: 0.04, 1: 0.005, 0: 0.005},
    "sex": {1: 0.98, 0: 0.02},
    "src": {1: 0.05, 0: 0.95},
    # people change phones and employers: agreeing is strong, differing weak
    "phone": {1: 0.50, 0: 0.50},
    "emp": {2: 0.40, 1: 0.35, 0: 0.25},
    "spouse": {2: 0.60, 1: 0.20, 0: 0.20},
    "father": {2: 0.77, 1: 0.20, 0: 0.03},
}
DEFAULT_U: dict[str, dict[int, float]] = {
    "fam": {3: 0.02, 2: 0.01, 1: 0.02, 0: 0.95},
    "giv": {4: 0.001, 3: 0.009, 2: 0.02, 1: 0.02, 0: 0.95},
    "date": {
        **{8: 0.0001, 7: 0.0001, 6: 0.0002, 5: 0.0005, 4: 0.0015},
        **{3: 0.002, 2: 0.0078, 1: 0.03, 0: 0.9578},
    },
    "place": {2: 0.10, 1: 0.02, 0: 0.88},
    "mother": {2: 0.001, 1: 0.01, 0: 0.989},
    "nid": {4: 0.0001, 3: 0.0001, 2: 0.0009, 1: 0.01, 0: 0.9889},
    "sex": {1: 0.5, 0: 0.5},
    "src": {1: 0.2, 0: 0.8},
    "phone": {1: 0.0005, 0: 0.9995},
    "emp": {2: 0.0005, 1: 0.003, 0: 0.9965},
    "spouse": {2: 0.001, 1: 0.01, 0: 0.989},
    "father": {2: 0.001, 1: 0.01, 0: 0.989},
}
PSEUDO_PAIRS = 100.0


def _level_shares(
    patterns: list[dict], weights: list[float], default: dict[str, dict[int, float]]
) -> dict[str, dict[int, float]]:
    """Share of each level per field over patterns weighted by `weights`, with the `default`
    shares counted as PSEUDO_PAIRS pairs (a Dirichlet prior)."""
    shares: dict[str, dict[int, float]] = {}
    for name, levels in LEVELS.items():
        totals = {level: PSEUDO_PAIRS * default[name][level] for level in levels}
        for pattern, weight in zip(patterns, weights, strict=True):
            level = pattern[f"g_{name}"]
            if level >= 0:
                totals[level] += weight
        whole = sum(totals.values())
        shares[name] = {level: count / whole for level, count in totals.items()}
    return shares


def estimate_u(random_patterns: list[dict]) -> dict[str, dict[int, float]]:
    """u: how often two random records (almost surely different persons) agree at each level."""
    return _level_shares(random_patterns, [p["n"] for p in random_patterns], DEFAULT_U)


def expectation_maximisation(
    patterns: list[dict],
    u: dict[str, dict[int, float]],
    fields: tuple[str, ...],
    start: dict[str, dict[int, float]] | None = None,
    iterations: int = 60,
) -> tuple[dict[str, dict[int, float]], float]:
    """Estimate m of `fields` and the share of matches by EM over pattern counts, u fixed."""
    m, prior = {**DEFAULT_M, **(start or {})}, 0.05
    if not patterns:  # a small organisation: no pair in this session, nothing to learn
        return m, 0.0
    for _ in range(iterations):
        counts = [p["n"] for p in patterns]
        matched = []
        for pattern, n in zip(patterns, counts, strict=True):
            ratio = prior / (1 - prior)
            for name in fields:
                level = pattern[f"g_{name}"]
                if level >= 0:
                    ratio *= m[name][level] / u[name][level]
            matched.append(n * ratio / (1 + ratio))
        new_prior = min(max(sum(matched) / sum(counts), 1e-9), 1 - 1e-6)
        m = {
            **m,
            **{k: v for k, v in _level_shares(patterns, matched, DEFAULT_M).items() if k in fields},
        }
        change, prior = abs(new_prior - prior), new_prior
        if change < 1e-9:
            break
    return m, prior


# Training sessions (as Splink trains): each one looks at pairs that agree on some fields and
# learns m of the other fields only, so that EM is not fooled by the fields that made the pairs.
# Pairs sharing a national id are nearly all matches: that session starts the next one in the
# right place (EM on same-date pairs alone can settle on "same family" instead of "same person").
# The same-date session also measures how many matches there are (for the prior).
TRAINING_SESSIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "national_id": (
        "a.nid = b.nid",
        ("fam", "giv", "date", "place", "mother", "sex", "src", *EXTRA_FIELDS),
    ),
    "same_date": (
        "a.yr = b.yr AND a.mo = b.mo AND a.dy = b.dy",
        ("fam", "giv", "place", "mother", "nid", "sex", "src", *EXTRA_FIELDS),
    ),
}
TRAINING_PAIRS = 1_000_000


def session_size_sql(condition: str) -> str:
    """Number of pairs a session's equi-join condition makes, without making them."""
    keys = [part.split("=")[0].strip().removeprefix("a.") for part in condition.split(" AND ")]
    not_null = " AND ".join(f"{k} IS NOT NULL" for k in keys)
    return (
        "SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM "
        f"(SELECT count(*) AS n FROM rec WHERE {not_null} GROUP BY {', '.join(keys)}) g"
    )


def session_pairs_sql(condition: str, modulus: int) -> str:
    """A session's pairs, one in `modulus` kept (deterministically) to bound the work."""
    return (
        f"SELECT a.rid AS l_rid, b.rid AS r_rid FROM rec a JOIN rec b ON {condition} "
        f"WHERE a.rid < b.rid AND (a.rid + b.rid) % {modulus} = 0"
    )


def combine_sessions(
    u: dict[str, dict[int, float]],
    sessions: dict[str, tuple[dict[str, dict[int, float]], float, int]],
    record_count: int,
) -> Parameters:
    """Merge the m learnt by each session and derive the prior from the exact-date session.

    Matches in the exact-date session = its share of matches x its pairs; divided by the
    chance that a matching pair has the same exact date, that is all the matches there are.
    """
    m: dict[str, dict[int, float]] = {}
    for name in FIELDS:
        learnt = [s[0][name] for key, s in sessions.items() if name in TRAINING_SESSIONS[key][1]]
        learnt = learnt[-1:] if name in ("fam", "giv") else learnt  # names: from same-date
        m[name] = {level: sum(x[level] for x in learnt) / len(learnt) for level in LEVELS[name]}
    date_m, date_prior, date_pairs = sessions["same_date"]
    matches = date_prior * date_pairs / m["date"][8]
    all_pairs = max(record_count * (record_count - 1) / 2, 1)
    if matches == 0:
        # Too few records to measure: assume each record has about one match elsewhere.
        matches = record_count / 2
    prior = min(max(matches / all_pairs, 1e-12), 0.5)
    return Parameters(m=m, u=u, prior=prior)


def tf_adjustments(
    params: Parameters, counts: dict[str, list[dict]]
) -> dict[str, dict[int, list[tuple[str, float]]]]:
    """Per name value, the weight correction log2(u_level / frequency of the value)."""
    adjustments: dict[str, dict[int, list[tuple[str, float]]]] = {}
    for name, (_, levels) in TF_FIELDS.items():
        rows = counts[name]
        total = sum(r["n"] for r in rows) or 1
        adjustments[name] = {
            level: [
                (r["key"], math.log2(params.u[name][level] / max(r["n"] / total, TF_MINIMUM)))
                for r in rows
            ]
            for level in levels
        }
    return adjustments


# --- scoring -------------------------------------------------------------------------------


def _double(value: float) -> str:
    """A double literal both dialects read the same way (a bare 1.5 is a DECIMAL to them)."""
    return f"CAST('{value!r}' AS DOUBLE)"


def score_sql(comparisons_table: str, params: Parameters) -> str:
    """Return the comparisons with `match_weight` and `guard` (True = must not be linked)."""
    terms = [_double(params.prior_weight)]
    for name, levels in LEVELS.items():
        cases = []
        for level in levels:
            weight = _double(params.weight(name, level))
            if name in TF_FIELDS and level in TF_FIELDS[name][1]:
                weight = f"{weight} + coalesce(tf_{name}.adj{level}, {_double(0.0)})"
            cases.append(f"WHEN g_{name} = {level} THEN {weight}")
        terms.append(f"(CASE {' '.join(cases)} ELSE {_double(0.0)} END)")
    joins = " ".join(
        f"LEFT JOIN tf_{name} ON tf_{name}.key = c.{column}"
        for name, (column, _) in TF_FIELDS.items()
    )
    # Stored for every candidate pair (millions): the levels as one byte each, and not the
    # name and place keys the term-frequency joins read (24 % of the run's peak at 200,000).
    levels = ", ".join(f"CAST(c.g_{name} AS TINYINT) AS g_{name}" for name in FIELDS)
    return (
        f"SELECT c.l_rid, c.r_rid, c.swapped, {levels}, "
        f"{' + '.join(terms)} AS match_weight, {GUARD_SQL} AS guard, "
        f"{contradiction_sql(params)} AS contradiction "
        f"FROM {comparisons_table} c {joins}"
    )


# Fields whose disagreement can say "two persons" (the organisation only shifts the odds).
CONTRADICTING_FIELDS = ("fam", "giv", "date", "place", "mother", "nid", "sex", "father")
CONTRADICTION_WEIGHT = 0.0  # a level weighing less than this (bits) is against a match


def contradiction_sql(params: Parameters) -> str:
    """True when some field agrees at a level that weighs against a match (two exact dates
    that differ, another mother's name...): a low weight made only of missing fields, an
    approximate date and a common name is no evidence of two persons."""
    against = []
    for name in CONTRADICTING_FIELDS:
        levels = [str(lv) for lv in LEVELS[name] if params.weight(name, lv) < CONTRADICTION_WEIGHT]
        if levels:
            against.append(f"g_{name} IN ({', '.join(levels)})")
    return f"({' OR '.join(against)})" if against else "false"


def hop_pairs_sql(scores_table: str, pairs_table: str, threshold: float) -> str:
    """Pairs two links apart (x - z - y) that no blocking rule compared: scoring them gives
    clustering the evidence that x and y differ (two homonyms linked through a record with
    only a year of birth)."""
    links = (
        f"SELECT l_rid AS n, r_rid AS o FROM {scores_table} "
        f"WHERE match_weight >= {_double(threshold)} AND NOT guard "
        f"UNION ALL SELECT r_rid AS n, l_rid AS o FROM {scores_table} "
        f"WHERE match_weight >= {_double(threshold)} AND NOT guard"
    )
    hops = (
        "SELECT DISTINCT least(x.o, y.o) AS l_rid, greatest(x.o, y.o) AS r_rid "
        f"FROM ({links}) x JOIN ({links}) y ON x.n = y.n WHERE x.o <> y.o"
    )
    return (
        f"SELECT h.l_rid, h.r_rid FROM ({hops}) h LEFT JOIN {pairs_table} p "
        "ON p.l_rid = h.l_rid AND p.r_rid = h.r_rid WHERE p.l_rid IS NULL"
    )


# --- clustering ----------------------------------------------------------------------------


# Clustering: constrained merging, strongest links first. Every record starts alone; in each
# round every cluster picks its best neighbour (the cluster it has the strongest link to, a link
# being a pair at or above the threshold and not guarded), and two clusters that pick each
# other merge, unless some pair across them says they differ: a guard, or a weight this low
# with a field against a match (same names but two different exact dates, say; a low weight
# made only of missing fields and an approximate date says nothing against). The strongest
# remaining link is always picked by both its ends, so every round merges; clusters are small,
# so rounds are few.
CANNOT_LINK_WEIGHT = 0.0
# A cluster whose two best neighbours are this close and cannot be together (a record with
# only a year of birth linking equally well to two homonyms) is ambiguous: it joins neither.
AMBIGUITY_MARGIN = 1.0


# A pair under the threshold still links when it is the only candidate of both its records:
# neither record has any other pair weighing SOLE_LINK_WEIGHT or more. A "born about 1975"
# record with one plausible match and no homonym around it is most likely that person (at
# 200,000 persons such pairs of weight 0 to 3 are 59 to 82 % matches, against 15 to 34 % for
# pairs of the same weight with competitors), while the same weight among homonyms is not.
SOLE_LINK_WEIGHT = 0.0


def links_sql(scores_table: str, threshold: float) -> str:
    """Pairs that link: not guarded, and weight at or above threshold, or at or above
    SOLE_LINK_WEIGHT when the pair is the only candidate of both its records.
    `scores_table` is aliased `s`."""
    floor = _double(SOLE_LINK_WEIGHT)
    candidates = (
        f"SELECT s.l_rid AS rid FROM {scores_table} WHERE s.match_weight >= {floor} "
        f"UNION ALL SELECT s.r_rid AS rid FROM {scores_table} WHERE s.match_weight >= {floor}"
    )
    degree = f"SELECT rid, count(*) AS n FROM ({candidates}) c GROUP BY rid"
    return (
        f"SELECT s.l_rid, s.r_rid, s.match_weight AS w FROM {scores_table} "
        f"WHERE s.match_weight >= {_double(threshold)} AND NOT s.guard "
        f"UNION ALL SELECT s.l_rid, s.r_rid, s.match_weight AS w FROM {scores_table} "
        f"JOIN ({degree}) da ON da.rid = s.l_rid JOIN ({degree}) db ON db.rid = s.r_rid "
        f"WHERE s.match_weight >= {floor} AND s.match_weight < {_double(threshold)} "
        "AND NOT s.guard AND da.n = 1 AND db.n = 1"
    )


def component_start_sql(links_table: str) -> str:
    """Every record of a link labelled with its own rid, before propagation."""
    return (
        f"SELECT DISTINCT rid, rid AS comp FROM (SELECT l_rid AS rid FROM {links_table} "
        f"UNION ALL SELECT r_rid AS rid FROM {links_table}) n"
    )


def propagate_sql(components_table: str, links_table: str) -> str:
    """One step of min-label propagation: each record takes the smallest label around it."""
    return (
        "SELECT rid, min(comp) AS comp FROM ("
        f"SELECT rid, comp FROM {components_table} "
        f"UNION ALL SELECT e.l_rid AS rid, c.comp FROM {links_table} e "
        f"JOIN {components_table} c ON c.rid = e.r_rid "
        f"UNION ALL SELECT e.r_rid AS rid, c.comp FROM {links_table} e "
        f"JOIN {components_table} c ON c.rid = e.l_rid"
        ") x GROUP BY rid"
    )


def changed_sql(new_table: str, old_table: str) -> str:
    return (
        f"SELECT count(*) FROM {new_table} n JOIN {old_table} o ON n.rid = o.rid "
        "WHERE n.comp <> o.comp"
    )


def edges_sql(scores_table: str, links_table: str, components_table: str) -> str:
    """The pairs clustering reads: the links (`link` = 1), and the pairs that must not be in one
    cluster (`link` = 0: a guard, or a weight under CANNOT_LINK_WEIGHT with some field against
    a match, see `contradiction_sql`) whose two records are in one connected component of the
    links, the only place where they can meet."""
    cannot = (
        f"SELECT s.l_rid, s.r_rid, s.match_weight AS w, 0 AS link FROM {scores_table} "
        f"JOIN {components_table} ca ON ca.rid = s.l_rid "
        f"JOIN {components_table} cb ON cb.rid = s.r_rid "
        "WHERE ca.comp = cb.comp AND (s.guard OR "
        f"(s.match_weight < {_double(CANNOT_LINK_WEIGHT)} AND s.contradiction))"
    )
    return f"SELECT l_rid, r_rid, w, 1 AS link FROM {links_table} UNION ALL {cannot}"


def initial_labels_sql(edges_table: str) -> str:
    """Every record of a link in its own cluster (cid = rid)."""
    return (
        "SELECT DISTINCT rid, rid AS cid FROM ("
        f"SELECT l_rid AS rid FROM {edges_table} WHERE link = 1 "
        f"UNION ALL SELECT r_rid AS rid FROM {edges_table} WHERE link = 1) n"
    )


def cluster_links_sql(edges_table: str, labels_table: str) -> str:
    """Pairs of clusters with at least one link between them: the best link (w) and whether
    any pair across them must not be together (conflict = 1)."""
    return (
        "SELECT least(la.cid, lb.cid) AS ca, greatest(la.cid, lb.cid) AS cb, "
        "max(CASE WHEN e.link = 1 THEN e.w END) AS w, min(e.link) AS conflict_free "
        f"FROM {edges_table} e JOIN {labels_table} la ON la.rid = e.l_rid "
        f"JOIN {labels_table} lb ON lb.rid = e.r_rid WHERE la.cid <> lb.cid "
        "GROUP BY least(la.cid, lb.cid), greatest(la.cid, lb.cid) HAVING max(e.link) = 1"
    )


def ranked_sql(cluster_links_table: str) -> str:
    """Each cluster's neighbours it may merge with (no conflict), best first (rk = 1)."""
    both_ways = (
        f"SELECT ca AS c, cb AS o, w FROM {cluster_links_table} WHERE conflict_free = 1 "
        f"UNION ALL SELECT cb AS c, ca AS o, w FROM {cluster_links_table} WHERE conflict_free = 1"
    )
    return (
        "SELECT c, o, w, row_number() OVER (PARTITION BY c ORDER BY w DESC, o) AS rk "
        f"FROM ({both_ways}) d"
    )


def ambiguous_sql(ranked_table: str, cluster_links_table: str) -> str:
    """Clusters whose two best neighbours are about as strong and conflict with each other."""
    return (
        f"SELECT r1.c FROM {ranked_table} r1 JOIN {ranked_table} r2 ON r2.c = r1.c AND r2.rk = 2 "
        f"JOIN {cluster_links_table} k ON k.ca = least(r1.o, r2.o) AND k.cb = greatest(r1.o, r2.o) "
        f"WHERE r1.rk = 1 AND r2.w >= r1.w - {_double(AMBIGUITY_MARGIN)} AND k.conflict_free = 0"
    )


def choices_sql(ranked_table: str, ambiguous_table: str) -> str:
    """Each cluster's best neighbour, ambiguous clusters left out on both sides."""
    kept = (
        "SELECT c, o, row_number() OVER (PARTITION BY c ORDER BY w DESC, o) AS rk "
        f"FROM {ranked_table} d "
        f"WHERE NOT EXISTS (SELECT 1 FROM {ambiguous_table} x WHERE x.c = d.c) "
        f"AND NOT EXISTS (SELECT 1 FROM {ambiguous_table} x WHERE x.c = d.o)"
    )
    return f"SELECT c, o FROM ({kept}) k WHERE rk = 1"


def merges_sql(choices_table: str) -> str:
    """Clusters that pick each other: c merges into the smaller of the two labels."""
    return (
        f"SELECT a.c, least(a.c, a.o) AS to_cid FROM {choices_table} a "
        f"JOIN {choices_table} b ON b.c = a.o AND b.o = a.c"
    )


def relabel_sql(labels_table: str, choices_table: str) -> str:
    return (
        f"SELECT l.rid, coalesce(m.to_cid, l.cid) AS cid FROM {labels_table} l "
        f"LEFT JOIN ({merges_sql(choices_table)}) m ON m.c = l.cid"
    )


def clusters_sql(labels_table: str) -> str:
    """Every record with its cluster: the record_id of the cluster's first record."""
    return (
        "SELECT r.record_id, c.record_id AS person_id FROM rec r "
        f"LEFT JOIN {labels_table} l ON l.rid = r.rid "
        "JOIN rec c ON c.rid = coalesce(l.cid, r.rid)"
    )


# --- reviewers' answers ----------------------------------------------------------------------

# A pair a reviewer said differs: a cannot-link stronger than any score.
MUST_LINK_WEIGHT = 1_000_000.0


def constrained_links_sql(links_sql: str, cannot_table: str) -> str:
    """The links, less the pairs a reviewer said differ (a table of l_rid < r_rid). The pairs a
    reviewer said are one person join the automatic clusters afterwards (review.py): as links
    here, their weight would reorder the merging and pull records away from their own links."""
    return (
        f"SELECT k.l_rid, k.r_rid, k.w FROM ({links_sql}) k WHERE NOT EXISTS "
        f"(SELECT 1 FROM {cannot_table} c WHERE c.l_rid = k.l_rid AND c.r_rid = k.r_rid)"
    )


def constrained_edges_sql(edges_sql: str, must_table: str, cannot_table: str) -> str:
    """The edges with the reviewers' answers: a pair said to be one person is no longer a
    cannot-link; a pair said to differ always is, wherever it lies."""
    return (
        f"SELECT e.l_rid, e.r_rid, e.w, e.link FROM ({edges_sql}) e WHERE e.link = 1 OR NOT EXISTS "
        f"(SELECT 1 FROM {must_table} m WHERE m.l_rid = e.l_rid AND m.r_rid = e.r_rid) "
        f"UNION ALL SELECT l_rid, r_rid, {_double(-MUST_LINK_WEIGHT)} AS w, 0 AS link "
        f"FROM {cannot_table}"
    )
