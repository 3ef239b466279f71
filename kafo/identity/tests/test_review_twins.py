"""Twin review items: each organisation answers for its own record, and the two records are
linked only once both organisations have answered "same person"."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kafo.audit.models import AuditEvent
from kafo.identity import services
from kafo.identity.models import LinkChange, ReviewItem, ZoneLink
from kafo.registry.tests.factories import person


@pytest.fixture
def pair(zone):
    """INPS-ML's record, already linked to a CMSS-ML record; CNPS-CI's record, alone."""
    ml = person(zone["INPS-ML"], "Coulibaly", "Mamadou Lamine")
    cmss = person(zone["CMSS-ML"], "Coulibaly", "Mamadou")
    services.zone_persons_merge(person=ml, other=cmss)
    ci = person(zone["CNPS-CI"], "KULIBALI", "Mahamadou")
    mine = ReviewItem.unscoped.create(
        organisation=zone["INPS-ML"],
        person=ml,
        other_person=ci,
        other_organisation_code="CNPS-CI",
        weight=1.2,
        agreements=["names: partly agree"],
    )
    theirs = ReviewItem.unscoped.create(
        organisation=zone["CNPS-CI"],
        person=ci,
        other_person=ml,
        other_organisation_code="INPS-ML",
        weight=1.2,
        agreements=["names: partly agree"],
        twin=mine,
    )
    mine.twin = theirs
    mine.save()
    return {"ml": ml, "cmss": cmss, "ci": ci, "mine": mine, "theirs": theirs}


def _zone_of(p):
    link = ZoneLink.unscoped.filter(person=p).first()
    return link.zone_person_id if link else None


def _links():
    return list(ZoneLink.unscoped.order_by("pk").values("person_id", "zone_person_id", "method"))


def _statuses(pair):
    return [ReviewItem.unscoped.get(pk=pair[k].pk).status for k in ("mine", "theirs")]


def test_one_sides_same_person_moves_no_link_and_leaves_the_other_item_pending(pair, make_user):
    before = _links()
    changes = LinkChange.unscoped.count()
    user = make_user(pair["ml"].organisation, "registration_agent")
    assert services.review_decide(item=pair["mine"], same_person=True, user=user) is None
    assert _statuses(pair) == ["merged", "pending"]
    assert _links() == before
    assert LinkChange.unscoped.count() == changes
    theirs = ReviewItem.unscoped.get(pk=pair["theirs"].pk)
    assert (theirs.decided_by, theirs.decided_at) == (None, None)


def test_both_sides_same_person_links_the_records(pair, make_user, zone):
    services.review_decide(
        item=pair["mine"], same_person=True, user=make_user(zone["INPS-ML"], "registration_agent")
    )
    ci_agent = make_user(zone["CNPS-CI"], "registration_agent")
    ml_zone = _zone_of(pair["ml"])
    batch = services.review_decide(item=pair["theirs"], same_person=True, user=ci_agent)
    assert _statuses(pair) == ["merged", "merged"]
    # the side answering last brings its own record to the other's zone person
    assert _zone_of(pair["ci"]) == _zone_of(pair["ml"]) == _zone_of(pair["cmss"]) == ml_zone
    moved = LinkChange.unscoped.filter(batch=batch)
    assert [(c.person_id, c.organisation.code) for c in moved] == [(pair["ci"].pk, "CNPS-CI")]


def test_one_side_says_different_persons_and_nothing_is_ever_linked(pair, make_user, zone):
    before = _links()
    services.review_decide(
        item=pair["theirs"],
        same_person=False,
        user=make_user(zone["CNPS-CI"], "registration_agent"),
    )
    assert _statuses(pair) == ["pending", "distinct"]
    services.review_decide(
        item=pair["mine"], same_person=True, user=make_user(zone["INPS-ML"], "registration_agent")
    )
    assert _statuses(pair) == ["merged", "distinct"]
    assert _links() == before


def test_a_side_answers_once(pair, make_user, zone):
    user = make_user(zone["INPS-ML"], "registration_agent")
    services.review_decide(item=pair["mine"], same_person=True, user=user)
    events = AuditEvent.unscoped.count()
    with pytest.raises(ValidationError):
        services.review_decide(item=pair["mine"], same_person=False, user=user)
    assert _statuses(pair) == ["merged", "pending"]
    assert AuditEvent.unscoped.count() == events


def test_a_pair_within_one_organisation_is_decided_once(zone, make_user):
    a = person(zone["INPS-ML"], "Diallo", "Oumar")
    b = person(zone["INPS-ML"], "Diallo", "Oumar Sidi")
    first = ReviewItem.unscoped.create(
        organisation=zone["INPS-ML"],
        person=a,
        other_person=b,
        other_organisation_code="INPS-ML",
        weight=1.0,
    )
    second = ReviewItem.unscoped.create(
        organisation=zone["INPS-ML"],
        person=b,
        other_person=a,
        other_organisation_code="INPS-ML",
        weight=1.0,
        twin=first,
    )
    first.twin = second
    first.save()
    services.review_decide(
        item=first, same_person=True, user=make_user(zone["INPS-ML"], "registration_agent")
    )
    second.refresh_from_db()
    assert second.status == "merged"
    assert _zone_of(a) == _zone_of(b) is not None


def test_pages_say_what_each_side_answered(pair, client, zone, make_user):
    client.force_login(make_user(zone["INPS-ML"], "registration_agent"))
    url = reverse("identity-review-detail", kwargs={"pk": pair["mine"].pk})
    page = client.get(url).content.decode()
    assert "les deux dossiers ne sont liés que si CNPS-CI répond aussi" in page
    assert "CNPS-CI n'a pas encore répondu" not in page  # not before answering
    client.post(url, {"decision": "same"})
    assert "CNPS-CI n'a pas encore répondu." in client.get(url).content.decode()
    client.force_login(make_user(zone["CNPS-CI"], "registration_agent"))
    theirs = reverse("identity-review-detail", kwargs={"pk": pair["theirs"].pk})
    response = client.post(theirs, {"decision": "same"}, follow=True)
    assert "Décision enregistrée." in response.content.decode()
    assert _zone_of(pair["ci"]) == _zone_of(pair["ml"])
