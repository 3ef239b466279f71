"""The review queue in the system (issue 20): filled by the index rebuild in the engine's order,
paged, fields side by side with the reason; an answer applies to the clusters ("same person"
merges and can be undone, "not the same" splits and holds through later rebuilds); the queue's
age and each reviewer's throughput for the registration manager."""

import datetime as dt
from types import SimpleNamespace

import polars as pl
import pytest
from django.urls import reverse
from django.utils import timezone

from kafo.audit.models import AuditEvent
from kafo.identity import services
from kafo.identity.models import LinkChange, LinkConstraint, ReviewItem, ZoneLink
from kafo.registry.tests.factories import person


def _zone_of(p):
    link = ZoneLink.unscoped.filter(person=p).first()
    return link.zone_person_id if link else None


def _items(a, b, *, weight=1.0, rank=0, reason="uncertain"):
    """The two sides of a pair, as the rebuild writes them."""
    first = ReviewItem.unscoped.create(
        organisation=a.organisation,
        person=a,
        other_person=b,
        other_organisation_code=b.organisation.code,
        weight=weight,
        rank=rank,
        reason=reason,
        agreements=["fam: same family name", "giv: a given name in common"],
    )
    second = ReviewItem.unscoped.create(
        organisation=b.organisation,
        person=b,
        other_person=a,
        other_organisation_code=a.organisation.code,
        weight=weight,
        rank=rank,
        reason=reason,
        agreements=first.agreements,
        twin=first,
    )
    first.twin = second
    first.save(update_fields=["twin"])
    return first, second


def _filler(zone, n=40):
    """Unrelated records so that the model has non-matches to learn from."""
    fam = ["Traoré", "Diallo", "Keita", "Sissoko", "Konaté", "Sangaré", "Touré", "Cissé"]
    giv = ["Awa", "Oumar", "Fatoumata", "Issa", "Bakary", "Mariam", "Seydou", "Kadiatou"]
    for i in range(n):
        person(
            zone["INPS-ML" if i % 2 else "CNPS-CI"],
            fam[i % 8],
            giv[(i * 3) % 8],
            birth_date=dt.date(1950 + i, 1 + i % 12, 1 + i % 27),
            sex="F" if giv[(i * 3) % 8] in {"Awa", "Fatoumata", "Mariam", "Kadiatou"} else "M",
        )


def _same_human(zone):
    """One worker known to INPS-ML and CNPS-CI with the same fields: the engine links them."""
    extra = {"mother_name": "Awa Diarra"}
    ml = person(
        zone["INPS-ML"], "Coulibaly", "Mamadou Lamine", national_id="12345678901234K", **extra
    )
    ci = person(zone["CNPS-CI"], "Coulibaly", "Mamadou Lamine", **extra)
    return ml, ci


# --- "not the same" -------------------------------------------------------------------------


def test_not_the_same_survives_a_rebuild(zone, make_user):
    ml, ci = _same_human(zone)
    _filler(zone)
    mine, theirs = _items(ml, ci)
    agent = make_user(zone["CNPS-CI"], "registration_agent")
    assert services.review_decide(item=theirs, same_person=False, user=agent) is None
    constraint = LinkConstraint.unscoped.get()
    assert (constraint.person_id, constraint.other_person_id, constraint.kind) == (
        ci.pk,
        ml.pk,
        "cannot_link",
    )
    assert constraint.organisation == zone["CNPS-CI"]
    # The engine alone would link these two records; the answer keeps them apart, run after run.
    services.zone_index_rebuild()
    assert _zone_of(ml) != _zone_of(ci)
    services.zone_index_rebuild()
    assert _zone_of(ml) != _zone_of(ci)
    assert ReviewItem.unscoped.get(pk=theirs.pk).status == "distinct"
    # asked once only: this side's item and the other side's, no new pair
    assert ReviewItem.unscoped.count() == 2


