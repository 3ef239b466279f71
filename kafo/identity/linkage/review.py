"""Three outcomes and the review queue: what to link automatically, what to ask a person.

The engine proposes clusters as before (`proposed`: the constrained merging at the threshold,
with sole links). Only what is near certain is linked automatically: inside each proposed
cluster, the records held together by links of weight AUTO_THRESHOLD or more (and links a
reviewer confirmed). Everything else is one of:

- **review**: a pair of records whose answer would change the index, with the reason in words;
- **keep apart**: the rest.

Review items are chosen per pair of automatic clusters (one item, its best pair, per pair of
clusters: a reviewer's "same person" merges the two clusters), then ordered by how much
deciding them changes the index, the expected number of record pairs that change side:
probability x size of one cluster x size of the other (the probability read lower when both
clusters hold several records: see SEVERAL_RECORDS_DISCOUNT). Reasons:

- `proposed`: the engine's own clustering joins them, not surely enough to do it alone;
- `uncertain`: a pair the engine did not join, about as likely one person as two;
- `large_clusters`: the answer joins two clusters of several records each;
- `homonym_chain`: two records of one automatic cluster disagree (a chain of links holding
  homonyms together): "not the same" splits the cluster;
- `twins`: same family name, birth date, place and mother, another given name: never linked
  automatically, a person decides.

Pure Polars and Python on the scored pairs: no engine, no Django.
"""

from __future__ import annotations

import math

import polars as pl

# Link automatically at this match weight whatever else is around (probability 0.9995 by the
# model; measured, pairs of the proposed clusters weighing 11 or more are 98.6 % matches at
# 200,000 persons and more above), or from AUTO_ALONE_THRESHOLD when neither record has a
# candidate (weight COMPETITOR_WEIGHT or more) outside its proposed cluster: a link among
# homonyms is what goes wrong (links of weight 6 to 12 whose records have 3 or more such
# competitors are 90 % matches at 200,000 persons, 99 % with none). Automatic pairwise
# precision, 20,000 / 200,000 persons: weight 8 alone 0.9925 / 0.9876; this rule 0.9941 / 0.9917
# with more recall (0.864 / 0.755 against 0.853 / 0.754).
AUTO_THRESHOLD = 11.0
AUTO_ALONE_THRESHOLD = 6.0
COMPETITOR_WEIGHT = 0.0
# Review items per 1,000 records, by default.
DEFAULT_REVIEW_BUDGET = 50
# A pair the engine did not join is worth asking about from this weight (probability 0.5).
UNCERTAIN_FLOOR = 0.0
# A pair the engine's clustering refused (it joined neither cluster to the other, or a guard
# forbids it) is less likely one person than its weight says: at 20,000 persons, such pairs of
# weight 0 to 8 are 14 to 35 % matches, where the model says 50 to 99.6 %. Their chance is
# read at this many bits less when ordering the queue.
REFUSED_DISCOUNT = 8.0
# The engine's proposed links are less sure than their weight says too (pairs of weight 3 to 8
# are 53 to 88 % matches at 20,000 persons).
PROPOSED_DISCOUNT = 0.0
# Two automatic clusters of several records each are most often two whole persons already:
# the chance that such a pair is one person is read this many times lower per record of the
# smaller cluster beyond the first. Pairs of clusters with at least two records on both sides
# are 54 % matches when proposed and 2 to 4 % when not, against 79 to 80 % and 18 to 24 % with
# a single record on one side (20,000 and 200,000 persons), where the value counted them two
# to nine times. Oracle F1 after review (simulated): 20,000 persons 0.9728 -> 0.9736, 200,000
# 0.9208 -> 0.9222; a perfect order of the same items would give 0.9370 at 200,000.
SEVERAL_RECORDS_DISCOUNT = 0.3
# A cluster this large or more on both sides makes the pair a "large clusters" item.
LARGE_CLUSTER = 3
# Two records of one automatic cluster weighing under this are a chain to review.
CHAIN_WEIGHT = 0.0

REASONS = {
    "proposed": "the engine's clustering joins them, not surely enough to link automatically",
    "uncertain": "uncertain: about as likely one person as two",
    "large_clusters": "the answer joins two clusters of several records each",
    "homonym_chain": "a chain of links holds together records that disagree (homonyms?)",
    "twins": "possible twins: same family name, birth date, place and mother, other given names",
}


def _probability(weight: pl.Expr) -> pl.Expr:
    return 1 / (1 + (2.0 ** (-weight)))


