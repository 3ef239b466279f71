"""Claims: opened → computed → submitted → approved / rejected → in payment, computed from the
declared career with a frozen trace, approved under a delegation of signature (issue 13, 2–4)."""

import datetime as dt
import io
from decimal import Decimal as D

import polars as pl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from kafo.audit import services as audit
from kafo.audit.models import AuditEvent
from kafo.benefits import claim_decisions, claims, claims_selectors
from kafo.benefits.domain.trace import evaluate
from kafo.benefits.models import Claim, ClaimStatus, Liquidation
from kafo.benefits.services import benefit_rule_version_add, benefits_seed
from kafo.contributions.services import import_frame
from kafo.governance import services as governance
from kafo.governance.tests import factories as gov
from kafo.registry.services import dependant_add, employer_register, person_register
from kafo.rules.services import rules_seed

APPROVAL_DAY = dt.date(2026, 2, 2)


def months(start: str, end: str) -> list[str]:
    a = int(start[:4]) * 12 + int(start[5:]) - 1
    b = int(end[:4]) * 12 + int(end[5:]) - 1
    return [f"{i // 12}-{i % 12 + 1:02d}" for i in range(a, b + 1)]


def declare(org, employer, person, periods, salary, kind="original"):
    n = len(periods)
    frame = pl.DataFrame(
        {
            "employer_number": [employer.number] * n,
            "period": periods,
            "worker_number": [person.number] * n,
            "family_name": [person.family_name] * n,
            "given_names": [person.given_names] * n,
            "days_worked": ["26"] * n,
            "gross_salary": [str(salary)] * n,
        }
    )
    return import_frame(
        frame=frame, organisation=org, kind=kind, migration=True, today=dt.date(2026, 1, 10)
    )


@pytest.fixture
def bj(zone, make_user):
    """CNSS-BJ: a worker born 15/01/1960 declared 270 months at 50,000 (07/2003–12/2025), with
    a gap 01/2010–03/2010 filled in by extending the career (so 270 months in all)."""
    rules_seed()
    benefits_seed()
    org = zone["CNSS-BJ"]
    employer = employer_register(organisation=org, data={"legal_name": "SOBEBRA", "risk_class": 1})
    person = person_register(
        organisation=org,
        data={
            "family_name": "Hounkpatin",
            "given_names": "Comlan",
            "sex": "M",
            "birth_date": dt.date(1960, 1, 15),
        },
    )
    career = [m for m in months("2003-04", "2025-12") if m not in ("2010-01", "2010-02", "2010-03")]
    assert len(career) == 270
    declare(org, employer, person, career, 50000)
    officer = make_user(org, "benefits_officer", username="bj.officer")
    officer2 = make_user(org, "benefits_officer", username="bj.officer2")
    approver = make_user(org, "approver", username="bj.approver")
    director = make_user(org, "director", username="bj.director")
    decision = gov.decision(gov.session(gov.board(org)), title="Délégations de signature")
    return {
        "org": org,
        "employer": employer,
        "person": person,
        "officer": officer,
        "officer2": officer2,
        "approver": approver,
        "director": director,
        "decision": decision,
    }


def delegate(bj, user, ceiling, *, kinds=(), start=dt.date(2026, 2, 1), end=None):
    return governance.delegation_grant(
        decision=bj["decision"],
        delegate=user,
        kind="benefit_approval",
        amount_ceiling=D(ceiling),
        start_date=start,
        end_date=end,
        benefit_kinds=list(kinds),
    )


def computed(bj, kind="pension"):
    claim = claims.claim_open(
        person=bj["person"], kind=kind, claim_date=dt.date(2026, 1, 15), user=bj["officer"]
    )
    claims.claim_compute(claim=claim, user=bj["officer"])
    return claim


def submitted(bj, kind="pension"):
    claim = computed(bj, kind)
    for doc in claim.documents.filter(required=True):
        claims.claim_document_set(
            claim=claim, code=doc.code, received=True, user=bj["officer"], reference="P-1"
        )
    claims.claim_submit(claim=claim, user=bj["officer"])
    return claim