def test_not_the_same_splits_records_already_linked(zone, make_user):
    a = person(zone["INPS-ML"], "Diallo", "Oumar")
    b = person(zone["INPS-ML"], "Diallo", "Oumar Sidi")
    c = person(zone["INPS-ML"], "Diallo", "Oumar S.")
    services.zone_persons_merge(person=a, other=b)
    services.zone_persons_merge(person=a, other=c)
    first, second = _items(b, a)
    batch = services.review_decide(
        item=first, same_person=False, user=make_user(zone["INPS-ML"], "registration_agent")
    )
    # the answering side's record leaves; the others stay together
    assert _zone_of(b) != _zone_of(a) == _zone_of(c)
    assert [c.person_id for c in LinkChange.unscoped.filter(batch=batch)] == [b.pk]
    second.refresh_from_db()
    assert (second.status, second.change_batch) == ("distinct", batch)


def test_rebuild_keeps_cannot_and_must_links_whatever_the_engine_proposes(zone, monkeypatch):
    a, b, c, d = (person(zone["INPS-ML"], "Keita", f"Issa {i}") for i in "ABCD")
    services.zone_index_rebuild()
    LinkConstraint.unscoped.create(
        organisation=zone["INPS-ML"], person=a, other_person=b, kind="cannot_link"
    )
    LinkConstraint.unscoped.create(
        organisation=zone["INPS-ML"], person=c, other_person=d, kind="must_link"
    )
    # an engine that links a with b and keeps c apart from d
    _fake_engine(monkeypatch, clusters={a: "1", b: "1", c: "2", d: "3"})
    services.zone_index_rebuild()
    assert _zone_of(a) != _zone_of(b)
    assert _zone_of(c) == _zone_of(d)


# --- "same person" --------------------------------------------------------------------------


def test_same_person_merges_and_can_be_undone(zone, make_user, client):
    a = person(zone["INPS-ML"], "Diallo", "Oumar")
    b = person(zone["INPS-ML"], "Diallo", "Oumar Sidi")
    c = person(zone["INPS-ML"], "Diallo", "Oumar S.")
    services.zone_persons_merge(person=b, other=c)
    zone_b = _zone_of(b)
    first, second = _items(a, b)
    agent = make_user(zone["INPS-ML"], "registration_agent")
    client.force_login(agent)
    url = reverse("identity-review-detail", kwargs={"pk": first.pk})
    client.post(url, {"decision": "same"})
    zone_a = _zone_of(a)
    assert _zone_of(b) == _zone_of(c) == zone_a != zone_b
    first.refresh_from_db()
    assert first.status == "merged" and first.change_batch is not None
    assert LinkConstraint.unscoped.filter(kind="must_link", active=True).count() == 1
    events = AuditEvent.unscoped.count()
    response = client.post(reverse("identity-review-undo", kwargs={"pk": first.pk}), follow=True)
    assert "Réponse annulée : la paire est de nouveau à examiner." in response.content.decode()
    assert (_zone_of(a), _zone_of(b), _zone_of(c)) == (zone_a, zone_b, zone_b)
    first.refresh_from_db()
    second.refresh_from_db()
    assert [(i.status, i.decided_by, i.change_batch) for i in (first, second)] == [
        ("pending", None, None),
        ("pending", None, None),
    ]
    assert LinkConstraint.unscoped.filter(active=True).count() == 0
    # two records moved back, the constraint and the answer: each written to the trail
    assert AuditEvent.unscoped.count() - events == 4
    # the pair can be answered again
    services.review_decide(item=first, same_person=False, user=agent)
    assert _zone_of(a) != _zone_of(b)


def test_undo_of_an_unanswered_pair_changes_nothing(zone, make_user, client):
    a = person(zone["INPS-ML"], "Diallo", "Oumar")
    b = person(zone["INPS-ML"], "Diallo", "Oumar Sidi")
    first, _second = _items(a, b)
    client.force_login(make_user(zone["INPS-ML"], "registration_agent"))
    events = AuditEvent.unscoped.count()
    response = client.post(reverse("identity-review-undo", kwargs={"pk": first.pk}), follow=True)
    assert "Cette paire n&#x27;a pas encore reçu de réponse." in response.content.decode()
    assert AuditEvent.unscoped.count() == events
    assert ReviewItem.unscoped.get(pk=first.pk).status == "pending"


