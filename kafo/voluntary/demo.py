"""Demo data of voluntary insurance (`kafo demo`, after collection's demo step).

For each organisation that offers it (INPS-ML, CNSS-BF: kafo/voluntary/reference/voluntary.yaml),
through the real services, as of the demo's day, four members registered for the demo:
- a self-employed member paying by quarter, every quarter since a year and a half paid on time
  by mobile money (the career shows the months);
- an informal worker paying by month at the counter, the last two months unpaid (one overdue);
- a member of the diaspora (Paris for INPS-ML, Abidjan for CNSS-BF) with a foreign address and
  phone, paying by quarter, one quarter paid late (its penalty shows);
- a member who paid one quarter two years ago and nothing since: lapsed by the daily step.

Idempotent: skipped for an organisation that already has members.
"""

from __future__ import annotations

import datetime as dt

MEMBERS = {
    "INPS-ML": [
        ("SANOGO", "Aminata", "F", "self_employed", "T2", "quarterly", {}),
        ("DEMBELE", "Seydou", "M", "informal", "T1", "monthly", {}),
        (
            "KONE",
            "Mariam",
            "F",
            "diaspora",
            "T3",
            "quarterly",
            {
                "residence_country": "FR",
                "address": "18 rue de la Chapelle, 75018 Paris",
                "phone": "06 12 34 56 78",
            },
        ),
        ("TOURE", "Ibrahim", "M", "self_employed", "T1", "quarterly", {}),
    ],
    "CNSS-BF": [
        ("OUEDRAOGO", "Salif", "M", "self_employed", "T2", "quarterly", {}),
        ("SAWADOGO", "Awa", "F", "informal", "T1", "monthly", {}),
        (
            "KABORE",
            "Issa",
            "M",
            "diaspora",
            "T2",
            "quarterly",
            {
                "residence_country": "CI",
                "address": "Rue des Jardins, Cocody, Abidjan",
                "phone": "07 01 02 03 04",
            },
        ),
        ("ZONGO", "Paul", "M", "self_employed", "T1", "quarterly", {}),
    ],
}


def _months_back(day: dt.date, n: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 10)


def _pay(membership, period: str, paid_on: dt.date, method: str, reference: str) -> None:
    from . import selectors, services

    due = selectors.amount_due(membership, period=period, paid_on=paid_on)
    services.period_pay(
        membership=membership,
        period=period,
        amount=due.total,
        method=method,
        reference=reference,
        paid_on=paid_on,
    )


def voluntary_demo_seed(*, say=lambda _msg: None, today: dt.date | None = None) -> dict:
    """Seed the voluntary members of each offering organisation; return how many per code."""
    from django.db import transaction
    from django.utils import timezone

    from kafo.organisations.models import Organisation
    from kafo.organisations.tenancy import tenant_scope, zone_scope
    from kafo.registry.services import person_register
    from kafo.rules.services import rules_seed

    from . import selectors, services
    from .models import Membership

    today = today or timezone.localdate()
    made: dict[str, int] = {}
    with zone_scope():
        rules_seed()
        organisations = list(Organisation.objects.filter(code__in=MEMBERS).order_by("code"))
    for org in organisations:
        with tenant_scope(org), transaction.atomic():
            if Membership.objects.exists():
                continue
            members = []
            for i, (family, given, sex, kind, bracket, frequency, contact) in enumerate(
                MEMBERS[org.code]
            ):
                person = person_register(
                    organisation=org,
                    data={
                        "family_name": family,
                        "given_names": given,
                        "sex": sex,
                        "birth_date": dt.date(1978 + i * 3, 1 + i * 2, 5 + i),
                        "birth_date_precision": "day",
                        "birth_place": "Bamako" if org.code == "INPS-ML" else "Ouagadougou",
                    },
                )
                joined = _months_back(today, 26 if i == 3 else 18)
                members.append(
                    services.membership_join(
                        person=person,
                        kind=kind,
                        bracket=bracket,
                        frequency=frequency,
                        on=joined,
                        **contact,
                    )
                )
            steady, informal, diaspora, lapsing = members
            code = org.code.replace("-", "")
            # every quarter paid on its due date, by mobile money
            for n, state in enumerate(selectors.standing(steady, on=today).periods):
                if state.due_date <= today:
                    _pay(steady, state.period, state.due_date, "mobile_money", f"{code}-OM-{n:04d}")
            # every month at the counter but the last two
            states = [s for s in selectors.standing(informal, on=today).periods]
            for n, state in enumerate(states[:-2]):
                paid_on = min(state.due_date, today)
                _pay(informal, state.period, paid_on, "cash", f"{code}-CAISSE-{n:04d}")
            # the diaspora member: each quarter due, the second one paid 20 days late
            for n, state in enumerate(selectors.standing(diaspora, on=today).periods):
                if state.due_date > today:
                    continue
                late = n == 1 and state.due_date + dt.timedelta(days=20) <= today
                paid_on = state.due_date + dt.timedelta(days=20) if late else state.due_date
                _pay(diaspora, state.period, paid_on, "mobile_money", f"{code}-DIAS-{n:04d}")
            # one quarter paid, then nothing: lapsed
            first = selectors.standing(lapsing, on=today).periods[0]
            _pay(lapsing, first.period, first.due_date, "mobile_money", f"{code}-OM-L-0001")
            services.memberships_lapse(organisation=org, on=today)
            made[org.code] = len(members)
            say(f"{org.code} : {len(members)} adhérents volontaires (dont un en déchéance)")
    return made
