"""The organisation's go-live in Kafo ("followed since"): an employer registered long before it
owes in Kafo only the periods ending on or after that date, in every reader.

CNPS-CM (kafo/reference/rules.yaml): monthly from 1 employee, due the 15th of the next month.
"Ancienne Scierie" registered in 2015, one worker, nothing ever declared in Kafo. Kafo follows
CNPS-CM's declarations from 01/07/2026.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from kafo.audit.models import AuditEvent
from kafo.collection import selectors, services
from kafo.collection.daily import missing_by_employer
from kafo.collection.models import CollectionFollowUp, Notice
from kafo.collection.rule_versions import follow_up_set
from kafo.registry.services import employer_register, employment_add, person_register
from kafo.rules.services import rules_seed

d = dt.date
GO_LIVE = d(2026, 7, 1)
DECIDED = d(2026, 6, 1)
ON = d(2026, 9, 20)


@pytest.fixture
def cm(zone):
    rules_seed()
    services.collection_rules_seed()
    org = zone["CNPS-CM"]
    employer = employer_register(
        organisation=org,
        data={"legal_name": "Ancienne Scierie", "risk_class": 1, "registered_on": d(2015, 3, 1)},
    )
    person = person_register(
        organisation=org,
        data={
            "family_name": "Mbarga",
            "given_names": "Paul",
            "sex": "M",
            "birth_date": d(1980, 5, 1),
        },
    )
    employment_add(person=person, data={"employer": employer, "start_date": d(2015, 3, 1)})
    return {"org": org, "employer": employer}


def _go_live(org, since=GO_LIVE, effective_from=DECIDED):
    return follow_up_set(
        organisation=org,
        followed_since=since,
        effective_from=effective_from,
        source="décision du directeur général du 15/05/2026",
    )


def _missing(employer, as_of=ON):
    return [p.period for p in selectors.missing_declarations(employer, as_of)]


def test_periods_before_the_go_live_are_not_missing_from_it_they_are(cm):
    employer = cm["employer"]
    before = _missing(employer)
    assert (len(before), before[0], before[-1]) == (138, "2015-03", "2026-08")
    _go_live(cm["org"])
    assert _missing(employer) == ["2026-07", "2026-08"]


def test_non_filers_honour_the_go_live(cm):
    org = cm["org"]
    assert [e.legal_name for e in selectors.non_filers(org, "2026-06")] == ["Ancienne Scierie"]
    _go_live(org)
    assert list(selectors.non_filers(org, "2026-06")) == []
    assert list(selectors.non_filers(org, "2025-12")) == []
    rows = selectors.describe_rows(selectors.non_filers(org, "2026-07"), "2026-07")
    assert [(e.legal_name, e.missing) for e in rows] == [("Ancienne Scierie", ["07/2026"])]
    # A quarter ending after the go-live is followed, but only for its followed months.
    rows = selectors.describe_rows(selectors.non_filers(org, "2026-Q3"), "2026-Q3")
    assert [(e.legal_name, e.missing) for e in rows] == [
        ("Ancienne Scierie", ["07/2026", "08/2026", "09/2026"])
    ]


def test_a_go_live_mid_quarter_leaves_the_months_before_it(cm):
    org = cm["org"]
    _go_live(org, since=d(2026, 8, 1))
    rows = selectors.describe_rows(selectors.non_filers(org, "2026-Q3"), "2026-Q3")
    assert [(e.legal_name, e.missing) for e in rows] == [
        ("Ancienne Scierie", ["08/2026", "09/2026"])
    ]
    assert list(selectors.non_filers(org, "2026-07")) == []


def test_the_daily_run_notices_and_assesses_only_followed_periods(cm):
    org = cm["org"]
    since = d(2025, 9, 1)  # 12 months of history before ON
    until = ON + dt.timedelta(days=6)
    found = missing_by_employer(organisation=org, on=ON, until=until, since=since)
    assert [p.period for p in found[cm["employer"].pk][1]] == [
        f"{y}-{m:02d}" for y, m in [(2025, 8)] + [(2025, mm) for mm in range(9, 13)]
    ] + [f"2026-{m:02d}" for m in range(1, 9)]
    _go_live(org)
    found = missing_by_employer(organisation=org, on=ON, until=until, since=since)
    assert [p.period for p in found[cm["employer"].pk][1]] == ["2026-07", "2026-08"]
    result = services.collection_daily(organisation=org, on=ON)
    assert sorted({n.period for n in Notice.objects.filter(employer=cm["employer"])}) == [
        "2026-07",
        "2026-08",
    ]
    assert result.assessments == []  # 2026-07's formal notice is new today: no assessment yet


def test_the_version_in_force_on_the_day_is_read(cm, zone):
    org = cm["org"]
    assert selectors.followed_since(org.pk, on=ON) is None
    _go_live(org)
    _go_live(org, since=d(2026, 1, 1), effective_from=d(2026, 9, 1))  # a correction, new version
    assert selectors.followed_since(org.pk, on=d(2026, 5, 31)) is None
    assert selectors.followed_since(org.pk, on=d(2026, 8, 31)) == GO_LIVE
    assert selectors.followed_since(org.pk, on=ON) == d(2026, 1, 1)
    assert selectors.followed_since_by_organisation(on=d(2026, 8, 31)) == {org.pk: GO_LIVE}
    assert selectors.followed_since(zone["INPS-ML"].pk, on=ON) is None
    assert selectors.is_followed("2025-12", d(2026, 1, 1)) is False
    assert selectors.is_followed("2026-01", d(2026, 1, 15)) is True
    assert selectors.is_followed("2025-Q4", None) is True


def test_setting_the_go_live_is_audited_and_refuses_a_second_version_the_same_day(cm):
    org = cm["org"]
    row = _go_live(org)
    event = AuditEvent.objects.get(object_type="collectionfollowup", object_id=str(row.pk))
    assert (event.action, event.changes["followed_since"]) == ("create", [None, "2026-07-01"])
    with pytest.raises(ValidationError) as exc:
        _go_live(org, since=d(2026, 1, 1))
    assert "effective_from" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        follow_up_set(
            organisation=org, followed_since=GO_LIVE, effective_from=d(2026, 8, 1), source="  "
        )
    assert "source" in exc.value.message_dict
    assert list(CollectionFollowUp.objects.values_list("followed_since", flat=True)) == [GO_LIVE]
    assert AuditEvent.objects.filter(object_type="collectionfollowup").count() == 1


def test_the_zone_administrator_adds_a_version_in_the_admin_never_edits_it(cm, admin_client):
    org = cm["org"]
    response = admin_client.post(
        "/admin/collection/collectionfollowup/add/",
        {
            "organisation": org.pk,
            "followed_since": "2026-07-01",
            "effective_from": "2026-06-01",
            "source": "décision du 15/05/2026",
            "note": "",
        },
    )
    assert response.status_code == 302
    row = CollectionFollowUp.objects.get()
    assert (row.followed_since, row.source) == (GO_LIVE, "décision du 15/05/2026")
    assert AuditEvent.objects.filter(
        object_type="collectionfollowup", object_id=str(row.pk), action="create"
    ).exists()
    response = admin_client.post(
        f"/admin/collection/collectionfollowup/{row.pk}/change/",
        {
            "organisation": org.pk,
            "followed_since": "2020-01-01",
            "effective_from": "2026-06-01",
            "source": "x",
        },
    )
    assert response.status_code == 403
    row.refresh_from_db()
    assert row.followed_since == GO_LIVE
