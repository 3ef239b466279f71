"""The demo of the cross-border flow: careers in several organisations, one zone person each."""

import datetime as dt

from kafo.benefits.claim_career import declared_months
from kafo.exchange import demo
from kafo.identity.models import ZoneLink
from kafo.rules.services import rules_seed

TODAY = dt.date(2026, 3, 2)


def test_the_worked_example_has_96_months_at_inps_ml_and_120_at_cnss_bj_one_zone_person(zone):
    rules_seed()
    case = next(c for c in demo.CASES if c.key == "coulibaly")
    records = demo.case_records(case, today=TODAY)
    ml, bj = records["INPS-ML"], records["CNSS-BJ"]
    assert (ml.family_name, bj.family_name) == ("Coulibaly", "Koulibaly")
    ml_months = declared_months(ml, until=TODAY)
    bj_months = declared_months(bj, until=TODAY)
    assert (len(ml_months), len(bj_months)) == (96, 120)
    assert {m["salary"] for m in ml_months.values()} == {150000}
    assert {m["salary"] for m in bj_months.values()} == {200000}
    assert (min(ml_months), max(ml_months)) == ("2014-01", "2021-12")
    assert (min(bj_months), max(bj_months)) == ("2004-01", "2013-12")
    links = ZoneLink.unscoped.filter(person__in=[ml, bj])
    assert len({link.zone_person_id for link in links}) == 1
    assert links.count() == 2