def automatic_clusters(
    proposed: pl.DataFrame,
    pairs: pl.DataFrame,
    auto_threshold: float = AUTO_THRESHOLD,
    must_link: pl.DataFrame | None = None,
    cannot_link: pl.DataFrame | None = None,
    alone_threshold: float = AUTO_ALONE_THRESHOLD,
) -> pl.DataFrame:
    """Split each proposed cluster into what links of `auto_threshold` or more hold together;
    then a pair a reviewer confirmed joins its two clusters whatever the engine proposed, unless
    a pair a reviewer said differs would end up in one cluster. Returns record_id, person_id
    (the first record_id of the part)."""
    cluster = dict(zip(proposed["record_id"], proposed["person_id"], strict=True))
    alone = _without_competitors(pairs, proposed, cannot_link)
    strong = pairs.filter(
        pl.col("linked")
        & (
            (pl.col("match_weight") >= auto_threshold)
            | (
                (pl.col("match_weight") >= min(alone_threshold, auto_threshold))
                & pl.col("l_record_id").is_in(alone.implode())
                & pl.col("r_record_id").is_in(alone.implode())
            )
        )
    ).select("l_record_id", "r_record_id")
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    for a, b in strong.iter_rows():
        if cluster.get(a) != cluster.get(b):
            continue  # only inside a proposed cluster: its constraints already hold
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    ids = proposed["record_id"].to_list()
    if must_link is not None and must_link.height:
        _join_confirmed(ids, must_link, cannot_link, find, parent)
    return pl.DataFrame(
        {"record_id": ids, "person_id": [find(r) for r in ids]},
        schema={"record_id": pl.String, "person_id": pl.String},
    ).sort("record_id")


def _without_competitors(
    pairs: pl.DataFrame, proposed: pl.DataFrame, ruled_out: pl.DataFrame | None = None
) -> pl.Series:
    """Records with no candidate of weight COMPETITOR_WEIGHT or more outside their proposed
    cluster; a pair a reviewer said differs is no competitor."""
    cluster = proposed.rename({"person_id": "c"})
    candidates = pairs.filter(pl.col("match_weight") >= COMPETITOR_WEIGHT).select(
        "l_record_id", "r_record_id"
    )
    if ruled_out is not None and ruled_out.height:
        candidates = candidates.join(
            ruled_out.select("l_record_id", "r_record_id"),
            on=["l_record_id", "r_record_id"],
            how="anti",
        )
    outside = (
        candidates.join(cluster.rename({"record_id": "l_record_id", "c": "c1"}), on="l_record_id")
        .join(cluster.rename({"record_id": "r_record_id", "c": "c2"}), on="r_record_id")
        .filter(pl.col("c1") != pl.col("c2"))
    )
    crowded = pl.concat([outside["l_record_id"], outside["r_record_id"]]).unique()
    return proposed.filter(~pl.col("record_id").is_in(crowded.implode()))["record_id"]


def _join_confirmed(ids, must_link, cannot_link, find, parent) -> None:
    """Join the clusters of each pair a reviewer said is one person, unless that puts together
    two records a reviewer said differ."""
    apart: dict[str, set[str]] = {}
    if cannot_link is not None:
        for a, b in cannot_link.select("l_record_id", "r_record_id").iter_rows():
            apart.setdefault(a, set()).add(b)
            apart.setdefault(b, set()).add(a)
    members: dict[str, set[str]] = {}
    if apart:
        for record in ids:
            members.setdefault(find(record), set()).add(record)
    known = set(ids)
    for a, b in must_link.select("l_record_id", "r_record_id").iter_rows():
        if a not in known or b not in known:
            continue
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        if apart:
            left, right = members.get(ra, {ra}), members.get(rb, {rb})
            if any(apart.get(x, set()) & right for x in left):
                continue  # a reviewer said two of these records differ
            members[min(ra, rb)] = left | right
        parent[max(ra, rb)] = min(ra, rb)