def test_undo_needs_the_edit_right_and_the_own_organisation(zone, make_user, client):
    a = person(zone["INPS-ML"], "Diallo", "Oumar")
    b = person(zone["INPS-ML"], "Diallo", "Oumar Sidi")
    first, _second = _items(a, b)
    services.review_decide(
        item=first, same_person=True, user=make_user(zone["INPS-ML"], "registration_agent")
    )
    url = reverse("identity-review-undo", kwargs={"pk": first.pk})
    client.force_login(make_user(zone["INPS-ML"], "benefits_officer"))
    assert client.post(url).status_code in (403, 404)
    client.force_login(make_user(zone["CNPS-CI"], "registration_agent"))
    assert client.post(url).status_code == 404
    assert ReviewItem.unscoped.get(pk=first.pk).status == "merged"
    assert _zone_of(a) == _zone_of(b)


# --- twins ----------------------------------------------------------------------------------


def test_twins_are_never_linked_automatically(zone):
    same = {
        "birth_date": dt.date(1988, 6, 4),
        "birth_place": "Ségou",
        "mother_name": "Kadiatou Sangaré",
    }
    awa = person(zone["INPS-ML"], "Traoré", "Awa", sex="F", **same)
    adama = person(zone["INPS-ML"], "Traoré", "Assétou", sex="F", **same)
    abroad = person(zone["CNPS-CI"], "Traoré", "Assétou", sex="F", **same)
    _filler(zone)
    services.zone_index_rebuild()
    assert _zone_of(awa) != _zone_of(adama)
    assert _zone_of(adama) == _zone_of(abroad)  # the same twin at two organisations is linked
    # a person decides, with the reason in words (one item per pair of clusters)
    item = ReviewItem.unscoped.get(person=awa, other_person__in=[adama, abroad])
    assert (item.reason, item.rank, item.get_reason_display()) == (
        "twins",
        0,
        "jumeaux possibles : même nom de famille, même date et même lieu de naissance, "
        "même mère, autres prénoms",
    )
    services.zone_index_rebuild()
    assert _zone_of(awa) != _zone_of(adama)


# --- the queue: order, pages, reasons, fields side by side ----------------------------------


def _fake_engine(monkeypatch, *, clusters, review=None):
    pairs = pl.DataFrame(
        schema={
            "l_record_id": pl.Utf8,
            "r_record_id": pl.Utf8,
            "match_weight": pl.Float64,
            "guard": pl.Boolean,
            "linked": pl.Boolean,
            "match_probability": pl.Float64,
        }
    )
    result = SimpleNamespace(
        clusters=pl.DataFrame(
            {"record_id": [str(p.pk) for p in clusters], "person_id": list(clusters.values())}
        ),
        pairs=pairs,
        review=review,
        seconds={},
    )
    monkeypatch.setattr(services, "_engine_link", lambda frame, **kw: result)


def test_rebuild_fills_the_queue_in_the_engines_order_and_pages_it(
    zone, monkeypatch, client, make_user
):
    people = [person(zone["INPS-ML"], "Konaté", f"Seydou {i}") for i in range(32)]
    # the engine asks about (p1, p2), (p3, p4)... from the last pair to the first
    order = [(people[i], people[i + 1]) for i in range(30, -1, -2)][:16]
    review = pl.DataFrame(
        {
            "record_a": [str(a.pk) for a, _b in order],
            "record_b": [str(b.pk) for _a, b in order],
            "probability": [0.5] * 16,
            "reason": ["the engine's words"] * 16,
            "reason_code": ["twins"] + ["uncertain"] * 14 + ["something new"],
        }
    )
    _fake_engine(monkeypatch, clusters={p: str(p.pk) for p in people}, review=review)
    report = services.zone_index_rebuild()
    assert report.review_items == 16
    assert ReviewItem.unscoped.count() == 32
    first = ReviewItem.unscoped.get(person=order[0][0])
    assert (first.rank, first.reason, first.weight) == (0, "twins", 0.0)
    last = ReviewItem.unscoped.get(person=order[15][0])
    assert (last.rank, last.reason, last.reason_text) == (15, "", "the engine's words")
    assert AuditEvent.unscoped.filter(object_type="reviewitem", action="create").count() == 32
    client.force_login(make_user(zone["INPS-ML"], "registration_agent"))
    url = reverse("identity-review-list")
    page1 = client.get(url).context["page"]
    # both sides of each pair belong to INPS-ML: 32 items, 25 on the first page
    assert [i.rank for i in page1] == sorted([r for r in range(16) for _side in (0, 1)])[:25]
    page2 = client.get(url, {"page": 2}).context["page"]
    assert [i.rank for i in page2] == [12, 13, 13, 14, 14, 15, 15]
    html = client.get(url).content.decode()
    assert "jumeaux possibles : même nom de famille" in html
    assert "page 1 sur 2" in html
    # a second run asks nothing twice and keeps the order
    assert services.zone_index_rebuild().review_items == 0
    assert ReviewItem.unscoped.get(pk=first.pk).rank == 0


