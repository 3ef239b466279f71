"""A member's account declares a period only when it is paid: collection never counts it a
non-filer (no notice, no assessment), whatever it reads (the list, the counts, the daily run,
the account's missing declarations)."""

import datetime as dt

import pytest

from kafo.collection import selectors as collection
from kafo.collection.daily import missing_by_employer
from kafo.registry.tests.factories import employer as make_employer
from kafo.registry.tests.factories import person as make_person
from kafo.rules.services import rules_seed
from kafo.voluntary import services

pytestmark = pytest.mark.django_db


def test_a_members_unpaid_periods_make_no_non_filer(zone):
    rules_seed()
    org = zone["INPS-ML"]
    for _ in range(3):  # the member's account id differs from its membership id
        make_employer(org, registered_on=dt.date(2025, 9, 1))  # owes nothing by 20/06
    membership = services.membership_join(
        person=make_person(org),
        kind="self_employed",
        bracket="T1",
        frequency="monthly",
        on=dt.date(2025, 1, 10),
    )
    assert membership.account_id != membership.pk
    silent = make_employer(org, registered_on=dt.date(2025, 1, 2))  # a real employer, silent
    on = dt.date(2025, 6, 20)

    listed = set(collection.non_filers(org, "2025-03").values_list("pk", flat=True))
    counts = collection.non_filer_counts(org, ["2025-03"])
    daily = missing_by_employer(organisation=org, since=dt.date(2025, 1, 1), until=on, on=on)

    assert listed == {silent.pk}
    assert counts == {"2025-03": 1}
    assert set(daily) == {silent.pk}
    assert collection.missing_declarations(membership.account, on) == []
    assert collection.missing_declarations(silent, on) != []
