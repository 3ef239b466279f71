"""The linkage model as SQL that DuckDB and Spark both run, plus EM in plain Python.

Steps, each one set-based on the engine:

1. blocking: candidate pairs from several equi-join rules, so that a record whose name, date or
   id is damaged is still reached through another rule;
2. comparison: every candidate pair gets one agreement level per field (`g_*` columns), with
   family and given names compared crosswise when a record has them the other way round;
3. training: u (how often non-matches agree) is counted on a deterministic sample of random
   pairs; m (how often matches agree) and the share of matches are found by
   expectation-maximisation on the counts of each agreement pattern, a few thousand rows at
   most, so the loop runs in Python on the patterns, never on pairs;
4. scoring: Fellegi–Sunter weights, with a term-frequency correction on names and places so that
   "Mamadou Traoré born in Bamako" agreeing says less than a rare name agreeing;
5. guards: pairs that must never be joined whatever their score (two different national ids;
   twins: same mother and birth date, different given names).
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
        3: "same given names",
        2: "a given name in common",
        1: "first given name close",
        0: "different",
    },
    "date": {
        5: "same date",
        4: "day and month swapped",
        3: "same year, one date approximate",
        2: "year off by one (two if approximate)",
        1: "same year, other day",
        0: "different",
    },
    "place": {2: "same place", 1: "close", 0: "different"},
    "mother": {2: "same mother's name", 1: "close", 0: "different"},
    "nid": {2: "same national id", 1: "one typing error apart", 0: "different"},
    "sex": {1: "same sex", 0: "different"},
}
FIELDS = tuple(LEVELS)

# Fields whose top levels get a term-frequency correction, and the key that is counted.
TF_FIELDS = {"fam": ("l_fk", (3, 2)), "giv": ("l_gk1", (3, 2)), "place": ("l_place", (2,))}
TF_KEY_COLUMN = {"fam": "fk", "giv": "gk1", "place": "place"}
TF_MINIMUM = 1e-4

# Blocking rules: a pair is a candidate when any rule joins it.
_YEARS_CLOSE = "abs(a.yr - b.yr) <= CASE WHEN a.approx OR b.approx THEN 2 ELSE 1 END"
BLOCKING_RULES: dict[str, str] = {
    "national_id": "a.nid = b.nid",
    # family key + year alone made 80 % of all pairs for 1 % of the true ones: narrowed by place
    "family_year_place": "a.fk = b.fk AND a.yr = b.yr AND a.place = b.place",
    # (family key + given key + years close is inside the two skeleton rules below)
    "names_no_date": "a.fk = b.fk AND a.gk1 = b.gk1 AND (a.yr IS NULL OR b.yr IS NULL)",
    "swapped_names": f"a.fk = b.gk1 AND a.gk1 = b.fk AND {_YEARS_CLOSE}",
    "family_skeleton": f"a.fsk = b.fsk AND a.gk1 = b.gk1 AND {_YEARS_CLOSE}",
    "given_skeleton": f"a.fk = b.fk AND a.gsk = b.gsk AND {_YEARS_CLOSE}",
    "given_date": "a.gk1 = b.gk1 AND a.yr = b.yr AND a.mo = b.mo AND a.dy = b.dy",
    "mother_year": "a.mother = b.mother AND a.yr = b.yr",
    "place_date": "a.place = b.place AND a.yr = b.yr AND a.mo = b.mo AND a.dy = b.dy",
}

_RECORD_FIELDS = (
    *("fk", "fk2", "fsk", "fam", "gk1", "gk2", "gsk", "giv"),
    *("mother", "place", "sex", "yr", "mo", "dy", "approx", "nid"),
)


def blocked_pairs_sql(rules: dict[str, str] = BLOCKING_RULES) -> str:
    """Return the distinct candidate pairs (l_rid < r_rid) of all blocking rules."""
    selects = [
        f"SELECT a.rid AS l_rid, b.rid AS r_rid FROM rec a JOIN rec b ON {cond} WHERE a.rid < b.rid"
        for cond in rules.values()
    ]
    return "SELECT DISTINCT l_rid, r_rid FROM (" + " UNION ALL ".join(selects) + ") u"


def random_pairs_sql(count: int, strides: tuple[int, ...] = (7919, 104729, 1299709)) -> str:
    """Deterministic pseudo-random pairs: rid i with (i * stride + 1) mod n, same on any engine."""
    selects = [
        f"SELECT a.rid AS l_rid, b.rid AS r_rid FROM rec a JOIN rec b "
        f"ON b.rid = (a.rid * {stride} + 1) % {count} WHERE a.rid <> b.rid"
        for stride in strides
    ]
    return " UNION ALL ".join(selects)


def comparison_sql(pairs_table: str) -> str:
    """Return the pairs of `pairs_table` with both records' fields and the `g_*` levels."""
    left = ", ".join(f"a.{c} AS l_{c}" for c in _RECORD_FIELDS)
    right = ", ".join(f"b.{c} AS r_{c}" for c in _RECORD_FIELDS)
    joined = (
        f"SELECT p.l_rid, p.r_rid, {left}, {right}, "
        f"coalesce({_SWAPPED_SQL}, false) AS swapped "
        f"FROM {pairs_table} p JOIN rec a ON a.rid = p.l_rid JOIN rec b ON b.rid = p.r_rid"
    )

    def oriented(family: str, given: str) -> str:
        return f"CASE WHEN swapped THEN r_{given} ELSE r_{family} END"

    oriented_cols = (
        f"{oriented('fk', 'gk1')} AS o_fk, {oriented('fam', 'giv')} AS o_fam, "
        f"{oriented('gk1', 'fk')} AS o_gk1, {oriented('gk2', 'fk2')} AS o_gk2, "
        f"{oriented('giv', 'fam')} AS o_giv"
    )
    levels = ",\n".join(f"{sql} AS g_{name}" for name, sql in _LEVEL_SQL.items())
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
        WHEN levenshtein(l_fam, o_fam) <= 2 THEN 1 ELSE 0 END""",
    "giv": """CASE WHEN l_gk1 IS NULL OR o_gk1 IS NULL THEN -1
        WHEN l_giv = o_giv THEN 3
        WHEN l_gk1 = o_gk1 OR l_gk1 = o_gk2 OR l_gk2 = o_gk1 THEN 2
        WHEN levenshtein(l_gk1, o_gk1) <= CASE WHEN length(l_gk1) >= 6 THEN 2 ELSE 1 END
            THEN 1 ELSE 0 END""",
    "date": """CASE WHEN l_yr IS NULL OR r_yr IS NULL THEN -1
        WHEN l_yr = r_yr AND l_mo = r_mo AND l_dy = r_dy THEN 5
        WHEN l_yr = r_yr AND l_mo = r_dy AND l_dy = r_mo THEN 4
        WHEN l_yr = r_yr AND (l_approx OR r_approx) THEN 3
        WHEN abs(l_yr - r_yr) = 1 AND (l_approx OR r_approx OR (l_mo = r_mo AND l_dy = r_dy))
            THEN 2
        WHEN abs(l_yr - r_yr) = 2 AND (l_approx OR r_approx) THEN 2
        WHEN l_yr = r_yr THEN 1 ELSE 0 END""",
    "place": """CASE WHEN l_place IS NULL OR r_place IS NULL THEN -1
        WHEN l_place = r_place THEN 2
        WHEN levenshtein(l_place, r_place) <= 2 THEN 1 ELSE 0 END""",
    "mother": """CASE WHEN l_mother IS NULL OR r_mother IS NULL THEN -1
        WHEN l_mother = r_mother THEN 2
        WHEN levenshtein(l_mother, r_mother) <= 3 THEN 1 ELSE 0 END""",
    "nid": """CASE WHEN l_nid IS NULL OR r_nid IS NULL THEN -1
        WHEN l_nid = r_nid THEN 2
        WHEN length(l_nid) = length(r_nid) AND levenshtein(l_nid, r_nid) <= 2 THEN 1
        ELSE 0 END""",
    "sex": """CASE WHEN l_sex IS NULL OR r_sex IS NULL THEN -1
        WHEN l_sex = r_sex THEN 1 ELSE 0 END""",
}

# Never link, whatever the score: two national ids that are not one typo apart; twins.
# Twins: same family, birth date and place, and given names with nothing in common (the
# mother's name agreeing or missing); or given names only close and a different sex.
GUARD_SQL = """(g_nid = 0
    OR (g_fam >= 2 AND g_date >= 4 AND g_mother IN (-1, 2) AND g_place IN (-1, 2)
        AND (g_giv = 0 OR (g_giv = 1 AND g_sex = 0))))"""


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
    "giv": {3: 0.60, 2: 0.25, 1: 0.10, 0: 0.05},
    "date": {5: 0.60, 4: 0.05, 3: 0.12, 2: 0.10, 1: 0.08, 0: 0.05},
    "place": {2: 0.75, 1: 0.15, 0: 0.10},
    "mother": {2: 0.77, 1: 0.20, 0: 0.03},
    "nid": {2: 0.95, 1: 0.04, 0: 0.01},
    "sex": {1: 0.98, 0: 0.02},
}
DEFAULT_U: dict[str, dict[int, float]] = {
    "fam": {3: 0.02, 2: 0.01, 1: 0.02, 0: 0.95},
    "giv": {3: 0.01, 2: 0.02, 1: 0.02, 0: 0.95},
    "date": {5: 0.0001, 4: 0.0001, 3: 0.002, 2: 0.01, 1: 0.03, 0: 0.9578},
    "place": {2: 0.10, 1: 0.02, 0: 0.88},
    "mother": {2: 0.001, 1: 0.01, 0: 0.989},
    "nid": {2: 0.0001, 1: 0.0009, 0: 0.999},
    "sex": {1: 0.5, 0: 0.5},
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
    "national_id": ("a.nid = b.nid", ("fam", "giv", "date", "place", "mother", "sex")),
    "same_date": (
        "a.yr = b.yr AND a.mo = b.mo AND a.dy = b.dy",
        ("fam", "giv", "place", "mother", "nid", "sex"),
    ),
}
TRAINING_PAIRS = 2_000_000


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
    matches = date_prior * date_pairs / m["date"][5]
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
    return (
        f"SELECT c.*, {' + '.join(terms)} AS match_weight, {GUARD_SQL} AS guard "
        f"FROM {comparisons_table} c {joins}"
    )


# --- clustering ----------------------------------------------------------------------------


# Two records in one cluster whose own comparison says they differ (a guard, or a weight this
# low) show that a chain of links went through the wrong record: homonyms joined by a record
# with only a year of birth, say. The weakest link of such a cluster is cut, and again.
CANNOT_LINK_WEIGHT = -6.0
# Links of a conflicting cluster this close to its weakest link are cut together: a record
# with only a year of birth links equally well to two homonyms, and should join neither.
CUT_MARGIN = 0.5


def edges_sql(scores_table: str, threshold: float) -> str:
    """Every pair linked: weight at or above threshold and not guarded."""
    return (
        f"SELECT l_rid, r_rid, match_weight AS w FROM {scores_table} "
        f"WHERE match_weight >= {_double(threshold)} AND NOT guard"
    )


def initial_labels_sql(edges_table: str) -> str:
    return (
        f"SELECT DISTINCT rid, rid AS cid FROM (SELECT l_rid AS rid FROM {edges_table} "
        f"UNION ALL SELECT r_rid AS rid FROM {edges_table}) n"
    )


def propagate_sql(labels_table: str, edges_table: str) -> str:
    """One step of min-label propagation: each node takes the smallest label around it."""
    return (
        "SELECT rid, min(cid) AS cid FROM ("
        f"SELECT rid, cid FROM {labels_table} "
        f"UNION ALL SELECT e.l_rid AS rid, l.cid FROM {edges_table} e "
        f"JOIN {labels_table} l ON l.rid = e.r_rid "
        f"UNION ALL SELECT e.r_rid AS rid, l.cid FROM {edges_table} e "
        f"JOIN {labels_table} l ON l.rid = e.l_rid"
        ") x GROUP BY rid"
    )


def changed_sql(new_table: str, old_table: str) -> str:
    return (
        f"SELECT count(*) FROM {new_table} n JOIN {old_table} o ON n.rid = o.rid "
        "WHERE n.cid <> o.cid"
    )


def conflicts_sql(scores_table: str, labels_table: str) -> str:
    """Clusters holding two records that must not be together."""
    return (
        f"SELECT DISTINCT la.cid FROM {scores_table} s "
        f"JOIN {labels_table} la ON la.rid = s.l_rid JOIN {labels_table} lb ON lb.rid = s.r_rid "
        f"WHERE la.cid = lb.cid AND (s.guard OR s.match_weight < {_double(CANNOT_LINK_WEIGHT)})"
    )


def cut_weakest_sql(edges_table: str, labels_table: str, conflicts_table: str) -> str:
    """The edges without the weakest links of every conflicting cluster."""
    weakest = (
        f"SELECT l.cid, min(e.w) AS w FROM {edges_table} e "
        f"JOIN {labels_table} l ON l.rid = e.l_rid "
        f"JOIN {conflicts_table} c ON c.cid = l.cid GROUP BY l.cid"
    )
    return (
        f"SELECT e.l_rid, e.r_rid, e.w FROM {edges_table} e "
        f"JOIN {labels_table} l ON l.rid = e.l_rid LEFT JOIN ({weakest}) k ON k.cid = l.cid "
        f"WHERE k.cid IS NULL OR e.w > k.w + {_double(CUT_MARGIN)}"
    )


def clusters_sql(labels_table: str) -> str:
    """Every record with its cluster: the record_id of the cluster's first record."""
    return (
        "SELECT r.record_id, c.record_id AS person_id FROM rec r "
        f"LEFT JOIN {labels_table} l ON l.rid = r.rid "
        "JOIN rec c ON c.rid = coalesce(l.cid, r.rid)"
    )
