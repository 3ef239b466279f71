"""Benefits in payment (issue 14 §1, §4): a claim put in payment, channels checked, statuses
dated and audited, orphans stopped at the age limit, revaluation as new versions, life
certificates (suspension, resumption), death (stop at the end of the month, overpayment)."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from kafo.audit.models import AuditEvent
from kafo.benefits.models import Claim, ClaimStatus
from kafo.governance.tests import factories as gov
from kafo.payroll import deaths, services
from kafo.payroll import life_certificates as lc
from kafo.payroll.models import (
    AmountVersion,
    BenefitInPayment,
    ChannelChange,
    DeathRecord,
    LifeCertificate,
    Overpayment,
    Reason,
    Status,
    StatusChange,
)
from kafo.payroll.tests.factories import IBAN_SN, RIB_SN, approved_claim, make_benefit
from kafo.registry.services import dependant_add, person_register


@pytest.fixture
def sn(zone, make_user):
    org = zone["IPRES-SN"]
    return {
        "org": org,
        "officer": make_user(org, "payment_officer"),
        "director": make_user(org, "director"),
    }


def _person(org, name="NDIAYE", given="Moussa", birth=dt.date(1960, 3, 1)):
    return person_register(
        organisation=org,
        data={"family_name": name, "given_names": given, "sex": "M", "birth_date": birth},
    )


def _history(benefit):
    return list(
        StatusChange.objects.filter(benefit=benefit)
        .order_by("recorded_at", "id")
        .values_list("on", "status", "reason")
    )


# --- put in payment ---------------------------------------------------------------------------


def test_pension_claim_put_in_payment_by_bank(sn):
    org = sn["org"]
    person = _person(org)
    claim = approved_claim(org, person, monthly_amount=120_000, start=dt.date(2025, 3, 1))
    rib = "SN010 01520 000485000030 35"  # spaces as printed on a RIB
    (b,) = services.claim_put_in_payment(
        claim=claim,
        user=sn["officer"],
        channels={"pensioner": {"channel": "bank", "rib": rib, "account_holder": "NDIAYE Moussa"}},
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_PAYMENT
    assert (b.person, b.payee_name, b.kind, b.rib, b.iban) == (
        person,
        "NDIAYE Moussa",
        "pension",
        RIB_SN,
        IBAN_SN,
    )
    # IPRES-SN pays monthly since 2017 (payment_calendar.yaml), in arrears (assumption).
    assert (b.frequency, b.timing, b.start_date, b.status) == (
        "monthly",
        "arrears",
        dt.date(2025, 3, 1),
        Status.IN_PAYMENT,
    )
    assert b.amount_on(dt.date(2025, 3, 1)) == D(120_000)
    assert b.amount_on(dt.date(2025, 2, 28)) is None
    assert _history(b) == [(dt.date(2025, 3, 1), "in_payment", "start")]
    assert AuditEvent.unscoped.filter(object_type="benefitinpayment", object_id=str(b.pk)).count()
    # A second call creates nothing more.
    assert services.benefits_from_claim(claim=claim, user=sn["officer"]) == []


def test_wrong_rib_key_changes_nothing(sn):
    org = sn["org"]
    claim = approved_claim(org, _person(org))
    bad = RIB_SN[:-2] + "36"
    with pytest.raises(ValidationError) as exc:
        services.claim_put_in_payment(
            claim=claim,
            user=sn["officer"],
            channels={"pensioner": {"channel": "bank", "rib": bad, "account_holder": "X"}},
        )
    assert "clé RIB incorrecte : 36 au lieu de 35" in exc.value.message_dict["rib"][0]
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert not BenefitInPayment.objects.exists()


def test_survivors_claim_one_benefit_per_survivor_orphan_paid_to_the_widow(sn):
    org = sn["org"]
    deceased = _person(org)
    widow = dependant_add(
        person=deceased,
        data={
            "relationship": "spouse",
            "family_name": "FALL",
            "given_names": "Aminata",
            "sex": "F",
            "birth_date": dt.date(1965, 1, 1),
            "marriage_date": dt.date(1990, 5, 1),
        },  # fmt: skip
    )
    child = dependant_add(
        person=deceased,
        data={
            "relationship": "child",
            "family_name": "NDIAYE",
            "given_names": "Ibou",
            "sex": "M",
            "birth_date": dt.date(2010, 6, 15),
            "other_parent": widow,
        },  # fmt: skip
    )
    claim = approved_claim(
        org,
        deceased,
        kind="survivors",
        monthly_amount=100_000,
        start=dt.date(2025, 5, 1),
        death_date=dt.date(2025, 4, 10),
        survivors=[(widow, "spouse", 50_000), (child, "orphan", 10_000)],
    )
    benefits = services.claim_put_in_payment(
        claim=claim,
        user=sn["officer"],
        channels={},
    )
    w, o = sorted(benefits, key=lambda b: b.kind)[::-1]
    assert (w.kind, w.payee_name, w.amount_on(dt.date(2025, 5, 1)), w.end_date) == (
        "survivor",
        "FALL Aminata",
        D(50_000),
        None,
    )
    # IPRES-SN orphans: to 21 (benefits.yaml) → last day due the eve of the 21st birthday.
    assert (o.kind, o.guardian_name, o.amount_on(dt.date(2025, 5, 1)), o.end_date) == (
        "orphan",
        "FALL Aminata",
        D(10_000),
        dt.date(2031, 6, 14),
    )
    assert (w.channel, w.paying_agency) == ("cash", "")  # no channel given: to complete


def test_orphan_passing_the_age_limit_stops_and_pension_does_not(sn):
    org = sn["org"]
    orphan = make_benefit(org, kind="orphan", amount=10_000, end_date=dt.date(2025, 6, 14))
    pension = make_benefit(org, amount=100_000)
    assert services.benefits_stop_expired(organisation=org, on=dt.date(2025, 6, 14)) == 0
    assert services.benefits_stop_expired(organisation=org, on=dt.date(2025, 7, 1)) == 1
    orphan.refresh_from_db()
    pension.refresh_from_db()
    assert (orphan.status, orphan.status_reason, orphan.end_date) == (
        "stopped",
        "age_limit",
        dt.date(2025, 6, 14),
    )
    assert _history(orphan)[-1] == (dt.date(2025, 6, 15), "stopped", "age_limit")
    assert pension.status == "in_payment"
    assert services.benefits_stop_expired(organisation=org, on=dt.date(2025, 8, 1)) == 0


# --- status and channel -----------------------------------------------------------------------


def test_suspend_resume_stop_dated_and_refusals_change_nothing(sn):
    org = sn["org"]
    b = make_benefit(org)
    officer = sn["officer"]
    with pytest.raises(ValidationError):
        services.benefit_resume(benefit=b, user=officer, on=dt.date(2025, 6, 1))
    services.benefit_suspend(benefit=b, reason=Reason.INVESTIGATION, user=officer,
                             on=dt.date(2025, 6, 1), note="contrôle")  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        services.benefit_resume(benefit=b, user=officer, on=dt.date(2025, 5, 31))
    assert "01/06/2025" in exc.value.message_dict["on"][0]
    services.benefit_resume(benefit=b, user=officer, on=dt.date(2025, 7, 1))
    services.benefit_stop(benefit=b, reason=Reason.REMARRIAGE, last_day=dt.date(2025, 8, 31),
                          user=officer)  # fmt: skip
    b.refresh_from_db()
    assert (b.status, b.end_date, b.status_since) == (
        "stopped",
        dt.date(2025, 8, 31),
        dt.date(2025, 9, 1),
    )
    assert _history(b) == [
        (dt.date(2025, 1, 1), "in_payment", "start"),
        (dt.date(2025, 6, 1), "suspended", "investigation"),
        (dt.date(2025, 7, 1), "in_payment", "resumed"),
        (dt.date(2025, 9, 1), "stopped", "remarriage"),
    ]
    with pytest.raises(ValidationError):
        services.benefit_suspend(benefit=b, reason=Reason.INVESTIGATION, user=officer)
    assert StatusChange.objects.filter(benefit=b).count() == 4


def test_channel_change_to_mobile_money_audited_bad_number_refused(sn):
    org = sn["org"]
    b = make_benefit(org)
    with pytest.raises(ValidationError) as exc:
        services.benefit_change_channel(
            benefit=b, user=sn["officer"],
            data={"channel": "mobile_money", "msisdn": "+22365012345", "operator": "Orange"},
        )  # fmt: skip
    assert "msisdn" in exc.value.message_dict
    b.refresh_from_db()
    assert (b.channel, ChannelChange.objects.count()) == ("bank", 0)
    services.benefit_change_channel(
        benefit=b, user=sn["officer"],
        data={"channel": "mobile_money", "msisdn": "77 012 34 56", "operator": "Wave Sénégal"},
    )  # fmt: skip
    b.refresh_from_db()
    # The operator given by its name is stored as the code the runs' adapters take.
    assert (b.channel, b.msisdn, b.operator, b.rib, b.iban) == (
        "mobile_money",
        "+221770123456",
        "wave_sn",
        "",
        "",
    )
    change = ChannelChange.objects.get()
    assert (change.before["rib"], change.after["msisdn"]) == (RIB_SN, "+221770123456")
    # An operator that does not serve the country is refused.
    with pytest.raises(ValidationError) as exc:
        services.benefit_change_channel(
            benefit=b, user=sn["officer"],
            data={"channel": "mobile_money", "msisdn": "77 012 34 57",
                  "operator": "orange_money_ml"},
        )  # fmt: skip
    assert "Opérateur inconnu dans ce pays" in exc.value.message_dict["operator"][0]
    b.refresh_from_db()
    assert (b.msisdn, ChannelChange.objects.count()) == ("+221770123456", 1)


# --- revaluation ------------------------------------------------------------------------------


def test_revaluation_from_a_date_adds_versions_and_leaves_the_past(sn):
    org = sn["org"]
    decision = gov.decision(gov.session(gov.board(org)), title="Revalorisation 2026")
    a = make_benefit(org, amount=100_000)
    b = make_benefit(org, amount=85_001)
    c = make_benefit(org, amount=33_333, kind="survivor")
    ended = make_benefit(org, amount=90_000, status="stopped", status_reason="death",
                         end_date=dt.date(2025, 10, 31))  # fmt: skip
    later = make_benefit(org, amount=70_000, start=dt.date(2026, 3, 1))
    rev = services.revaluation_create(
        decision=decision, percent=D("3.5"), effective_from=dt.date(2026, 1, 1), user=None
    )
    assert services.revaluation_apply(revaluation=rev, user=sn["director"]) == 3
    # 100,000 × 1.035 = 103,500; 85,001 × 1.035 = 87,976.035 → 87,976; 33,333 × 1.035 =
    # 34,499.655 → 34,500 (whole francs, half up).
    for benefit, before, after in ((a, 100_000, 103_500), (b, 85_001, 87_976),
                                   (c, 33_333, 34_500)):  # fmt: skip
        assert benefit.amount_on(dt.date(2025, 12, 31)) == D(before)
        assert benefit.amount_on(dt.date(2026, 1, 1)) == D(after)
    v = AmountVersion.objects.get(benefit=a, effective_from=dt.date(2026, 1, 1))
    assert (v.reason, v.decision, v.revaluation) == ("revaluation", decision, rev)
    assert ended.amount_versions.count() == 1
    assert later.amount_versions.count() == 1
    # Idempotent: applying again adds nothing; the initial versions are untouched.
    assert services.revaluation_apply(revaluation=rev, user=sn["director"]) == 0
    assert AmountVersion.objects.filter(reason="initial").count() == 5
    rev.refresh_from_db()
    assert rev.applied_count == 3


def test_revaluation_needs_a_board_decision(sn):
    org = sn["org"]
    from kafo.governance.models import Body

    committee = Body.objects.create(organisation=org, name="Comité", kind="committee")
    decision = gov.decision(gov.session(committee))
    with pytest.raises(ValidationError) as exc:
        services.revaluation_create(
            decision=decision, percent=D(2), effective_from=dt.date(2026, 1, 1), user=None
        )
    assert "decision" in exc.value.message_dict


# --- life certificates ------------------------------------------------------------------------


@pytest.fixture
def cm(zone, make_user):
    org = zone["CNPS-CM"]
    return {"org": org, "officer": make_user(org, "payment_officer")}


def test_missing_certificate_suspends_and_late_certificate_resumes(cm):
    org, officer = cm["org"], cm["officer"]
    with_cert = make_benefit(org, payee_name="ABENA Paul", channel="cash")
    without = make_benefit(org, payee_name="BELLA Marie", channel="cash")
    new = make_benefit(org, payee_name="ZANG Luc", channel="cash", start=dt.date(2025, 11, 1))
    family = make_benefit(org, payee_name="ONANA Rose", kind="family_allowance", channel="cash")
    campaign = lc.campaign_get(organisation=org, year=2025)
    # CNPS-CM: 1 Oct – 31 Dec (sourced), grace one month (assumption).
    assert (campaign.window_start, campaign.window_end, campaign.grace_end) == (
        dt.date(2025, 10, 1),
        dt.date(2025, 12, 31),
        dt.date(2026, 1, 31),
    )
    lc.certificate_record(benefit=with_cert, issued_on=dt.date(2025, 10, 20),
                          received_on=dt.date(2025, 10, 22), source="embassy",
                          issuer="Ambassade du Cameroun à Paris", user=officer,
                          campaign=campaign)  # fmt: skip
    assert list(lc.without_certificate(campaign)) == [without]
    with pytest.raises(ValidationError):
        lc.campaign_suspend_missing(campaign=campaign, user=officer, on=dt.date(2026, 1, 31))
    without.refresh_from_db()
    assert without.status == "in_payment"
    assert lc.campaign_suspend_missing(campaign=campaign, user=officer,
                                       on=dt.date(2026, 2, 1)) == 1  # fmt: skip
    for b in (with_cert, without, new, family):
        b.refresh_from_db()
    assert [b.status for b in (with_cert, without, new, family)] == [
        "in_payment",
        "suspended",
        "in_payment",
        "in_payment",
    ]
    assert (without.status_reason, without.status_since) == ("no_certificate", dt.date(2026, 2, 1))
    assert lc.campaign_suspend_missing(campaign=campaign, user=officer,
                                       on=dt.date(2026, 2, 2)) == 0  # fmt: skip
    # The late certificate (received 10/03/2026) resumes payment from that day; the periods
    # of the suspension stay due (the run pays February as arrears).
    lc.certificate_record(benefit=without, issued_on=dt.date(2026, 3, 9),
                          received_on=dt.date(2026, 3, 10), source="agent",
                          issuer="Agence CNPS de Yaoundé", user=officer)  # fmt: skip
    without.refresh_from_db()
    assert (without.status, without.status_since, without.end_date) == (
        "in_payment",
        dt.date(2026, 3, 10),
        None,
    )
    assert _history(without) == [
        (dt.date(2025, 1, 1), "in_payment", "start"),
        (dt.date(2026, 2, 1), "suspended", "no_certificate"),
        (dt.date(2026, 3, 10), "in_payment", "certificate_received"),
    ]
    # The certificate counted for the 2025 campaign (window of 2026 not open on 10/03/2026).
    assert LifeCertificate.objects.get(benefit=without).campaign == campaign


def test_certificate_refusals_record_nothing(cm):
    org = cm["org"]
    b = make_benefit(org, channel="cash")
    with pytest.raises(ValidationError) as exc:
        lc.certificate_record(benefit=b, issued_on=dt.date(2025, 10, 5),
                              received_on=dt.date(2025, 10, 2), source="courrier",
                              issuer="", user=cm["officer"])  # fmt: skip
    assert set(exc.value.message_dict) == {"source", "issuer", "issued_on"}
    assert not LifeCertificate.objects.exists()


# --- death ------------------------------------------------------------------------------------


def test_death_mid_month_stops_at_month_end_records_overpayment_opens_survivors_claim(
    sn, monkeypatch
):
    org = sn["org"]
    person = _person(org, name="SARR", given="Omar")
    dependant_add(
        person=person,
        data={
            "relationship": "spouse",
            "family_name": "SARR",
            "given_names": "Khady",
            "sex": "F",
            "birth_date": dt.date(1962, 1, 1),
            "marriage_date": dt.date(1985, 1, 1),
        },  # fmt: skip
    )
    b = make_benefit(org, person=person, payee_name="SARR Omar", amount=120_000)
    # The runs paid October and November after a death on 14/09/2025: 2 × 120,000.
    asked = {}

    def paid_after(ids, day):
        asked["args"] = (ids, day)
        return {b.pk: D(240_000)}

    monkeypatch.setattr(deaths, "amounts_paid_after", paid_after)
    record = services.death_record(
        organisation=org, person=person, death_date=dt.date(2025, 9, 14),
        source="Acte de décès n° 1234, mairie de Thiès", user=sn["officer"],
    )  # fmt: skip
    assert asked["args"] == ([b.pk], dt.date(2025, 9, 30))
    b.refresh_from_db()
    assert (b.status, b.status_reason, b.end_date, b.payee_death_date) == (
        "stopped",
        "death",
        dt.date(2025, 9, 30),
        dt.date(2025, 9, 14),
    )
    assert _history(b)[-1] == (dt.date(2025, 10, 1), "stopped", "death")
    over = Overpayment.objects.get()
    assert (over.benefit, over.amount, over.recovered, over.reason, over.period_from) == (
        b,
        D(240_000),
        D(0),
        "death",
        dt.date(2025, 10, 1),
    )
    claim = record.survivors_claim
    assert (claim.kind, claim.person, claim.death_date, claim.status) == (
        "survivors",
        person,
        dt.date(2025, 9, 14),
        "opened",
    )
    with pytest.raises(ValidationError):
        services.death_record(organisation=org, person=person, death_date=dt.date(2025, 9, 14),
                              source="doublon", user=sn["officer"])  # fmt: skip
    assert (DeathRecord.objects.count(), Overpayment.objects.count()) == (1, 1)
    assert Claim.objects.filter(kind="survivors").count() == 1
