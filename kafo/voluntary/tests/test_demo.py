"""The voluntary insurance demo: members in every state, the career counting what they paid."""

import datetime as dt

import pytest

from kafo.contributions.selectors import person_career
from kafo.voluntary import selectors
from kafo.voluntary.demo import voluntary_demo_seed
from kafo.voluntary.models import Membership

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_members_in_every_state_once(zone):
    today = dt.date(2026, 11, 29)

    made = voluntary_demo_seed(today=today)
    again = voluntary_demo_seed(today=today)

    assert made == {"CNSS-BF": 4, "INPS-ML": 4}
    assert again == {}
    inps = Membership.objects.filter(organisation__code="INPS-ML")
    assert sorted(inps.values_list("person__family_name", "status")) == [
        ("DEMBELE", "active"),
        ("KONE", "active"),
        ("SANOGO", "active"),
        ("TOURE", "lapsed"),
    ]
    steady = inps.get(person__family_name="SANOGO")  # joined 10/05/2025: 2025-Q2 .. 2026-Q3 paid
    assert person_career(person=steady.person)["months"] == 18
    informal = inps.get(person__family_name="DEMBELE")
    assert [s.period for s in selectors.standing(informal, on=today).periods if not s.paid] == [
        "2026-10",
        "2026-11",
    ]
    diaspora = inps.get(person__family_name="KONE")
    assert (diaspora.residence_country, diaspora.phone) == ("FR", "+33612345678")
    assert [p.penalty > 0 for p in diaspora.payments.order_by("period")] == [
        False,
        True,
        False,
        False,
        False,
        False,
    ]