def state(claim):
    """Everything a refusal must leave as it was: the claim, its computations, its audit."""
    claim = Claim.unscoped.get(pk=claim.pk)
    return (
        audit.snapshot(claim),
        [audit.snapshot(liq) for liq in Liquidation.unscoped.filter(claim=claim).order_by("pk")],
        AuditEvent.unscoped.count(),
    )


def refused(call, field, claim):
    before = state(claim)
    with pytest.raises(ValidationError) as exc:
        call()
    assert field in exc.value.message_dict, exc.value.message_dict
    assert state(claim) == before
    return exc.value.message_dict[field][0]


def test_liquidation_from_the_career_official_example_and_gaps(bj):
    """CNSS-BJ official example: 270 months, average of the last 60 months 50,000 → 30 % + 2 % ×
    floor((270 − 180) / 12) = 30 + 14 = 44 % → 22,000 a month. Age 66 on 15/01/2026 ≥ 60.
    The three months 01–03/2010 have no declaration: a gap. Start: 01/02/2026."""
    claim = computed(bj)
    liq = claim.liquidations.get()
    assert (liq.eligible, liq.benefit, liq.monthly_amount) == (True, "pension", D(22000))
    assert (liq.insured_months, liq.reference_salary, liq.rate) == (270, D(50000), D(44))
    assert liq.start_date == dt.date(2026, 2, 1)
    assert liq.gaps == [{"start": "2010-01", "end": "2010-03", "months": 3}]
    assert liq.rule_versions == ["CNSS-BJ old_age 2000-01-01"]
    assert len(liq.inputs["months"]) == 270
    assert liq.inputs["months"][0] == {
        "period": "2003-04",
        "salary": "50000",
        "days": 26,
        "source": "declaration",
    }
    assert liq.inputs["claimant"]["birth_date"] == "1960-01-15"
    claim.refresh_from_db()
    assert (claim.status, claim.computed_by) == (ClaimStatus.COMPUTED, bj["officer"])
    assert [d.code for d in claim.documents.all()] == [
        "birth_certificate",
        "identity_document",
        "work_certificates",
        "cessation_certificate",
        "payment_details",
    ]


def test_the_stored_trace_recomputes_every_step_and_the_amount(bj):
    liq = computed(bj).liquidations.get()
    results = {}
    for step in liq.trace:
        assert step["label_fr"] and step["label_en"]
        names = {k: _number(v) for k, v in step["inputs"].items()}
        if step["code"] == "reference_salary" or step["formula"].startswith("sum"):
            continue  # a selection step records its result
        value = evaluate(step["formula"], names)
        assert _number(step["result"]) == value, step["code"]
        results[step["code"]] = value
    assert results["amount"] == D(22000) == liq.monthly_amount
    cited = {p["version"] for s in liq.trace for p in s["params"]}
    assert cited == {"CNSS-BJ old_age 2000-01-01"}


def _number(v):
    if isinstance(v, bool) or v is None:
        return v
    try:
        return D(v)
    except Exception:
        return v


def test_missing_required_document_blocks_submission_and_changes_nothing(bj):
    claim = computed(bj)
    for code in ("birth_certificate", "identity_document", "work_certificates"):
        claims.claim_document_set(claim=claim, code=code, received=True, user=bj["officer"])
    reason = refused(
        lambda: claims.claim_submit(claim=claim, user=bj["officer"]), "documents", claim
    )
    assert reason == "Pièces obligatoires manquantes : Certificat de cessation d'activité."
    # the optional item does not block
    claims.claim_document_set(
        claim=claim, code="cessation_certificate", received=True, user=bj["officer"]
    )
    claims.claim_submit(claim=claim, user=bj["officer"])
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED and claim.submitted_by == bj["officer"]


