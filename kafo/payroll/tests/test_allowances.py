"""Family allowances put in payment from the children's rights (kafo/payroll/allowances.py):
dates and amounts worked out by hand on CNPS-CI's rules (7,500 a child a month, from 1 year,
14 / 18 apprentice or pupil / 21 pupil or disabled, the right ends on the birthday, school year
from 1 September) and CSS-SN's (2,500, at most 6 children)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kafo.benefits.demo import Job, declare_careers
from kafo.organisations.tenancy import tenant_scope
from kafo.payroll import allowances
from kafo.payroll.models import (
    BenefitInPayment,
    BenefitKind,
    ChildDocument,
    Reason,
    Status,
    StatusChange,
)
from kafo.registry.services import dependant_add, employer_register, person_register
from kafo.rules.services import rules_seed

D = dt.date


def _parent(org, name, *, worked=True):
    parent = person_register(
        organisation=org,
        data={"family_name": name, "given_names": "Awa", "sex": "F", "birth_date": D(1980, 1, 1)},
    )
    if worked:
        employer = employer_register(organisation=org, data={"legal_name": f"Employeur {name}"})
        declare_careers(
            organisation=org,
            jobs=[Job(employer, parent, "2025-01", "2026-12", 150000, raise_percent=0)],
            today=D(2027, 1, 15),
        )
    return parent


def _child(parent, given, birth):
    return dependant_add(
        person=parent,
        data={
            "relationship": "child",
            "family_name": parent.family_name,
            "given_names": given,
            "sex": "M",
            "birth_date": birth,
        },
    )


@pytest.fixture
def ci(zone, make_user):
    rules_seed()
    org = zone["CNPS-CI"]
    with tenant_scope(org):
        parent = _parent(org, "Koné")
        kids = {
            "a": _child(parent, "Aîné", D(2012, 11, 20)),  # 14 on 20/11/2026
            "c": _child(parent, "Cadet", D(2020, 3, 3)),
        }
        agent = make_user(org, "benefits_officer", username="cnps-ci.af")
        yield {"org": org, "parent": parent, "kids": kids, "user": agent}


def _run(org, on, user=None, parents=None):
    return allowances.allowances_put_in_payment(organisation=org, on=on, user=user, parents=parents)


def _benefits(child):
    return list(
        BenefitInPayment.unscoped.filter(dependant=child, kind=BenefitKind.FAMILY_ALLOWANCE)
        .order_by("start_date", "pk")
        .values_list("start_date", "end_date", "status", "status_reason", "person_id")
    )


def test_rights_become_benefits_once(ci):
    org, kids, parent = ci["org"], ci["kids"], ci["parent"]
    result = _run(org, D(2026, 10, 1))
    assert (result.created, result.stopped, result.suspended) == (2, 0, 0)
    # paid from the month of the run; the elder's last day due is the eve of his 14th birthday
    assert _benefits(kids["a"]) == [
        (D(2026, 10, 1), D(2026, 11, 19), Status.IN_PAYMENT, Reason.START, parent.pk)
    ]
    assert _benefits(kids["c"]) == [
        (D(2026, 10, 1), D(2034, 3, 2), Status.IN_PAYMENT, Reason.START, parent.pk)
    ]
    benefit = BenefitInPayment.unscoped.get(dependant=kids["a"])
    assert benefit.amount_on(D(2026, 10, 1)) == Decimal(7500)
    assert (benefit.frequency, benefit.payee_name) == ("quarterly", "KONÉ Awa")
    # a second run on the same date changes nothing
    again = _run(org, D(2026, 10, 1))
    assert again == allowances.AllowancesResult()
    assert BenefitInPayment.unscoped.filter(organisation=org).count() == 2
    assert StatusChange.unscoped.filter(organisation=org).count() == 2


def test_a_child_passing_the_age_limit_stops_on_the_birthday(ci):
    org, kids = ci["org"], ci["kids"]
    _run(org, D(2026, 10, 1))
    result = _run(org, D(2026, 12, 1))
    assert (result.stopped, result.created) == (1, 0)
    assert _benefits(kids["a"]) == [
        (D(2026, 10, 1), D(2026, 11, 19), Status.STOPPED, Reason.AGE_LIMIT, ci["parent"].pk)
    ]
    change = StatusChange.unscoped.filter(benefit__dependant=kids["a"]).latest("recorded_at")
    assert (change.on, change.status, change.reason) == (
        D(2026, 11, 20),
        Status.STOPPED,
        Reason.AGE_LIMIT,
    )
    assert _run(org, D(2026, 12, 1)) == allowances.AllowancesResult()


def test_the_next_bands_document_recorded_late_pays_from_the_birthday(ci):
    org, kids, user = ci["org"], ci["kids"], ci["user"]
    _run(org, D(2026, 10, 1))
    _run(org, D(2026, 12, 1))
    allowances.child_document_record(
        dependant=kids["a"], kind="school", school_year=2026, reference="CS-2026-118",
        user=user, on=D(2026, 12, 15),
    )  # fmt: skip
    # a new benefit from the birthday: the run pays 20/11 onwards as arrears; no end known in
    # advance (the school year's end suspends, it does not stop)
    assert _benefits(kids["a"]) == [
        (D(2026, 10, 1), D(2026, 11, 19), Status.STOPPED, Reason.AGE_LIMIT, ci["parent"].pk),
        (D(2026, 11, 20), None, Status.IN_PAYMENT, Reason.START, ci["parent"].pk),
    ]
    doc = ChildDocument.unscoped.get(dependant=kids["a"])
    assert (doc.valid_from, doc.valid_until) == (D(2026, 9, 1), D(2027, 8, 31))


def test_the_21_band_is_kept_with_a_school_document_and_stopped_without(ci):
    org, user, parent = ci["org"], ci["user"], ci["parent"]
    pupil = _child(parent, "Élève", D(2008, 5, 10))  # 18 on 10/05/2026
    apprentice = _child(parent, "Apprenti", D(2008, 5, 12))  # 18 on 12/05/2026
    allowances.child_document_record(
        dependant=pupil, kind="school", school_year=2025, user=user, on=D(2026, 3, 1)
    )
    allowances.child_document_record(
        dependant=apprentice, kind="apprenticeship", school_year=2025, user=user,
        on=D(2026, 3, 1),
    )  # fmt: skip
    assert _benefits(pupil) == [(D(2026, 3, 1), None, Status.IN_PAYMENT, Reason.START, parent.pk)]
    assert _benefits(apprentice) == [
        (D(2026, 3, 1), D(2026, 5, 11), Status.IN_PAYMENT, Reason.START, parent.pk)
    ]
    result = _run(org, D(2026, 6, 1))
    assert (result.stopped, result.suspended) == (1, 0)
    assert _benefits(pupil)[0][2] == Status.IN_PAYMENT  # 18 and at school: kept
    assert _benefits(apprentice) == [
        (D(2026, 3, 1), D(2026, 5, 11), Status.STOPPED, Reason.AGE_LIMIT, parent.pk)
    ]
    # the school year ends without a new certificate: suspended from 1 September
    result = _run(org, D(2026, 10, 1))
    assert result.suspended == 1
    benefit = BenefitInPayment.unscoped.get(dependant=pupil)
    assert (benefit.status, benefit.status_since, benefit.status_reason) == (
        Status.SUSPENDED,
        D(2026, 9, 1),
        Reason.DOCUMENT_MISSING,
    )
    # the certificate brought: resumed from the suspension (the run pays September onwards)
    allowances.child_document_record(
        dependant=pupil, kind="school", school_year=2026, user=user, on=D(2026, 10, 5)
    )
    benefit.refresh_from_db()
    assert (benefit.status, benefit.status_reason, benefit.end_date) == (
        Status.IN_PAYMENT,
        Reason.RESUMED,
        None,
    )
    assert benefit.status_since == D(2026, 9, 1)


def test_the_maximum_number_of_children_at_css_sn(zone):
    rules_seed()
    org = zone["CSS-SN"]
    with tenant_scope(org):
        parent = _parent(org, "Ndiaye")
        kids = [_child(parent, f"Enfant {k}", D(2015 + k, 1, 10)) for k in range(7)]
        result = _run(org, D(2026, 7, 1))
    assert result.created == 6
    paid = BenefitInPayment.unscoped.filter(organisation=org)
    assert sorted(paid.values_list("dependant_id", flat=True)) == [k.pk for k in kids[:6]]
    total = sum(b.amount_on(D(2026, 7, 1)) for b in paid)
    assert total == Decimal(15000)  # 6 × 2,500


def test_no_month_of_work_no_allowance(zone):
    rules_seed()
    org = zone["CNPS-CI"]
    with tenant_scope(org):
        parent = _parent(org, "Sans-Emploi", worked=False)
        _child(parent, "Petit", D(2020, 1, 1))
        assert _run(org, D(2026, 10, 1)) == allowances.AllowancesResult()
    assert not BenefitInPayment.unscoped.filter(organisation=org).exists()


def test_a_document_refused_changes_nothing(ci):
    kid, user = ci["kids"]["a"], ci["user"]
    with pytest.raises(ValidationError) as error:
        allowances.child_document_record(dependant=kid, kind="school", user=user, on=D(2026, 1, 1))
    assert "school_year" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        allowances.child_document_record(
            dependant=kid, kind="disability", valid_from=D(2026, 5, 1),
            valid_until=D(2026, 4, 1), user=user,
        )  # fmt: skip
    assert "valid_until" in error.value.message_dict
    allowances.child_document_record(
        dependant=kid, kind="school", school_year=2026, user=user, on=D(2026, 10, 1)
    )
    with pytest.raises(ValidationError) as error:
        allowances.child_document_record(
            dependant=kid, kind="school", school_year=2026, user=user, on=D(2026, 10, 2)
        )
    assert error.value.message_dict["school_year"] == [
        "Cette pièce est déjà enregistrée pour l'année scolaire 2026-2027."
    ]
    assert ChildDocument.unscoped.filter(dependant=kid).count() == 1


def test_the_command_is_idempotent(ci):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("payroll_allowances", "--on=2026-10-01", "--organisation=cnps-ci", stdout=out)
    call_command("payroll_allowances", "--on=2026-10-01", "--organisation=CNPS-CI", stdout=out)
    assert out.getvalue().splitlines() == [
        "CNPS-CI : 2 mises en paiement, 0 arrêts, 0 suspensions, 0 reprises, "
        "0 échéances modifiées, 0 montants revalorisés",
        "CNPS-CI : 0 mises en paiement, 0 arrêts, 0 suspensions, 0 reprises, "
        "0 échéances modifiées, 0 montants revalorisés",
    ]


def test_the_staff_page_records_a_childs_document(ci, client, make_user):
    from django.urls import reverse

    kid = ci["kids"]["a"]
    url = reverse("payroll-child-documents", kwargs={"pk": kid.pk})
    client.force_login(make_user(ci["org"], "payment_officer", username="cnps-ci.paie"))
    page = client.get(url)
    assert page.status_code == 200 and "certificat de scolarité" in page.content.decode()
    bad = client.post(url, {"kind": "school", "school_year": ""})
    assert bad.status_code == 400
    assert "Année scolaire attendue" in bad.content.decode()
    assert not ChildDocument.unscoped.filter(dependant=kid).exists()
    ok = client.post(url, {"kind": "school", "school_year": "2026", "reference": "CS-1"})
    assert ok.status_code == 302
    doc = ChildDocument.unscoped.get(dependant=kid)
    assert (doc.kind, doc.school_year, doc.reference) == ("school", 2026, "CS-1")
    # an insured user, and a reader without the role, may not record
    client.force_login(make_user(ci["org"], "insured", username="cnps-ci.k", person=ci["parent"]))
    assert client.post(url, {"kind": "school", "school_year": "2025"}).status_code == 403
    assert ChildDocument.unscoped.filter(dependant=kid).count() == 1
