"""The employer account and the certificate take missing declarations into account.

CNPS-CI (quarterly below 20 workers, due the 15th of the month after the period). The employer
is registered on 01/01/2026 and has no known worker: it owes T1 2026 by 15/04/2026.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kafo.contributions import ledger, selectors
from kafo.contributions.models import Certificate
from kafo.contributions.services import declaration_submit
from kafo.registry.services import employer_register, person_register
from kafo.rules.services import rules_seed

d = dt.date


@pytest.fixture
def ci(zone):
    rules_seed()
    org = zone["CNPS-CI"]
    employer = employer_register(
        organisation=org,
        data={"legal_name": "Sotra", "registered_on": d(2026, 1, 1), "risk_class": 1},
    )
    person = person_register(
        organisation=org,
        data={"family_name": "Kone", "given_names": "Awa", "sex": "F", "birth_date": d(1990, 1, 1)},
    )
    return {"org": org, "employer": employer, "person": person}


def _declare_q1(ci, today):
    p = ci["person"]
    return declaration_submit(
        employer=ci["employer"],
        period="2026-Q1",
        rows=[
            {
                "worker_number": p.number,
                "family_name": p.family_name,
                "given_names": p.given_names,
                "days_worked": 90,
                "gross_salary": 300000,
            }
        ],
        today=today,
    ).declaration


def test_account_not_in_good_standing_while_a_declaration_is_missing(ci):
    state = selectors.account_state(employer=ci["employer"], as_of=d(2026, 4, 15))
    assert (state.missing_declarations, state.in_good_standing) == ([], True)
    state = selectors.account_state(employer=ci["employer"], as_of=d(2026, 4, 16))
    assert [(p.period, p.due_date) for p in state.missing_declarations] == [
        ("2026-Q1", d(2026, 4, 15))
    ]
    assert (state.balance, state.arrears_total, state.in_good_standing) == (0, 0, False)


def test_certificate_refused_while_a_declaration_is_missing(ci):
    with pytest.raises(ValidationError) as exc:
        ledger.certificate_issue(employer=ci["employer"], today=d(2026, 4, 16))
    assert exc.value.message_dict == {
        "employer": [
            "Déclaration non reçue pour T1 2026 : attestation de régularité refusée tant que "
            "ces déclarations ne sont pas déposées."
        ]
    }
    assert Certificate.objects.count() == 0
    _declare_q1(ci, d(2026, 4, 10))
    # the balance: the contributions, and the late-filing penalty the service posts when the
    # declaration's real receipt date (the test's run) is after 15/04/2026
    owed = selectors.account_state(employer=ci["employer"], as_of=d(2026, 4, 14)).balance
    ledger.payment_record(
        employer=ci["employer"],
        amount=owed,
        paid_on=d(2026, 4, 14),
        method="bank",
        reference="VIR-1",
        today=d(2026, 4, 14),
    )
    cert = ledger.certificate_issue(employer=ci["employer"], today=d(2026, 4, 16))
    assert (cert.issued_on, cert.balance) == (d(2026, 4, 16), 0)


def test_account_page_says_not_declared_with_the_periods(ci, make_user, client):
    client.force_login(make_user(ci["org"], "contributions_manager"))
    url = reverse("contributions-account-detail", args=[ci["employer"].pk])
    page = client.get(url).content.decode()
    assert "non déclaré" in page and "à jour" not in page
    assert "<tr><td>T1 2026</td><td>15/04/2026</td></tr>" in page
    _declare_q1(ci, d(2026, 4, 10))
    page = client.get(url).content.decode()
    assert "<tr><td>T1 2026</td><td>15/04/2026</td></tr>" not in page