def test_approval_by_a_covering_delegation_freezes_the_computation(bj):
    claim = submitted(bj)
    delegation = delegate(bj, bj["approver"], 25000, kinds=["pension", "early_pension"])
    assert [a.user for a in claims_selectors.approvers_for(claim, on=APPROVAL_DAY)] == [
        bj["approver"]
    ]
    claim_decisions.claim_approve(claim=claim, user=bj["approver"], on=APPROVAL_DAY)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert (claim.decided_by, claim.approved_under) == (bj["approver"], delegation)
    liq = claim.liquidations.get()
    assert liq.frozen
    claim_decisions.claim_start_payment(claim=claim, user=bj["director"])
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_PAYMENT
    days = claims_selectors.processing_days(claim)
    assert days["total"] == 0 and days["to_computed"] == 0
    # every step audited
    assert AuditEvent.unscoped.filter(object_type="claim", object_id=claim.pk).count() == 5


@pytest.mark.parametrize(
    ("ceiling", "kinds", "start", "end"),
    [
        (25000, (), dt.date(2026, 2, 1), dt.date(2026, 2, 1)),  # expired the day before
        (25000, ("survivors",), dt.date(2026, 2, 1), None),  # another benefit type
        (21999, (), dt.date(2026, 2, 1), None),  # below the monthly amount (22,000)
        (25000, (), dt.date(2026, 3, 1), None),  # not yet in force
    ],
    ids=["expired", "other-kind", "below-amount", "not-yet"],
)
def test_a_delegation_that_does_not_cover_cannot_approve(bj, ceiling, kinds, start, end):
    claim = submitted(bj)
    delegate(bj, bj["approver"], ceiling, kinds=kinds, start=start, end=end)
    reason = refused(
        lambda: claim_decisions.claim_approve(claim=claim, user=bj["approver"], on=APPROVAL_DAY),
        "delegation",
        claim,
    )
    assert reason.startswith("Aucune délégation de signature en vigueur le 02/02/2026")
    # above every delegation: it goes to the director
    assert [a.user for a in claims_selectors.approvers_for(claim, on=APPROVAL_DAY)] == [
        bj["director"]
    ]
    claim_decisions.claim_approve(claim=claim, user=bj["director"], on=APPROVAL_DAY)
    claim.refresh_from_db()
    assert (claim.status, claim.approved_under) == (ClaimStatus.APPROVED, None)


def test_four_eyes_the_computing_officer_cannot_approve_even_with_a_delegation(bj, make_user):
    claim = submitted(bj)
    bj["officer"].roles.add(*make_user(bj["org"], "approver", username="x").roles.all())
    bj["officer"]._role_codes = None
    delegate(bj, bj["officer"], 100000)
    reason = refused(
        lambda: claim_decisions.claim_approve(claim=claim, user=bj["officer"], on=APPROVAL_DAY),
        "user",
        claim,
    )
    assert reason.startswith("Quatre yeux")
    assert bj["officer"] not in [a.user for a in claims_selectors.approvers_for(claim)]


def test_nobody_approves_their_own_claim(bj, make_user):
    """Users carry no link to a registry person: an approver bearing the claimant's names is
    taken to be the claimant (a homonym is sent to another approver)."""
    claim = submitted(bj)
    me = make_user(bj["org"], "approver", username="comlan")
    me.first_name, me.last_name = "Comlan", "HOUNKPATIN"
    me.save()
    delegate(bj, me, 100000)
    reason = refused(
        lambda: claim_decisions.claim_approve(claim=claim, user=me, on=APPROVAL_DAY), "user", claim
    )
    assert reason == "Nul ne peut approuver sa propre demande."


def test_a_role_without_authority_and_a_wrong_state_are_refused(bj):
    claim = computed(bj)
    delegate(bj, bj["approver"], 100000)
    reason = refused(
        lambda: claim_decisions.claim_approve(claim=claim, user=bj["approver"], on=APPROVAL_DAY),
        "status",
        claim,
    )
    assert "soumise à approbation" in reason
    claims.claim_document_set(claim=claim, code="birth_certificate", received=True, user=None)
    refused(
        lambda: claim_decisions.claim_reject(claim=claim, user=bj["approver"], reason="x"),
        "status",
        claim,
    )