def test_list_page_queries_do_not_grow_with_the_page(zone, client, make_user):
    people = [person(zone["INPS-ML"], "Konaté", f"Seydou {i}") for i in range(12)]
    for i in range(0, 12, 2):
        _items(people[i], people[i + 1], rank=i)
    client.force_login(make_user(zone["INPS-ML"], "registration_agent"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("identity-review-list"))
    for i in range(12):
        a = person(zone["INPS-ML"], "Sangaré", f"Bakary {i}")
        b = person(zone["INPS-ML"], "Sangaré", f"Bakary {i} B")
        _items(a, b, rank=20 + i)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("identity-review-list"))
    assert len(many) == len(few)


def test_detail_shows_fields_side_by_side_with_the_reason(zone, client, make_user):
    a = person(zone["INPS-ML"], "Diallo", "Oumar", mother_name="Mariam Touré")
    b = person(zone["INPS-ML"], "Diallo", "Oumar Sidi", mother_name="Mariam Toure")
    abroad = person(zone["CNPS-CI"], "Diallo", "Oumar", mother_name="Secret-Mère-CI")
    own, _x = _items(a, b, reason="homonym_chain")
    across, _y = _items(a, abroad, reason="large_clusters")
    lines = [*own.agreements, "names: family and given names entered the other way round"]
    ReviewItem.unscoped.filter(pk=own.pk).update(agreements=lines)
    client.force_login(make_user(zone["INPS-ML"], "registration_agent"))
    html = client.get(reverse("identity-review-detail", kwargs={"pk": own.pk})).content.decode()
    assert "une chaîne de liens tient ensemble des dossiers qui ne concordent pas" in html
    assert "Mariam Touré" in html and "Mariam Toure" in html and "Oumar Sidi" in html
    assert "un prénom en commun" in html
    assert "nom et prénoms saisis dans l&#x27;autre sens" in html
    html = client.get(reverse("identity-review-detail", kwargs={"pk": across.pk})).content.decode()
    assert "la réponse réunit deux groupes de plusieurs dossiers chacun" in html
    assert "Secret-Mère-CI" not in html
    assert reverse("person-detail", kwargs={"pk": abroad.pk}) not in html
    assert "non communiqué" in html


# --- for the registration manager -----------------------------------------------------------


def test_manager_sees_the_queues_age_and_each_reviewers_throughput(zone, client, make_user):
    people = [person(zone["INPS-ML"], "Cissé", f"Mariam {i}", sex="F") for i in range(8)]
    items = [_items(people[i], people[i + 1])[0] for i in range(0, 8, 2)]
    now = timezone.now()
    ReviewItem.unscoped.filter(pk=items[0].pk).update(created_at=now - dt.timedelta(days=12))
    awa = make_user(zone["INPS-ML"], "registration_agent", username="awa")
    awa.first_name, awa.last_name = "Awa", "Keita"
    awa.save()
    issa = make_user(zone["INPS-ML"], "registration_agent", username="issa")
    services.review_decide(item=items[1], same_person=True, user=awa)
    services.review_decide(item=items[2], same_person=False, user=awa)
    services.review_decide(item=items[3], same_person=False, user=issa)
    ReviewItem.unscoped.filter(pk__in=[items[3].pk, items[3].twin_id]).update(
        decided_at=now - dt.timedelta(days=10)
    )
    client.force_login(awa)
    response = client.get(reverse("identity-review-list"))
    stats = response.context["stats"]
    assert (stats.pending, stats.oldest_days) == (2, 12)  # items[0] and its twin
    assert stats.oldest_since.date() == (now - dt.timedelta(days=12)).date()
    assert [
        (r.name, r.last_7_days, r.last_30_days, r.same, r.distinct) for r in stats.reviewers
    ] == [
        ("Awa Keita", 4, 4, 2, 2),  # within one organisation an answer decides both sides
        ("issa", 0, 2, 0, 2),
    ]
    html = response.content.decode()
    assert "Plus ancienne en attente" in html
    assert (now - dt.timedelta(days=12)).strftime("%d/%m/%Y") in html
    client.force_login(make_user(zone["INPS-ML"], "benefits_officer"))
    response = client.get(reverse("identity-review-list"))
    assert "stats" not in response.context
    assert "Plus ancienne en attente" not in response.content.decode()


