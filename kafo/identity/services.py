"""Writes of the zone person index: batch rebuild, merge, split, undo. Each atomic and audited.

Nothing is merged silently: a batch link carries its weight and explanation and shows on both
records' pages; uncertain pairs go to the review queue; every move is a `LinkChange` that can be
undone, and is written to the audit trail of the organisation that owns the record.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kafo.audit.context import current_actor
from kafo.audit.services import (
    record_change,
    record_created,
    record_created_many,
)
from kafo.registry.models import Person

from .models import (
    ConstraintKind,
    HintQuota,
    LinkChange,
    LinkConstraint,
    LinkMethod,
    ReviewItem,
    ReviewReason,
    ReviewStatus,
    ZoneLink,
    ZonePerson,
)


@dataclass
class IndexReport:
    records: int
    zone_persons: int
    linked_across_organisations: int
    moved: int
    review_items: int
    seconds: dict


def person_records_frame() -> pl.DataFrame:
    """Every person record of the zone in the linker's input columns."""
    rows = Person.unscoped.values_list(
        "pk",
        "organisation__code",
        "family_name",
        "given_names",
        "sex",
        "birth_date",
        "birth_date_precision",
        "birth_place",
        "mother_name",
        "national_id",
    )
    data = [
        {
            "record_id": str(pk),
            "source": org,
            "family_name": fam,
            "given_names": giv,
            "sex": sex,
            "birth_date": str(born.year) if precision == "year" else born.isoformat(),
            "birth_place": place,
            "mother_name": mother,
            "national_id": nid,
        }
        for pk, org, fam, giv, sex, born, precision, place, mother, nid in rows.iterator()
    ]
    return pl.DataFrame(
        data,
        schema={
            c: pl.Utf8
            for c in (
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
        },
    )


def zone_index_rebuild(
    *, engine: str = "duckdb", on_step: Callable[[str], None] | None = None
) -> IndexReport:
    """Link every person record of the zone and bring the index in line with the result.

    Records an agent linked or split by hand keep their zone person, and the reviewers'
    answers (cannot-link, must-link) hold whatever the engine proposes. Existing zone persons
    are kept where a cluster still holds their records, so ids stay stable from run to run.
    The engine's review items fill the queue in its order.
    """
    from kafo.identity.linkage.linker import explain

    frame = person_records_frame()
    cannot, must = _active_constraints()
    result = (
        _engine_link(frame, engine=engine, on_step=on_step, cannot_link=cannot, must_link=must)
        if frame.height
        else None
    )
    with transaction.atomic():
        clusters = _respect_constraints(result.clusters, cannot, must) if result else None
        moved, zone_count = _apply_clusters(clusters)
        review = _queue_review_items(_review_rows(result), explain) if result else 0
        _record_link_explanations(result.pairs, clusters, explain) if result else None
    cross = _cross_organisation_zone_persons()
    return IndexReport(
        records=frame.height,
        zone_persons=zone_count,
        linked_across_organisations=cross,
        moved=moved,
        review_items=review,
        seconds=result.seconds if result else {},
    )


# --- the engine, as the index calls it --------------------------------------------------------
# The engine's contract (agreed with the linkage side, /work/briefs/requests.md): `link()` may
# take `cannot_link` / `must_link` lists of (record_id, record_id), and its result may carry a
# `review` frame, one pair per row in review order, with `record_a, record_b, probability,
# reason, reason_text`. Until the engine has them, this adapter gives the same shape from
# today's `pairs` and the constraints are enforced on its clusters (`_respect_constraints`).


def _engine_link(frame, *, engine, on_step, cannot_link, must_link):
    import inspect

    from kafo.identity.linkage.linker import link

    options: dict = {"engine": engine, "on_step": on_step}
    accepted = inspect.signature(link).parameters
    if "cannot_link" in accepted:
        options["cannot_link"] = cannot_link
    if "must_link" in accepted:
        options["must_link"] = must_link
    return link(frame, **options)


def _review_rows(result) -> list[dict]:
    """The engine's review pairs in its order, each with its levels for `explain`."""
    from kafo.identity.linkage.linker import REVIEW_FLOOR

    pairs = result.pairs
    review = getattr(result, "review", None)
    if review is None:
        # Today's engine: the uncertain pairs, the closest to even odds first.
        review = (
            pairs.filter(
                ~pl.col("linked") & ~pl.col("guard") & (pl.col("match_weight") >= REVIEW_FLOOR)
            )
            .with_columns(pl.col("match_weight").abs().alias("_doubt"))
            .sort("_doubt", "l_record_id", "r_record_id")
            .select(
                pl.col("l_record_id").alias("record_a"),
                pl.col("r_record_id").alias("record_b"),
                pl.col("match_probability").alias("probability"),
                pl.lit("uncertain").alias("reason"),
                pl.lit("").alias("reason_text"),
            )
        )
    rows = review.to_dicts()
    keys = {tuple(sorted((str(r["record_a"]), str(r["record_b"])))) for r in rows}
    scored = {
        (row["l_record_id"], row["r_record_id"]): row
        for row in pairs.iter_rows(named=True)
        if (row["l_record_id"], row["r_record_id"]) in keys
    }
    out = []
    for r in rows:
        a, b = str(r["record_a"]), str(r["record_b"])
        levels = scored.get((a, b)) or scored.get((b, a)) or {}
        probability = r.get("probability")
        weight = r.get("match_weight", levels.get("match_weight"))
        if weight is None:
            p = min(max(float(probability), 1e-9), 1 - 1e-9)
            weight = math.log2(p / (1 - p))
        out.append(
            {
                **levels,
                **{k: v for k, v in r.items() if k.startswith("g_") or k in ("swapped", "guard")},
                "a": int(a),
                "b": int(b),
                "match_weight": float(weight),
                # The engine names its reason by a code (`reason_code`, with its words in
                # `reason`), or by the code alone in `reason`.
                "reason": r.get("reason_code") or r.get("reason") or "",
                "reason_text": (r.get("reason") if "reason_code" in r else r.get("reason_text"))
                or "",
            }
        )
    return out


def _active_constraints() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    cannot, must = [], []
    for a, b, kind in LinkConstraint.unscoped.filter(active=True).values_list(
        "person_id", "other_person_id", "kind"
    ):
        (cannot if kind == ConstraintKind.CANNOT_LINK else must).append((str(a), str(b)))
    return cannot, must


def _respect_constraints(
    clusters: pl.DataFrame, cannot: list[tuple[str, str]], must: list[tuple[str, str]]
) -> pl.DataFrame:
    """Bring the engine's clusters in line with the reviewers' answers.

    A must-link joins the two clusters; a cannot-link takes the answering side's record (the
    first of the pair) out into a cluster of its own. Cannot-links are applied last: a wrong
    merge costs more than a missed one. An engine that already keeps them changes nothing here.
    """
    if not (cannot or must):
        return clusters
    cluster_of = dict(clusters.iter_rows())
    for a, b in must:
        if a in cluster_of and b in cluster_of and cluster_of[a] != cluster_of[b]:
            old, new = cluster_of[b], cluster_of[a]
            for record, cluster in cluster_of.items():
                if cluster == old:
                    cluster_of[record] = new
    for a, b in cannot:
        if a in cluster_of and b in cluster_of and cluster_of[a] == cluster_of[b]:
            cluster_of[a] = f"apart-{a}"
    return pl.DataFrame(
        {"record_id": list(cluster_of), "person_id": [str(c) for c in cluster_of.values()]}
    )


def _apply_clusters(clusters: pl.DataFrame | None) -> tuple[int, int]:
    if clusters is None:
        return 0, 0
    existing = {
        str(person_id): (zone_id, method)
        for person_id, zone_id, method in ZoneLink.unscoped.values_list(
            "person_id", "zone_person_id", "method"
        )
    }
    members: dict[str, list[str]] = {}
    for record_id, cluster in clusters.iter_rows():
        members.setdefault(cluster, []).append(record_id)
    claimed: set[int] = set()
    assignment: dict[str, int | None] = {}
    new_clusters: list[list[str]] = []
    for records in members.values():
        free = [r for r in records if existing.get(r, (None, None))[1] != LinkMethod.AGENT]
        votes = Counter(existing[r][0] for r in free if r in existing)
        keep = next((z for z, _n in votes.most_common() if z not in claimed), None)
        if keep is None:
            new_clusters.append(free)
            continue
        claimed.add(keep)
        assignment.update({r: keep for r in free})
    fresh = ZonePerson.objects.bulk_create([ZonePerson() for _ in new_clusters])
    for zp, records in zip(fresh, new_clusters, strict=True):
        assignment.update({r: zp.pk for r in records})
    sizes = Counter(assignment.values())
    batch = uuid.uuid4()
    to_create, to_update, changes = [], [], []
    owners = dict(Person.unscoped.values_list("pk", "organisation_id"))
    for record, zone_id in assignment.items():
        pk = int(record)
        method = LinkMethod.BATCH if sizes[zone_id] > 1 else LinkMethod.SINGLE
        before = existing.get(record)
        if before is None:
            to_create.append(
                ZoneLink(
                    organisation_id=owners[pk], person_id=pk, zone_person_id=zone_id, method=method
                )
            )
        elif before[0] != zone_id:
            to_update.append((pk, zone_id, method))
            changes.append(
                LinkChange(
                    organisation_id=owners[pk],
                    person_id=pk,
                    from_zone_person_id=before[0],
                    to_zone_person_id=zone_id,
                    reason="batch",
                    batch=batch,
                )
            )
    ZoneLink.unscoped.bulk_create(to_create, batch_size=5000)
    moved = list(ZoneLink.unscoped.filter(person_id__in=[pk for pk, _z, _m in to_update]))
    target = {pk: (zone_id, method) for pk, zone_id, method in to_update}
    for link in moved:
        link.zone_person_id, link.method = target[link.person_id]
    ZoneLink.unscoped.bulk_update(moved, ["zone_person", "method"], batch_size=5000)
    LinkChange.unscoped.bulk_create(changes, batch_size=5000)
    _audit_batch_moves(moved, changes)
    return len(changes), len(set(assignment.values()))


def _audit_batch_moves(links: list[ZoneLink], changes: list[LinkChange]) -> None:
    """The audit events `_move` writes one by one, for the rebuild's moves, in one insert."""
    from kafo.audit.models import AuditEvent
    from kafo.audit.services import _event

    by_person = {link.person_id: link for link in links}
    events = [
        _event(
            action="update",
            instance=by_person[change.person_id],
            changes={
                "zone_person": [
                    str(ZonePerson(pk=change.from_zone_person_id)),
                    str(ZonePerson(pk=change.to_zone_person_id)),
                ],
                "reason": [None, change.reason],
            },
            subject_type="person",
            subject_id=change.person_id,
        )
        for change in changes
    ]
    AuditEvent.unscoped.bulk_create(events, batch_size=2000)


def _record_link_explanations(pairs: pl.DataFrame, clusters: pl.DataFrame, explain) -> None:
    """Keep, on each linked record, the strongest pair that tied it and why (a pair inside
    one of the clusters: the engine may have scored links it did not make automatically)."""
    cluster_of = clusters.select("record_id", pl.col("person_id").cast(pl.Utf8).alias("c"))
    linked = (
        pairs.filter(pl.col("linked"))
        .join(cluster_of.rename({"record_id": "l_record_id", "c": "lc"}), on="l_record_id")
        .join(cluster_of.rename({"record_id": "r_record_id", "c": "rc"}), on="r_record_id")
        .filter(pl.col("lc") == pl.col("rc"))
        .drop("lc", "rc")
        .sort("match_weight", descending=True)
    )
    best: dict[str, dict] = {}
    for row in linked.iter_rows(named=True):
        for side in ("l_record_id", "r_record_id"):
            best.setdefault(row[side], row)
    links = list(
        ZoneLink.unscoped.filter(
            person_id__in=[int(r) for r in best], method=LinkMethod.BATCH
        ).only("pk", "person_id")
    )
    for link in links:
        row = best[str(link.person_id)]
        link.weight, link.explanation = row["match_weight"], explain(row)
    ZoneLink.unscoped.bulk_update(links, ["weight", "explanation"], batch_size=2000)


def _queue_review_items(rows: list[dict], explain) -> int:
    """Put the engine's review pairs in the queue, in its order; return how many are new.

    Each pair gets one item per side (twins); a pair already answered, or whose records an
    answer ties (must-link) or keeps apart (cannot-link), is not asked again. Pending items
    take the engine's new rank; those it no longer proposes go after, in their old order.
    """
    answered = set(
        ReviewItem.unscoped.exclude(status=ReviewStatus.PENDING).values_list(
            "person_id", "other_person_id"
        )
    )
    answered |= set(
        LinkConstraint.unscoped.filter(active=True).values_list("person_id", "other_person_id")
    )
    pending = {
        (p, o): pk
        for pk, p, o in ReviewItem.unscoped.filter(status=ReviewStatus.PENDING).values_list(
            "pk", "person_id", "other_person_id"
        )
    }
    people = {
        pk: (org_id, code)
        for pk, org_id, code in Person.unscoped.values_list(
            "pk", "organisation_id", "organisation__code"
        )
    }
    firsts, seconds, rerank = [], [], {}
    seen: set[tuple[int, int]] = set()
    for rank, row in enumerate(rows):
        a, b = row["a"], row["b"]
        if a not in people or b not in people or (a, b) in seen:
            continue
        seen |= {(a, b), (b, a)}
        if {(a, b), (b, a)} & answered:
            continue
        if (a, b) in pending or (b, a) in pending:
            rerank.update({pending.get((a, b)): rank, pending.get((b, a)): rank})
            continue
        agreements = explain(row)
        reason = row["reason"] if row["reason"] in ReviewReason.values else ""
        common = {
            "weight": row["match_weight"],
            "agreements": agreements,
            "rank": rank,
            "reason": reason,
            "reason_text": "" if reason else (row["reason_text"] or row["reason"])[:300],
        }
        firsts.append(
            ReviewItem(
                organisation_id=people[a][0],
                person_id=a,
                other_person_id=b,
                other_organisation_code=people[b][1],
                **common,
            )
        )
        seconds.append(
            ReviewItem(
                organisation_id=people[b][0],
                person_id=b,
                other_person_id=a,
                other_organisation_code=people[a][1],
                **common,
            )
        )
    rerank.pop(None, None)
    stale = ReviewItem.unscoped.filter(status=ReviewStatus.PENDING).exclude(pk__in=rerank)
    after = len(rows)
    for offset, item in enumerate(stale.order_by("rank", "-weight", "id").only("pk")):
        rerank[item.pk] = after + offset
    moved = list(ReviewItem.unscoped.filter(pk__in=rerank).only("pk", "rank"))
    for item in moved:
        item.rank = rerank[item.pk]
    ReviewItem.unscoped.bulk_update(moved, ["rank"], batch_size=2000)
    # Both sides in bulk, then each side pointed at its twin (ids come back from the insert).
    ReviewItem.unscoped.bulk_create(firsts, batch_size=2000)
    for item_a, item_b in zip(firsts, seconds, strict=True):
        item_b.twin = item_a
    ReviewItem.unscoped.bulk_create(seconds, batch_size=2000)
    for item_a, item_b in zip(firsts, seconds, strict=True):
        item_a.twin = item_b
    ReviewItem.unscoped.bulk_update(firsts, ["twin"], batch_size=2000)
    record_created_many(firsts + seconds, subject_type="person", subject_field="person_id")
    return len(firsts)


def _cross_organisation_zone_persons() -> int:
    from django.db.models import Count

    return (
        ZoneLink.unscoped.values("zone_person_id")
        .annotate(orgs=Count("organisation_id", distinct=True))
        .filter(orgs__gt=1)
        .count()
    )


# --- agents' decisions ----------------------------------------------------------------------


def _link_of(person: Person) -> ZoneLink:
    link = ZoneLink.unscoped.filter(person=person).first()
    if link is None:
        link = ZoneLink.unscoped.create(
            organisation_id=person.organisation_id,
            person=person,
            zone_person=ZonePerson.objects.create(),
            method=LinkMethod.SINGLE,
        )
    return link


def _move(link: ZoneLink, to_zone_person: ZonePerson, *, reason: str, batch: uuid.UUID):
    change = LinkChange.unscoped.create(
        organisation_id=link.organisation_id,
        person_id=link.person_id,
        from_zone_person_id=link.zone_person_id,
        to_zone_person=to_zone_person,
        reason=reason,
        batch=batch,
        by_id=current_actor().user_id,
    )
    record_change(
        action="update",
        instance=link,
        subject=link.person,
        changes={
            "zone_person": [str(ZonePerson(pk=link.zone_person_id)), str(to_zone_person)],
            "reason": [None, reason],
        },
    )
    link.zone_person = to_zone_person
    link.method = LinkMethod.AGENT
    link.save(update_fields=["zone_person", "method", "linked_at"])
    return change


@transaction.atomic
def review_decide(*, item: ReviewItem, same_person: bool, user) -> uuid.UUID | None:
    """Record one side's answer on a pair and apply it to the clusters.

    "Not the same" is remembered as a cannot-link that later rebuilds keep; if the two records
    share a zone person, this side's record is taken out of it. "Same person" merges the two
    zone persons and is remembered as a must-link. Across two organisations each side answers
    for its own record: the answer is written on its own item only, and the zone persons are
    merged only when the other side has already answered "same person" (the records of the
    side answering last join the other's zone person). Within one organisation, one answer
    decides both items. Return the batch of the moves made (to undo them), or None.
    """
    item = ReviewItem.objects.select_for_update().get(pk=item.pk)
    if item.status != ReviewStatus.PENDING:
        raise ValidationError({"status": _("Cette paire a déjà été examinée.")})
    twin = (
        ReviewItem.unscoped.select_for_update().filter(pk=item.twin_id).first()
        if item.twin_id
        else None
    )
    across = twin is not None and twin.organisation_id != item.organisation_id
    status = ReviewStatus.MERGED if same_person else ReviewStatus.DISTINCT
    decided = [item.pk] if across or twin is None else [item.pk, twin.pk]
    ReviewItem.unscoped.filter(pk__in=decided).update(
        status=status, decided_by=user, decided_at=timezone.now()
    )
    record_change(
        action="update", instance=item, subject=item.person, changes={"review": [None, status]}
    )
    if not same_person:
        _constraint_add(item, ConstraintKind.CANNOT_LINK, user)
        pair = (item.person_id, item.other_person_id)
        zones = dict(
            ZoneLink.unscoped.filter(person_id__in=pair).values_list("person_id", "zone_person_id")
        )
        if len(zones) < 2 or zones[pair[0]] != zones[pair[1]]:
            return None
        batch = zone_person_split(person=item.person, reason="review")
        _remember_batch(decided, batch)
        return batch
    if across and twin.status != ReviewStatus.MERGED:
        return None
    _constraint_add(item, ConstraintKind.MUST_LINK, user)
    if _link_of(item.person).zone_person_id == _link_of(item.other_person).zone_person_id:
        return None
    if across:
        batch = zone_persons_merge(person=item.other_person, other=item.person, reason="review")
        _remember_batch([item.pk, twin.pk], batch)
        return batch
    batch = zone_persons_merge(person=item.person, other=item.other_person, reason="review")
    _remember_batch(decided, batch)
    return batch


def _constraint_add(item: ReviewItem, kind: str, user) -> LinkConstraint:
    constraint = LinkConstraint.unscoped.create(
        organisation_id=item.organisation_id,
        person_id=item.person_id,
        other_person_id=item.other_person_id,
        kind=kind,
        review_item=item,
        created_by=user,
    )
    record_created(constraint, subject=item.person)
    return constraint


def _remember_batch(item_ids: list[int], batch: uuid.UUID) -> None:
    ReviewItem.unscoped.filter(pk__in=item_ids).update(change_batch=batch)


@transaction.atomic
def review_answer_undo(*, item: ReviewItem, user) -> int:
    """Take back this side's answer: the records go back where they were, the pair is pending.

    The merge or split the answer made is undone (every record of its batch returns to its
    former zone person), the answer's cannot-link or must-link stops holding, and the item (and,
    within one organisation, its twin) is asked again. Return how many records moved back.
    """
    item = ReviewItem.objects.select_for_update().get(pk=item.pk)
    if item.status == ReviewStatus.PENDING:
        raise ValidationError({"status": _("Cette paire n'a pas encore reçu de réponse.")})
    batch = item.change_batch
    if batch and LinkChange.unscoped.filter(batch=batch, undone=False).exists():
        # Undoing the moves takes the answer back too (`_answers_take_back`).
        return link_changes_undo(batch=batch, organisation_id=item.organisation_id)
    _answer_take_back(item)
    return 0


def _answer_take_back(item: ReviewItem) -> None:
    """Set an answered item (and, within one organisation, its twin) pending again, and stop
    the cannot-link or must-link it made. Across organisations the other side keeps its own
    answer, but a merge both sides made stops holding once either side takes its answer back."""
    if item.status == ReviewStatus.PENDING:
        return
    twin = ReviewItem.unscoped.filter(pk=item.twin_id).first() if item.twin_id else None
    across = twin is not None and twin.organisation_id != item.organisation_id
    items = [item] if across or twin is None else [item, twin]
    constraints = list(LinkConstraint.unscoped.filter(review_item__in=items, active=True))
    if across and item.change_batch:
        constraints += LinkConstraint.unscoped.filter(
            review_item=twin, active=True, kind=ConstraintKind.MUST_LINK
        )
        ReviewItem.unscoped.filter(pk=twin.pk).update(change_batch=None)
    for constraint in constraints:
        constraint.active = False
        constraint.save(update_fields=["active"])
        record_change(
            action="update",
            instance=constraint,
            subject=constraint.person,
            changes={"active": [True, False]},
        )
    ReviewItem.unscoped.filter(pk__in=[i.pk for i in items]).update(
        status=ReviewStatus.PENDING, decided_by=None, decided_at=None, change_batch=None
    )
    record_change(
        action="update",
        instance=item,
        subject=item.person,
        changes={"review": [item.status, ReviewStatus.PENDING]},
    )


@transaction.atomic
def zone_persons_merge(*, person: Person, other: Person, reason: str = "merge") -> uuid.UUID:
    """Put every record of `other`'s zone person under `person`'s zone person."""
    target = _link_of(person).zone_person
    source = _link_of(other).zone_person_id
    if source == target.pk:
        raise ValidationError({"other": _("Ces dossiers sont déjà liés.")})
    batch = uuid.uuid4()
    for link in ZoneLink.unscoped.filter(zone_person_id=source).select_related("person"):
        _move(link, target, reason=reason, batch=batch)
    return batch


@transaction.atomic
def zone_person_split(*, person: Person, reason: str = "split") -> uuid.UUID:
    """Take one record out of its zone person, into a zone person of its own."""
    link = _link_of(person)
    if ZoneLink.unscoped.filter(zone_person_id=link.zone_person_id).count() < 2:
        raise ValidationError({"person": _("Ce dossier n'est lié à aucun autre.")})
    batch = uuid.uuid4()
    _move(link, ZonePerson.objects.create(), reason=reason, batch=batch)
    return batch


@transaction.atomic
def link_changes_undo(*, batch: uuid.UUID, organisation_id: int | None = None) -> int:
    """Undo a merge or split: every record of the batch goes back where it was.

    When a review answer made the batch, the answer is taken back with it (the answer of
    `organisation_id`'s side, or of every side when None): otherwise the next rebuild would
    redo the merge or split from the answer's must-link or cannot-link.
    """
    changes = list(LinkChange.unscoped.filter(batch=batch, undone=False).order_by("-id"))
    if not changes:
        raise ValidationError({"batch": _("Rien à annuler.")})
    undo = uuid.uuid4()
    for change in changes:
        link = ZoneLink.unscoped.select_related("person").get(person_id=change.person_id)
        _move(
            link, ZonePerson.objects.get(pk=change.from_zone_person_id), reason="undo", batch=undo
        )
        change.undone = True
        change.save(update_fields=["undone"])
    answers = ReviewItem.unscoped.filter(change_batch=batch).order_by("pk")
    if organisation_id is not None:
        answers = answers.filter(organisation_id=organisation_id)
    for pk in answers.values_list("pk", flat=True):
        _answer_take_back(ReviewItem.unscoped.get(pk=pk))  # fresh: a twin may be done already
    return len(changes)


# --- registration hints: a limit per user -----------------------------------------------------

HINT_WINDOW = dt.timedelta(minutes=1)
HINTS_PER_MINUTE = 30  # about three registrations a minute (each field change asks once)


class HintsRateLimited(Exception):
    """A user asked for more registration hints than the limit allows in one minute."""

    def __init__(self, *, limit: int, retry_after: int):
        self.limit = limit
        self.retry_after = retry_after
        super().__init__(
            _(
                "Trop de recherches de doublons dans la zone : %(limit)s par minute au plus. "
                "Réessayez dans %(seconds)s secondes."
            )
            % {"limit": limit, "seconds": retry_after}
        )


def _now() -> dt.datetime:
    return timezone.now()


@transaction.atomic
def hint_request_admit(*, user) -> None:
    """Count one registration-hint search of `user`, or raise `HintsRateLimited` past the limit.

    The limit (`KAFO_HINTS_PER_MINUTE`, default `HINTS_PER_MINUTE`) holds per user over a
    one-minute window that opens with the first search; a refused search does not count. The
    user's counter row is locked while it is read and written, so concurrent requests on
    several server workers are counted exactly.
    """
    limit = getattr(settings, "KAFO_HINTS_PER_MINUTE", HINTS_PER_MINUTE)
    now = _now()
    quota, _created = HintQuota.objects.select_for_update().get_or_create(
        user=user, defaults={"window_start": now}
    )
    if now - quota.window_start >= HINT_WINDOW:
        quota.window_start, quota.used = now, 0
    if quota.used >= limit:
        left = quota.window_start + HINT_WINDOW - now
        raise HintsRateLimited(limit=limit, retry_after=max(1, int(left.total_seconds()) + 1))
    quota.used += 1
    quota.save(update_fields=["window_start", "used"])