def select_review(
    pairs: pl.DataFrame,
    proposed: pl.DataFrame,
    automatic: pl.DataFrame,
    records: int,
    budget: float = DEFAULT_REVIEW_BUDGET,
    decided: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Return the review items, most useful first: record_a, record_b, probability, reason (a
    code of REASONS), reason_text (in words), value (expected record pairs that change side),
    then the pair's match_weight, swapped, guard and g_* levels (for `explain`); at most
    budget per 1,000 records. `decided` (l_record_id, r_record_id): pairs already answered."""
    limit = int(math.floor(budget * records / 1000))
    levels = ["match_weight", "swapped", "guard", *[c for c in pairs.columns if c[:2] == "g_"]]
    if limit <= 0 or pairs.height == 0:
        pairs = pairs.head(0).with_columns(code=pl.lit(""), value=pl.lit(0.0))
        return _items(pairs, levels)
    auto = automatic.rename({"person_id": "auto"})
    prop = proposed.rename({"person_id": "prop"})
    sizes = automatic.group_by("person_id").len().rename({"person_id": "auto", "len": "size"})
    scored = (
        pairs.filter(~(pl.col("guard") & (pl.col("g_nid") == 0)))  # two national ids: apart
        .join(auto.rename({"record_id": "l_record_id", "auto": "a1"}), on="l_record_id")
        .join(auto.rename({"record_id": "r_record_id", "auto": "a2"}), on="r_record_id")
        .join(prop.rename({"record_id": "l_record_id", "prop": "p1"}), on="l_record_id")
        .join(prop.rename({"record_id": "r_record_id", "prop": "p2"}), on="r_record_id")
        .join(sizes.rename({"auto": "a1", "size": "s1"}), on="a1")
        .join(sizes.rename({"auto": "a2", "size": "s2"}), on="a2")
    )
    if decided is not None and decided.height:
        scored = scored.join(
            decided.select("l_record_id", "r_record_id"),
            on=["l_record_id", "r_record_id"],
            how="anti",
        )
    twins = pl.col("guard") & (pl.col("g_nid") != 0)
    # Merges: one item per pair of automatic clusters, its strongest pair.
    merges = (
        scored.filter(
            (pl.col("a1") != pl.col("a2"))
            & ((pl.col("p1") == pl.col("p2")) | (pl.col("match_weight") >= UNCERTAIN_FLOOR) | twins)
        )
        .with_columns(
            c1=pl.min_horizontal("a1", "a2"),
            c2=pl.max_horizontal("a1", "a2"),
            code=pl.when(twins)
            .then(pl.lit("twins"))
            .when((pl.col("s1") >= LARGE_CLUSTER) & (pl.col("s2") >= LARGE_CLUSTER))
            .then(pl.lit("large_clusters"))
            .when(pl.col("p1") == pl.col("p2"))
            .then(pl.lit("proposed"))
            .otherwise(pl.lit("uncertain")),
            value=pl.when((pl.col("p1") == pl.col("p2")) & ~twins)
            .then(_probability(pl.col("match_weight") - PROPOSED_DISCOUNT))
            .otherwise(_probability(pl.col("match_weight") - REFUSED_DISCOUNT))
            * pl.lit(SEVERAL_RECORDS_DISCOUNT) ** (pl.min_horizontal("s1", "s2") - 1)
            * pl.col("s1")
            * pl.col("s2"),
        )
        .sort("match_weight", "l_record_id", "r_record_id", descending=[True, False, False])
        .group_by("c1", "c2", maintain_order=True)
        .first()
    )
    # Splits: two records of one automatic cluster that weigh against each other.
    splits = scored.filter(
        (pl.col("a1") == pl.col("a2")) & (pl.col("match_weight") < CHAIN_WEIGHT)
    ).with_columns(
        code=pl.lit("homonym_chain"),
        # links of the automatic cluster hold them together: read their chance of being one
        # person as many bits higher as a refused pair's is read lower (at 20,000 persons,
        # 85 to 93 % of these pairs are one person)
        value=(1 - _probability(pl.col("match_weight") + REFUSED_DISCOUNT)) * (pl.col("s1") - 1),
    )
    columns = ["l_record_id", "r_record_id", "code", "value", *levels[1:], "match_weight"]
    items = pl.concat([merges.select(columns), splits.select(columns)])
    order = ["value", "match_weight", "l_record_id", "r_record_id"]
    items = items.sort(order, descending=[True, True, False, False]).head(limit)
    return _items(items, levels)


def _items(items: pl.DataFrame, levels: list[str]) -> pl.DataFrame:
    return items.select(
        pl.col("l_record_id").alias("record_a"),
        pl.col("r_record_id").alias("record_b"),
        _probability(pl.col("match_weight")).round(6).alias("probability"),
        pl.col("code").alias("reason"),
        pl.col("code")
        .replace_strict(REASONS, default="", return_dtype=pl.String)
        .alias("reason_text"),
        pl.col("value").cast(pl.Float64).round(6),
        *levels,
    )
