"""The clerk's pages and the member's own space: join, pay, the member list and sheet."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from kafo.registry.tests.factories import person as make_person
from kafo.rules.services import rules_seed
from kafo.tests.i18n_words import forbidden_in
from kafo.voluntary import selectors, services
from kafo.voluntary.models import Membership, PeriodPayment

pytestmark = pytest.mark.django_db


@pytest.fixture
def inps(zone):
    rules_seed()
    return zone["INPS-ML"]


def _member(org, **extra):
    return services.membership_join(
        person=make_person(org, family_name="Keita", given_names="Awa"),
        kind="informal",
        bracket="T1",
        frequency="monthly",
        on=dt.date.today() - dt.timedelta(days=40),
        **extra,
    )


def test_an_agent_enrols_a_diaspora_member_from_the_form(inps, make_user, client):
    person = make_person(inps, family_name="Diallo", given_names="Oumar")
    client.force_login(make_user(inps, "registration_agent"))

    response = client.post(
        reverse("voluntary-member-new"),
        {
            "person_number": person.number,
            "kind": "diaspora",
            "bracket": "T3",
            "frequency": "quarterly",
            "residence_country": "US",
            "address": "1200 Main Street, Houston TX",
            "phone": "+1 713 555 0142",
        },
    )

    membership = Membership.objects.get(person=person)
    assert response.status_code == 302
    assert response["Location"] == reverse("voluntary-member-detail", args=[membership.pk])
    assert (membership.residence_country, membership.phone) == ("US", "+17135550142")
    page = client.get(response["Location"]).content.decode()
    assert "+17135550142" in page and "DIALLO Oumar" in page
    assert forbidden_in(page) == []
    assert forbidden_in(client.get(reverse("voluntary-member-new")).content.decode()) == []


def test_a_refused_enrolment_names_the_field_and_stores_nothing(inps, make_user, client):
    person = make_person(inps)
    client.force_login(make_user(inps, "registration_agent"))

    response = client.post(
        reverse("voluntary-member-new"),
        {
            "person_number": person.number,
            "kind": "diaspora",
            "bracket": "T1",
            "frequency": "quarterly",
            "residence_country": "FR",
            "address": "Paris",
            "phone": "65 01 23 45",
        },
    )

    assert response.status_code == 200
    assert 'data-field="phone"' in response.content.decode()
    assert Membership.objects.count() == 0


def test_the_contributions_manager_records_a_counter_payment(inps, make_user, client):
    membership = _member(inps)
    period = selectors.standing(membership).periods[0].period
    due = selectors.amount_due(membership, period=period)
    client.force_login(make_user(inps, "contributions_manager"))
    form = client.get(reverse("voluntary-member-pay", args=[membership.pk]))
    assert form.status_code == 200
    assert forbidden_in(form.content.decode()) == []

    response = client.post(
        reverse("voluntary-member-pay", args=[membership.pk]),
        {
            "period": period,
            "paid_on": dt.date.today().strftime("%d/%m/%Y"),
            "amount": f"{due.total:,}".replace(",", " "),
            "method": "cash",
            "reference": "REÇU-0042",
        },
    )

    assert response.status_code == 302
    paid = PeriodPayment.objects.get(membership=membership)
    assert (paid.period, paid.contribution + paid.penalty) == (period, due.total)


def test_a_registration_agent_cannot_record_a_payment(inps, make_user, client):
    membership = _member(inps)
    client.force_login(make_user(inps, "registration_agent"))

    page = client.get(reverse("voluntary-member-detail", args=[membership.pk])).content.decode()
    response = client.post(reverse("voluntary-member-pay", args=[membership.pk]), {})

    assert reverse("voluntary-member-pay", args=[membership.pk]) not in page
    assert response.status_code == 403
    assert PeriodPayment.objects.count() == 0


def test_the_member_list_is_paged_and_shows_each_status(
    inps, make_user, client, django_assert_max_num_queries
):
    for i in range(3):
        services.membership_join(
            person=make_person(inps, family_name=f"Membre{i}"),
            kind="self_employed",
            bracket="T1",
            frequency="quarterly",
        )
    client.force_login(make_user(inps, "director"))

    with django_assert_max_num_queries(12):
        response = client.get(reverse("voluntary-member-list"))

    page = response.content.decode()
    assert forbidden_in(page) == []
    assert "3 adhérents" in page
    assert page.count('badge active">en vigueur<') == 3


def test_an_insured_person_joins_and_pays_by_mobile_money_from_their_space(inps, make_user, client):
    person = make_person(inps, family_name="Sissoko", given_names="Fanta")
    client.force_login(make_user(inps, "insured", person=person))
    assert "Adhérer" in client.get(reverse("insured-voluntary")).content.decode()

    client.post(
        reverse("insured-voluntary-join"),
        {"kind": "self_employed", "bracket": "T1", "frequency": "monthly", "phone": "65 01 23 45"},
    )
    membership = Membership.objects.get(person=person)
    period = selectors.standing(membership).current_period
    due = selectors.amount_due(membership, period=period)
    response = client.post(
        reverse("insured-voluntary-pay"),
        {
            "period": period,
            "amount": str(due.total),
            "method": "mobile_money",
            "reference": "OM-77",
        },
    )

    assert response.status_code == 302
    paid = PeriodPayment.objects.get(membership=membership)
    assert (paid.self_service, paid.payment.reference, paid.payment.method) == (
        True,
        "OM-77",
        "mobile_money",
    )
    assert due.total == Decimal(9824)  # 40,000 × 24.56 %


def test_an_insured_person_never_sees_another_members_sheet(inps, make_user, client):
    other = _member(inps)
    me = make_person(inps, family_name="Traore")
    client.force_login(make_user(inps, "insured", person=me))

    assert client.get(reverse("voluntary-member-detail", args=[other.pk])).status_code == 403
    assert "KEITA" not in client.get(reverse("insured-voluntary")).content.decode()