def test_rejection_needs_a_reason_and_is_dated(bj):
    claim = submitted(bj)
    refused(
        lambda: claim_decisions.claim_reject(claim=claim, user=bj["approver"], reason=" "),
        "reason",
        claim,
    )
    claim_decisions.claim_reject(
        claim=claim, user=bj["approver"], reason="Cessation d'activité non prouvée"
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED
    assert claim.rejection_reason == "Cessation d'activité non prouvée"
    assert claim.decided_at is not None


def test_rate_change_after_approval_keeps_the_amount_and_flags_the_claim(bj):
    """A new CNSS-BJ version effective 01/02/2026 (the claim's start) with a base of 40 %: the
    approved 22,000 stays; the claim is flagged; a revision computes 40 + 14 = 54 % → 27,000,
    to be approved again."""
    claim = submitted(bj)
    delegate(bj, bj["approver"], 30000)
    claim_decisions.claim_approve(claim=claim, user=bj["approver"], on=APPROVAL_DAY)
    used = claim.liquidations.get().rule_version
    params = dict(used.parameters)
    params["rate"] = dict(params["rate"], base_percent="40")
    benefit_rule_version_add(
        organisation=bj["org"],
        kind="old_age",
        effective_from=dt.date(2026, 2, 1),
        parameters=params,
        source="test: décret fictif",
        provenance={"rate": {"source": "test: décret fictif"}},
        allow_backdated=True,
    )
    claim.refresh_from_db()
    approved = claim.liquidations.get()
    assert approved.monthly_amount == D(22000) and approved.frozen
    assert claim.status == ClaimStatus.APPROVED
    assert claim.review_reason.startswith("Nouvelle version de règle CNSS-BJ old_age 2026-02-01")
    # a revision is a new computation, submitted and approved again
    revision = claim_decisions.claim_revise(claim=claim, user=bj["officer2"])
    assert (revision.number, revision.monthly_amount, revision.rate) == (2, D(27000), D(54))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.COMPUTED
    assert Liquidation.unscoped.get(claim=claim, number=1).monthly_amount == D(22000)
    claims.claim_submit(claim=claim, user=bj["officer2"])
    claim_decisions.claim_approve(claim=claim, user=bj["approver"], on=APPROVAL_DAY)
    claim.refresh_from_db()
    assert claim.review_reason == "" and claim.status == ClaimStatus.APPROVED
    assert claims_selectors.approved_liquidation(claim).monthly_amount == D(27000)


def test_corrected_declaration_flags_the_approved_claim(bj):
    claim = submitted(bj)
    delegate(bj, bj["approver"], 30000)
    claim_decisions.claim_approve(claim=claim, user=bj["approver"], on=APPROVAL_DAY)
    assert claim_decisions.claims_flag_for_review(organisation=bj["org"]) == 0
    declare(bj["org"], bj["employer"], bj["person"], ["2024-05"], 80000, kind="corrective")
    assert claims_selectors.stale_reasons(claim) == [
        "Déclarations rectifiées ou ajoutées pour des périodes utilisées : 2024-05."
    ]
    out = io.StringIO()
    call_command("benefits_review", "--organisation", "cnss-bj", stdout=out)
    assert out.getvalue() == "1 demandes signalées pour réexamen\n"
    claim.refresh_from_db()
    assert claim.review_reason.endswith("2024-05.")
    assert claim.liquidations.get().monthly_amount == D(22000)
    assert claim_decisions.claims_flag_for_review(organisation=bj["org"]) == 0  # once


def test_a_proven_period_counts_in_the_next_computation(bj):
    """Three proven months (01–03/2010) fill the gap: 273 months → still 44 % (93 // 12 = 7)."""
    claim = computed(bj)
    for period in ("2010-01", "2010-02", "2010-03"):
        claims.claim_add_proven_period(
            claim=claim,
            period=period,
            gross_salary="50000",
            document_reference="Bulletins de paie SOBEBRA 2010",
            user=bj["officer"],
        )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.OPENED  # to be computed again
    refused(
        lambda: claims.claim_add_proven_period(
            claim=claim, period="2010-13", gross_salary="1", document_reference="", user=None
        ),
        "period",
        claim,
    )
    liq = claims.claim_compute(claim=claim, user=bj["officer"])
    assert (liq.number, liq.insured_months, liq.monthly_amount) == (2, 273, D(22000))
    assert liq.gaps == [{"start": "2010-01", "end": "2010-03", "months": 3}]  # declared gaps
    proven = [m for m in liq.inputs["months"] if m["source"] == "proven"]
    assert [m["period"] for m in proven] == ["2010-01", "2010-02", "2010-03"]


def test_survivors_claim_lists_spouses_and_children_and_who_qualifies(bj):
    """The deceased (no pension in payment) would have had 22,000 (270 months, 44 %). CNSS-BJ:
    spouses 50 % = 11,000, two widows married ≥ 2 years → 5,500 each; a wife married 2025 does
    not qualify (< 2 years); a divorced one is listed, not paid; orphans 10 % = 2,200 each
    under 21 (born 2010, 2012), the one born 2000 is 26. Total 11,000 + 4,400 = 15,400."""
    person = bj["person"]
    spouses = [
        ("Adjovi", "Rose", dt.date(1985, 6, 1), None),
        ("Dossou", "Pauline", dt.date(1995, 3, 1), None),
        ("Agossa", "Léa", dt.date(2025, 1, 10), None),
        ("Zinsou", "Marie", dt.date(1982, 1, 1), dt.date(1990, 1, 1)),
    ]
    for family, given, married, ended in spouses:
        dependant_add(
            person=person,
            data={
                "relationship": "spouse",
                "family_name": family,
                "given_names": given,
                "sex": "F",
                "marriage_date": married,
                "marriage_end_date": ended,
            },
        )
    for given, born in (
        ("Ayaba", dt.date(2010, 5, 2)),
        ("Koffi", dt.date(2012, 8, 9)),
        ("Sena", dt.date(2000, 1, 3)),
    ):
        dependant_add(
            person=person,
            data={
                "relationship": "child",
                "family_name": "Hounkpatin",
                "given_names": given,
                "sex": "M",
                "birth_date": born,
            },
        )
    claim = claims.claim_open(
        person=person,
        kind="survivors",
        claim_date=dt.date(2026, 1, 15),
        death_date=dt.date(2025, 12, 20),
        user=bj["officer"],
    )
    assert "death_certificate" in [d.code for d in claim.documents.all()]
    liq = claims.claim_compute(claim=claim, user=bj["officer"])
    rows = {
        (b.name, b.relationship): (b.qualifies, b.monthly_amount, b.reason)
        for b in liq.beneficiaries.all()
    }
    assert rows == {
        ("ADJOVI Rose", "spouse"): (True, D(5500), ""),
        ("DOSSOU Pauline", "spouse"): (True, D(5500), ""),
        ("AGOSSA Léa", "spouse"): (False, D(0), "mariage trop récent ou non daté"),
        ("ZINSOU Marie", "spouse"): (False, D(0), "mariage dissous avant le décès"),
        ("HOUNKPATIN Ayaba", "orphan"): (True, D(2200), ""),
        ("HOUNKPATIN Koffi", "orphan"): (True, D(2200), ""),
        ("HOUNKPATIN Sena", "orphan"): (False, D(0), "limite d'âge dépassée"),
    }
    assert (liq.eligible, liq.benefit, liq.monthly_amount) == (True, "survivors", D(15400))
    assert liq.start_date == dt.date(2026, 1, 1)
    assert liq.inputs["survivors"]["deceased_pension"] == "22000"


def test_open_refuses_bad_input_naming_the_field(bj):
    person = bj["person"]
    with pytest.raises(ValidationError) as exc:
        claims.claim_open(person=person, kind="pension", claim_date=dt.date(2030, 1, 1), user=None)
    assert list(exc.value.message_dict) == ["claim_date"]
    with pytest.raises(ValidationError) as exc:
        claims.claim_open(
            person=person, kind="survivors", claim_date=dt.date(2026, 1, 1), user=None
        )
    assert exc.value.message_dict["death_date"] == [
        "La date du décès est obligatoire pour une pension de survivants."
    ]
    assert Claim.unscoped.count() == 0
    computed(bj)
    with pytest.raises(ValidationError) as exc:
        claims.claim_open(person=person, kind="pension", claim_date=dt.date(2026, 1, 1), user=None)
    assert "déjà en cours" in exc.value.message_dict["kind"][0]
    assert Claim.unscoped.count() == 1


def test_delegation_benefit_kinds_are_checked(bj):
    from kafo.governance.models import Delegation

    before = Delegation.unscoped.count()
    for kind, kinds, reason in (
        ("payment", ["pension"], "ne s'indiquent que pour l'approbation des prestations"),
        ("benefit_approval", ["pension", "retraite"], "Prestation inconnue : retraite."),
    ):
        with pytest.raises(ValidationError) as exc:
            governance.delegation_grant(
                decision=bj["decision"],
                delegate=bj["approver"],
                kind=kind,
                amount_ceiling=D(1000),
                start_date=dt.date(2026, 2, 1),
                benefit_kinds=kinds,
            )
        assert reason in exc.value.message_dict["benefit_kinds"][0]
    assert Delegation.unscoped.count() == before
    d = delegate(bj, bj["approver"], 1000, kinds=["survivors", "survivors"])
    assert d.benefit_kinds == ["survivors"]


def test_periods_at_other_organisations_count_only_once_an_answer_communicated_them(bj, zone):
    """The zone index links the Benin record to a Togo record with 24 declared months: that
    link alone shows nothing of CNSS-TG's records (non-disclosure) and the CNSS-BJ formula counts
    its own 270 months (22,000). Once CNSS-TG's answer communicated the 24 months (2001-2002),
    they are shown and totalised: 294 months; theoretical 30 % + 2 % × ⌊114 ÷ 12⌋ = 48 % ×
    50,000 = 24,000; share 24,000 × 270 ÷ 294 = 22,040.8 → 22,041, higher than the independent
    22,000 (own months alone open the right: the higher of the two)."""
    from kafo.benefits.coordination import foreign_periods_record
    from kafo.identity.models import ZoneLink, ZonePerson

    tg = zone["CNSS-TG"]
    tg_employer = employer_register(organisation=tg, data={"legal_name": "SNPT", "risk_class": 1})
    tg_person = person_register(
        organisation=tg,
        data={
            "family_name": "Hounkpatin",
            "given_names": "Comlan",
            "sex": "M",
            "birth_date": dt.date(1960, 1, 15),
        },
    )
    declare(tg, tg_employer, tg_person, months("2001-01", "2002-12"), 90000)
    zp = ZonePerson.objects.create()
    for p in (bj["person"], tg_person):
        ZoneLink.objects.create(
            organisation=p.organisation, person=p, zone_person=zp, method="agent"
        )
    claim = computed(bj)
    liq = claim.liquidations.get()
    assert liq.inputs["elsewhere"] == []
    assert "coordination" not in liq.inputs
    assert (liq.insured_months, liq.monthly_amount) == (270, D(22000))
    foreign_periods_record(
        claim=claim,
        organisation=tg,
        months=months("2001-01", "2002-12"),
        reference="EX-CNSS-TG-000001",
        user=bj["officer"],
    )
    liq = claims.claim_compute(claim=claim, user=bj["officer"])
    assert liq.inputs["elsewhere"] == [
        {
            "organisation": "CNSS-TG",
            "months": 24,
            "spans": [{"start": "2001-01", "end": "2002-12", "months": 24}],
            "reference": "EX-CNSS-TG-000001",
        }
    ]
    assert (liq.insured_months, liq.monthly_amount, liq.benefit) == (294, D(22041), "pension")
    assert {k: liq.inputs["coordination"][k] for k in ("basis", "share", "prorata_amount")} == {
        "basis": "prorata",
        "share": "270/294",
        "prorata_amount": "22041",
    }
    assert [s.get("section") for s in liq.trace][-1] == "share"
    assert (liq.trace[-1]["formula"], liq.trace[-1]["result"]) == (
        "max(independent_amount, prorata)",
        "22041",
    )
    assert liq.inputs["months"][0]["period"] == "2003-04"
