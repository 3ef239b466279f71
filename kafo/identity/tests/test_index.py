"""The zone person index inside the system: batch linking, hints, review, merge, split, undo,
and what an agent may see of another organisation's record (nothing but its code)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from kafo.audit.models import AuditEvent
from kafo.identity import selectors, services
from kafo.identity.domain import quick_match
from kafo.identity.models import LinkChange, ReviewItem, ZoneLink
from kafo.registry.tests.factories import person


def _migrant(zone):
    """One worker registered at INPS-ML then CNPS-CI, spelt differently; and a homonym."""
    ml = person(
        zone["INPS-ML"],
        "Coulibaly",
        "Mamadou Lamine",
        national_id="12345678901234K",
        birth_place="Bamako",
        mother_name="Awa Diarra",
    )
    ci = person(
        zone["CNPS-CI"],
        "KULIBALI",
        "Mahamadou",
        birth_place="Bko",
        mother_name="Awa Diarra",
        birth_date=dt.date(1975, 1, 1),
        birth_date_precision="year",
    )
    other = person(
        zone["INPS-ML"],
        "Coulibaly",
        "Mamadou",
        birth_date=dt.date(1975, 8, 30),
        birth_place="Sikasso",
        mother_name="Fanta Keita",
    )
    return ml, ci, other


def _twin_items(zone, ml, ci):
    """The two sides of an uncertain pair between INPS-ML's and CNPS-CI's records."""
    a = ReviewItem.unscoped.create(
        organisation=zone["INPS-ML"],
        person=ml,
        other_person=ci,
        other_organisation_code="CNPS-CI",
        weight=1.0,
        agreements=["names: partly agree"],
    )
    b = ReviewItem.unscoped.create(
        organisation=zone["CNPS-CI"],
        person=ci,
        other_person=ml,
        other_organisation_code="INPS-ML",
        weight=1.0,
        agreements=["names: partly agree"],
        twin=a,
    )
    a.twin = b
    a.save()
    return a, b


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


def test_batch_links_the_migrant_and_keeps_the_homonym_apart(zone):
    ml, ci, other = _migrant(zone)
    _filler(zone)
    report = services.zone_index_rebuild()
    assert report.records == 43
    link_ml, link_ci, link_other = (ZoneLink.unscoped.get(person=p) for p in (ml, ci, other))
    assert link_ml.zone_person_id == link_ci.zone_person_id
    assert link_other.zone_person_id != link_ml.zone_person_id
    assert link_ml.method == "batch" and link_ml.explanation
    assert report.linked_across_organisations == 1
    # stable ids: a second run moves nothing
    again = services.zone_index_rebuild()
    assert again.moved == 0
    assert ZoneLink.unscoped.get(person=ml).zone_person_id == link_ml.zone_person_id


def test_split_then_undo_restores_both_records_exactly(zone):
    ml, ci, _other = _migrant(zone)
    services.zone_persons_merge(person=ml, other=ci)
    before = {p.pk: ZoneLink.unscoped.get(person=p).zone_person_id for p in (ml, ci)}
    assert before[ml.pk] == before[ci.pk]
    batch = services.zone_person_split(person=ci)
    assert ZoneLink.unscoped.get(person=ci).zone_person_id != before[ml.pk]
    services.link_changes_undo(batch=batch)
    after = {p.pk: ZoneLink.unscoped.get(person=p).zone_person_id for p in (ml, ci)}
    assert after == before
    assert LinkChange.unscoped.get(batch=batch).undone
    assert AuditEvent.objects.filter(object_type="zonelink", subject_id=str(ci.pk)).count() == 3


def test_registration_hint_names_only_the_other_organisation(zone):
    ml, _ci, _other = _migrant(zone)
    new = quick_match.Record(
        family_name="Coulibaly",
        given_names="Mamadou",
        sex="M",
        birth_date=dt.date(1975, 3, 12),
        birth_place="Bamako",
        national_id="12345678901234K",
    )
    hints = selectors.registration_hints(new, organisation_id=zone["CNSS-BF"].pk)
    assert hints == [selectors.Hint("CNPS-CI"), selectors.Hint("INPS-ML")]  # the migrant too
    assert (hints[1].own_person, hints[1].probability, hints[1].agreements) == (None, None, ())


def test_hint_page_leaks_no_field_of_another_organisation(client, zone, make_user):
    _migrant(zone)
    client.force_login(make_user(zone["CNSS-BF"], "registration_agent"))
    response = client.get(
        reverse("identity-hints"),
        {
            "family_name": "Koulibaly",
            "given_names": "Mamadou Lamine",
            "sex": "M",
            "birth": "12/03/1975",
            "birth_place": "Bamako",
        },
    )
    body = response.content.decode()
    assert "INPS-ML" in body
    for secret in ("Lamine Coulibaly", "12345678901234K", "Awa Diarra", "0000000018"):
        assert secret not in body


def test_zone_page_shows_other_organisation_by_code_only(client, zone, make_user):
    ml, ci, _other = _migrant(zone)
    services.zone_persons_merge(person=ml, other=ci)
    client.force_login(make_user(zone["INPS-ML"], "benefits_officer"))
    body = client.get(reverse("identity-person-zone", kwargs={"pk": ml.pk})).content.decode()
    assert "CNPS-CI" in body
    # (registration numbers are per organisation: ci's may equal ml's, so look for its link)
    assert "KULIBALI" not in body and "Mahamadou" not in body and f"/persons/{ci.pk}/" not in body
    api = client.get(f"/api/persons/{ml.pk}/zone").json()
    assert api["elsewhere"] == [{"organisation_code": "CNPS-CI", "records": 1}]
    assert api["own_record_ids"] == [ml.pk]


def test_review_decision_of_one_side_waits_for_the_other(client, zone, make_user):
    ml, ci, _other = _migrant(zone)
    a, b = _twin_items(zone, ml, ci)
    links_before = list(ZoneLink.unscoped.order_by("pk").values())
    client.force_login(make_user(zone["CNPS-CI"], "registration_agent"))
    page = client.get(reverse("identity-review-detail", kwargs={"pk": b.pk})).content.decode()
    assert "Coulibaly" not in page and "COULIBALY" not in page
    response = client.post(
        reverse("identity-review-detail", kwargs={"pk": b.pk}), {"decision": "same"}, follow=True
    )
    assert (
        "Réponse enregistrée. Les dossiers seront liés quand INPS-ML aura aussi répondu "
        "« même personne »." in response.content.decode()
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == ("pending", "merged")
    assert list(ZoneLink.unscoped.order_by("pk").values()) == links_before
    # the other side's item is not reachable from here
    assert client.get(reverse("identity-review-detail", kwargs={"pk": a.pk})).status_code == 404


@pytest.mark.parametrize(
    ("a", "b", "linked"),
    [
        (
            ("Traoré", "Fatoumata", "F", dt.date(1980, 4, 5)),
            ("TRAORE", "Fatimata", "F", dt.date(1980, 5, 4)),
            True,
        ),  # variant, day/month swap
        (
            ("Diallo", "Oumar", "M", dt.date(1970, 1, 1)),
            ("Oumar", "Diallo", "M", dt.date(1970, 1, 1)),
            True,
        ),  # swapped names
        (
            ("Diallo", "Oumar", "M", dt.date(1970, 1, 1)),
            ("Diallo", "Awa", "F", dt.date(1970, 1, 1)),
            False,
        ),  # twins: other name, other sex
        (
            ("Coulibaly", "Awa", "F", dt.date(1981, 6, 2)),
            ("Coulbaly", "Awa", "F", dt.date(1981, 6, 2)),
            True,
        ),  # a typo the phonetic key does not absorb
        (
            ("Coulibaly", "Awa", "F", dt.date(1981, 6, 2)),
            ("Coulbaly", "Awa", "F", dt.date(1986, 2, 6)),
            False,
        ),  # the same typo, another birth
    ],
)
def test_quick_match_cases(a, b, linked):
    rec = [
        quick_match.Record(family_name=f, given_names=g, sex=s, birth_date=d)
        for f, g, s, d in (a, b)
    ]
    assert (quick_match.score(*rec).weight >= quick_match.HINT_WEIGHT) is linked


def test_index_command_prints_a_summary(zone, capsys):
    _migrant(zone)
    _filler(zone, 20)
    call_command("identity_index")
    out = capsys.readouterr().out
    assert "23 dossiers" in out


def test_registration_hint_survives_a_typo_in_the_family_name(zone):
    person(zone["CNPS-CI"], "Coulibaly", "Awa", sex="F", birth_date=dt.date(1981, 6, 2))
    typed = quick_match.Record(
        family_name="Coulbaly",
        given_names="Awa",
        sex="F",
        birth_date=dt.date(1981, 6, 2),
        birth_place="Bamako",
    )
    hints = selectors.registration_hints(typed, organisation_id=zone["INPS-ML"].pk)
    assert [h.organisation_code for h in hints] == ["CNPS-CI"]
    other_day = quick_match.Record(**{**typed.__dict__, "birth_date": dt.date(1984, 9, 14)})
    assert selectors.registration_hints(other_day, organisation_id=zone["INPS-ML"].pk) == []


def test_batch_queues_uncertain_pairs_as_twin_items(zone):
    ml, ci, other = _migrant(zone)
    _filler(zone)
    report = services.zone_index_rebuild()
    items = list(ReviewItem.unscoped.all())
    assert report.review_items == len(items) // 2 > 0
    for item in items:
        twin = item.twin
        assert twin.twin_id == item.pk
        assert (twin.person_id, twin.other_person_id) == (item.other_person_id, item.person_id)
        assert twin.organisation_id == twin.person.organisation_id
        assert item.other_organisation_code == twin.person.organisation.code
    # the homonym is not the migrant: at most a pair to review, never a link
    assert ZoneLink.unscoped.get(person=other).zone_person_id != (
        ZoneLink.unscoped.get(person=ml).zone_person_id
    )
    assert services.zone_index_rebuild().review_items == 0  # already queued: not twice
