"""Benefits in payment, continued: an orphan's right extended on a document, an overpayment
recovered from another benefit, the revaluation's four eyes, a late claim catching up a
revaluation, what the runs paid after a death (issue 14 §1, §4)."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kafo.governance.tests import factories as gov
from kafo.payroll import runs, services
from kafo.payroll.models import (
    AmountVersion,
    ChildDocument,
    DeathRecord,
    Overpayment,
    PayrollLine,
    PayrollRun,
    Revaluation,
    StatusChange,
)
from kafo.payroll.tests.factories import approved_claim, make_benefit
from kafo.registry.services import dependant_add, person_register


def _person(org, name="KEITA", given="Modibo"):
    return person_register(
        organisation=org,
        data={"family_name": name, "given_names": given, "sex": "M",
              "birth_date": dt.date(1955, 3, 1)},
    )  # fmt: skip


def _child(parent, birth=dt.date(2011, 5, 10)):
    return dependant_add(
        person=parent,
        data={"relationship": "child", "family_name": parent.family_name, "given_names": "Awa",
              "sex": "F", "birth_date": birth},
    )  # fmt: skip


def _document(child, kind, valid_from, valid_until=None, year=None):
    return ChildDocument.objects.create(
        organisation=child.organisation, dependant=child, kind=kind, school_year=year,
        valid_from=valid_from, valid_until=valid_until, recorded_at=timezone.now(),
    )  # fmt: skip


@pytest.fixture
def ml(zone, make_user):
    org = zone["INPS-ML"]
    return {"org": org, "officer": make_user(org, "payment_officer")}


def _orphan(ml):
    """An INPS-ML orphan born 10/05/2011: limit 14 (apprentice 18, student or disabled 21)."""
    org = ml["org"]
    deceased = _person(org)
    child = _child(deceased)
    claim = approved_claim(org, deceased, kind="survivors", monthly_amount=60_000,
                           start=dt.date(2025, 1, 1), death_date=dt.date(2024, 12, 5),
                           survivors=[(child, "orphan", 6_000)])  # fmt: skip
    (benefit,) = services.claim_put_in_payment(claim=claim, user=ml["officer"])
    return benefit, child


def test_orphan_school_documents_extend_the_right_year_by_year(ml):
    benefit, child = _orphan(ml)
    # Eve of the 14th birthday.
    assert benefit.end_date == dt.date(2025, 5, 9)
    _document(child, "school", dt.date(2024, 10, 1), dt.date(2025, 9, 30), 2024)
    services.orphan_extend(benefit=benefit, user=ml["officer"])
    benefit.refresh_from_db()
    assert (benefit.end_date, benefit.status) == (dt.date(2025, 9, 30), "in_payment")
    change = StatusChange.objects.filter(benefit=benefit).order_by("id").last()
    assert (change.on, change.status, change.reason) == (dt.date(2025, 5, 10), "in_payment",
                                                         "extended")  # fmt: skip
    # The next school year's certificate chains on.
    _document(child, "school", dt.date(2025, 10, 1), dt.date(2026, 9, 30), 2025)
    services.orphan_extend(benefit=benefit, user=ml["officer"])
    benefit.refresh_from_db()
    assert benefit.end_date == dt.date(2026, 9, 30)


def test_orphan_apprenticeship_capped_at_18_disability_at_21(ml):
    benefit, child = _orphan(ml)
    _document(child, "apprenticeship", dt.date(2025, 1, 1), None)
    services.orphan_extend(benefit=benefit, user=ml["officer"])
    benefit.refresh_from_db()
    assert benefit.end_date == dt.date(2029, 5, 9)  # eve of the 18th birthday
    _document(child, "disability", dt.date(2029, 1, 1), None)
    services.orphan_extend(benefit=benefit, user=ml["officer"])
    benefit.refresh_from_db()
    assert benefit.end_date == dt.date(2032, 5, 9)  # eve of the 21st birthday


def test_orphan_without_covering_document_refused_and_nothing_changes(ml):
    benefit, child = _orphan(ml)
    _document(child, "school", dt.date(2025, 6, 1), dt.date(2026, 5, 31), 2025)  # a gap
    before = StatusChange.objects.filter(benefit=benefit).count()
    with pytest.raises(ValidationError) as exc:
        services.orphan_extend(benefit=benefit, user=ml["officer"])
    assert "10/05/2025" in exc.value.message_dict["documents"][0]
    benefit.refresh_from_db()
    assert benefit.end_date == dt.date(2025, 5, 9)
    assert StatusChange.objects.filter(benefit=benefit).count() == before


def test_orphan_stopped_at_the_limit_reopened_by_a_late_document(ml):
    benefit, child = _orphan(ml)
    assert services.benefits_stop_expired(organisation=ml["org"], on=dt.date(2025, 6, 1)) == 1
    benefit.refresh_from_db()
    assert (benefit.status, benefit.status_reason) == ("stopped", "age_limit")
    _document(child, "school", dt.date(2024, 10, 1), dt.date(2025, 9, 30), 2024)
    services.orphans_extend_for_dependant(dependant=child, user=ml["officer"])
    benefit.refresh_from_db()
    assert (benefit.status, benefit.status_reason, benefit.end_date) == (
        "in_payment", "extended", dt.date(2025, 9, 30))  # fmt: skip


def test_recording_a_childs_document_extends_the_orphans_pension(ml):
    from kafo.payroll import allowances

    benefit, child = _orphan(ml)
    assert benefit.end_date == dt.date(2025, 5, 9)
    # INPS-ML's school year 2024 runs 1 October 2024 – 30 September 2025
    allowances.child_document_record(
        dependant=child, kind="school", school_year=2024, user=ml["officer"],
        on=dt.date(2025, 4, 1),
    )  # fmt: skip
    benefit.refresh_from_db()
    assert (benefit.end_date, benefit.status) == (dt.date(2025, 9, 30), "in_payment")


def test_stop_expired_extends_a_documented_orphan_instead_of_stopping(ml):
    benefit, child = _orphan(ml)
    _document(child, "school", dt.date(2024, 10, 1), dt.date(2025, 9, 30), 2024)
    assert services.benefits_stop_expired(organisation=ml["org"], on=dt.date(2025, 6, 1)) == 0
    benefit.refresh_from_db()
    assert (benefit.status, benefit.end_date) == ("in_payment", dt.date(2025, 9, 30))


def test_orphan_put_in_payment_with_a_document_already_recorded(ml):
    org = ml["org"]
    deceased = _person(org, name="COULIBALY")
    child = _child(deceased)
    _document(child, "disability", dt.date(2024, 1, 1), None)
    claim = approved_claim(
        org,
        deceased,
        kind="survivors",
        monthly_amount=60_000,
        start=dt.date(2025, 1, 1),
        survivors=[(child, "orphan", 6_000)],
    )
    (benefit,) = services.claim_put_in_payment(claim=claim, user=ml["officer"])
    assert benefit.end_date == dt.date(2032, 5, 9)


def test_orphan_extension_refused_where_the_rule_has_one_limit(zone, make_user):
    org = zone["IPRES-SN"]  # orphans to 21 whatever their situation
    officer = make_user(org, "payment_officer")
    deceased = _person(org, name="NDIAYE")
    child = _child(deceased, birth=dt.date(2005, 5, 10))
    claim = approved_claim(
        org,
        deceased,
        kind="survivors",
        monthly_amount=60_000,
        start=dt.date(2025, 1, 1),
        survivors=[(child, "orphan", 6_000)],
    )
    (benefit,) = services.claim_put_in_payment(claim=claim, user=officer)
    _document(child, "school", dt.date(2025, 10, 1), dt.date(2026, 9, 30), 2025)
    with pytest.raises(ValidationError) as exc:
        services.orphan_extend(benefit=benefit, user=officer)
    assert "même limite d'âge" in exc.value.message_dict["benefit"][0]
    benefit.refresh_from_db()
    assert benefit.end_date == dt.date(2026, 5, 9)


# --- overpayment recovered from another benefit --------------------------------------------------


def test_recover_from_another_benefit_and_the_runs_deduct_from_it(ml):
    org, officer = ml["org"], ml["officer"]
    dead = make_benefit(org, amount=80_000, status="stopped", status_reason="death",
                        end_date=dt.date(2025, 9, 30))  # fmt: skip
    widow = make_benefit(org, amount=40_000, payee_name="TRAORE Fanta")
    over = Overpayment.objects.create(organisation=org, benefit=dead, amount=D(160_000),
                                      reason="death", created_at=timezone.now())  # fmt: skip
    services.overpayment_recover_from(overpayment=over, benefit=widow, user=officer)
    over.refresh_from_db()
    assert over.recover_from == widow
    deductions = runs.read_frames(org)["deductions"].to_dicts()
    assert deductions == [{"deduction_id": over.pk, "benefit_id": widow.pk,
                           "outstanding": 160_000}]  # fmt: skip
    # Back to its own benefit.
    services.overpayment_recover_from(overpayment=over, benefit=dead, user=officer)
    over.refresh_from_db()
    assert over.recover_from is None


def test_recover_from_a_stopped_benefit_refused_nothing_changes(ml):
    org, officer = ml["org"], ml["officer"]
    own = make_benefit(org, amount=80_000)
    stopped = make_benefit(org, amount=40_000, status="stopped", status_reason="remarriage",
                           end_date=dt.date(2025, 6, 30))  # fmt: skip
    over = Overpayment.objects.create(organisation=org, benefit=own, amount=D(5_000),
                                      reason="death", created_at=timezone.now())  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        services.overpayment_recover_from(overpayment=over, benefit=stopped, user=officer)
    assert "arrêtée" in exc.value.message_dict["recover_from"][0]
    over.refresh_from_db()
    assert over.recover_from_id is None


def test_survivors_claim_put_in_payment_recovers_the_deceased_overpayment_from_the_widow(ml):
    org, officer = ml["org"], ml["officer"]
    deceased = _person(org, name="DIARRA")
    widow_dep = dependant_add(
        person=deceased,
        data={"relationship": "spouse", "family_name": "SANGARE", "given_names": "Oumou",
              "sex": "F", "birth_date": dt.date(1960, 1, 1),
              "marriage_date": dt.date(1980, 1, 1)},
    )  # fmt: skip
    pension = make_benefit(org, person=deceased, payee_name="DIARRA Adama", amount=90_000,
                           status="stopped", status_reason="death",
                           end_date=dt.date(2025, 8, 31))  # fmt: skip
    over = Overpayment.objects.create(organisation=org, benefit=pension, amount=D(90_000),
                                      reason="death", created_at=timezone.now())  # fmt: skip
    claim = approved_claim(org, deceased, kind="survivors", monthly_amount=90_000,
                           start=dt.date(2025, 9, 1), death_date=dt.date(2025, 8, 12),
                           survivors=[(widow_dep, "spouse", 45_000)])  # fmt: skip
    DeathRecord.objects.create(organisation=org, person=deceased, death_date=dt.date(2025, 8, 12),
                               source="acte", survivors_claim=claim,
                               recorded_at=timezone.now())  # fmt: skip
    (widow,) = services.claim_put_in_payment(claim=claim, user=officer)
    over.refresh_from_db()
    assert over.recover_from == widow


# --- revaluation: four eyes, late claims -------------------------------------------------------


def test_revaluation_applied_by_its_preparer_refused_nothing_added(zone, make_user):
    org = zone["IPRES-SN"]
    both = make_user(org, "payment_officer", "director")
    make_benefit(org, amount=100_000)
    decision = gov.decision(gov.session(gov.board(org)), title="Revalorisation 2026")
    rev = services.revaluation_create(decision=decision, percent=D(2),
                                      effective_from=dt.date(2026, 1, 1), user=both)  # fmt: skip
    assert (rev.prepared_by, services.revaluation_preview(rev)) == (
        both,
        {"count": 1, "before": D(100_000), "after": D(102_000), "increase": D(2_000)},
    )
    with pytest.raises(ValidationError) as exc:
        services.revaluation_apply(revaluation=rev, user=both)
    assert "Quatre yeux" in exc.value.message_dict["user"][0]
    assert AmountVersion.objects.filter(reason="revaluation").count() == 0
    rev.refresh_from_db()
    assert rev.applied_at is None


def test_claim_put_in_payment_after_a_revaluation_gets_its_version(zone, make_user):
    org = zone["IPRES-SN"]
    officer, director = make_user(org, "payment_officer"), make_user(org, "director")
    decision = gov.decision(gov.session(gov.board(org)), title="Revalorisation 2026")
    rev = services.revaluation_create(
        decision=decision, percent=D("3.5"), effective_from=dt.date(2026, 1, 1), user=officer
    )
    services.revaluation_apply(revaluation=rev, user=director)
    claim = approved_claim(org, _person(org, name="SECK"), monthly_amount=85_001,
                           start=dt.date(2025, 11, 1))  # fmt: skip
    (b,) = services.claim_put_in_payment(claim=claim, user=officer)
    # 85,001 × 1.035 = 87,976.035 → 87,976 from 01/01/2026; the start amount untouched.
    assert (b.amount_on(dt.date(2025, 12, 31)), b.amount_on(dt.date(2026, 1, 1))) == (
        D(85_001), D(87_976))  # fmt: skip
    assert Revaluation.objects.get(pk=rev.pk).applied_count == 1


# --- what the runs paid after a death ------------------------------------------------------------


def test_amounts_paid_after_reads_the_runs_lines(zone, make_user):
    org = zone["IPRES-SN"]
    officer = make_user(org, "payment_officer")
    b = make_benefit(org, amount=120_000, start=dt.date(2025, 1, 1))
    AmountVersion.objects.create(organisation=org, benefit=b, effective_from=dt.date(2025, 11, 1),
                                 monthly_amount=D(123_000), reason="revision",
                                 created_at=timezone.now())  # fmt: skip
    now = timezone.now()

    def line(run, months, status="paid"):
        return PayrollLine.objects.create(
            organisation=org, run=run, benefit=b, period_from=dt.date(2025, 1, 1),
            period_to=dt.date(2025, 12, 31), months=months, month_count=len(months),
            regular=0, arrears=0, gross=0, deductions=0, net=0, channel="bank",
            payee_name="X", reference=f"R{run.pk}", status=status,
        )  # fmt: skip

    def run(status):
        return PayrollRun.objects.create(
            organisation=org,
            period_start=dt.date(2025, 9, 1),
            status=status,
            prepared_by=officer,
            prepared_at=now,
        )

    # September..December 2025 = month indexes 24308..24311.
    line(run("frozen"), [24308, 24309])
    line(run("frozen"), [24310, 24311])
    line(run("cancelled"), [24310])
    # Death in September: paid after 30/09 = October 120,000 + November and December 123,000.
    assert services.amounts_paid_after([b.pk], dt.date(2025, 9, 30)) == {b.pk: D(366_000)}