def test_stats_count_only_the_own_organisation(zone, client, make_user):
    a, b = (person(zone["CNPS-CI"], "Touré", f"Issa {i}") for i in "AB")
    _items(a, b)
    client.force_login(make_user(zone["INPS-ML"], "registration_agent"))
    stats = client.get(reverse("identity-review-list")).context["stats"]
    assert (stats.pending, stats.oldest_days, stats.reviewers) == (0, None, [])


@pytest.mark.parametrize("status", ["merged", "bogus"])
def test_list_by_status(zone, client, make_user, status):
    a, b = (person(zone["INPS-ML"], "Touré", f"Issa {i}") for i in "AB")
    first, _second = _items(a, b)
    client.force_login(make_user(zone["INPS-ML"], "registration_agent"))
    page = client.get(reverse("identity-review-list"), {"status": status}).context["page"]
    assert len(page) == (0 if status == "merged" else 2)


def test_review_pages_in_english(zone, client, make_user):
    a, b = (person(zone["INPS-ML"], "Touré", f"Issa {i}") for i in "AB")
    first, _second = _items(a, b, reason="twins")
    client.force_login(make_user(zone["INPS-ML"], "registration_agent"))
    client.cookies["django_language"] = "en"
    html = client.get(reverse("identity-review-list")).content.decode()
    assert "Queue follow-up" in html and "Oldest waiting since" in html
    assert "possible twins: same family name, same birth date and place" in html
    html = client.get(reverse("identity-review-detail", kwargs={"pk": first.pk})).content.decode()
    assert "Mother&#x27;s name" in html and "Agreement" in html


def test_undoing_a_review_merge_from_the_zone_page_takes_the_answer_back(zone, make_user, client):
    a = person(zone["INPS-ML"], "Diallo", "Oumar")
    b = person(zone["INPS-ML"], "Diallo", "Oumar Sidi")
    first, second = _items(a, b)
    agent = make_user(zone["INPS-ML"], "registration_agent")
    batch = services.review_decide(item=first, same_person=True, user=agent)
    client.force_login(agent)
    client.post(reverse("identity-undo", kwargs={"batch": batch}))
    assert _zone_of(a) != _zone_of(b)
    # otherwise the answer's must-link would merge them again at the next rebuild
    assert LinkConstraint.unscoped.filter(active=True).count() == 0
    assert [ReviewItem.unscoped.get(pk=i.pk).status for i in (first, second)] == [
        "pending",
        "pending",
    ]
    assert AuditEvent.unscoped.filter(object_type="reviewitem", action="update").count() == 2


def test_undoing_one_side_of_a_merge_across_organisations(zone, make_user):
    a = person(zone["INPS-ML"], "Diallo", "Oumar")
    b = person(zone["CNPS-CI"], "Diallo", "Oumar")
    mine, theirs = _items(a, b)
    services.review_decide(
        item=theirs, same_person=True, user=make_user(zone["CNPS-CI"], "registration_agent")
    )
    agent = make_user(zone["INPS-ML"], "registration_agent")
    services.review_decide(item=mine, same_person=True, user=agent)
    assert _zone_of(a) == _zone_of(b)
    assert services.review_answer_undo(item=mine, user=agent) == 1
    assert _zone_of(a) != _zone_of(b)
    # INPS-ML is asked again; CNPS-CI's own answer stands; no must-link holds
    assert [ReviewItem.unscoped.get(pk=i.pk).status for i in (mine, theirs)] == [
        "pending",
        "merged",
    ]
    assert not LinkConstraint.unscoped.filter(active=True).exists()
    services.review_decide(item=mine, same_person=True, user=agent)
    assert _zone_of(a) == _zone_of(b)
