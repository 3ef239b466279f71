"""Every indicator computed on a small fixture, with the expected numerator, denominator and
value worked out by hand in the comments; an organisation without any data gets no value.

Period computed: 2026-03 (first day S = 01/03/2026, last day E = 31/03/2026).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from kafo.benefits.models import Claim
from kafo.contributions.models import Declaration, DeclarationLine, LedgerEntry, PendingRegistration
from kafo.exchange.models import LiaisonMessage
from kafo.identity.models import ReviewItem
from kafo.payroll.models import (
    BenefitInPayment,
    DeathRecord,
    LifeCertificate,
    LifeCertificateCampaign,
    PayrollLine,
    PayrollRun,
)
from kafo.registry.models import Dependant, Employer, Person
from kafo.stats import selectors
from kafo.stats.compute import compute_all
from kafo.stats.models import ARREARS_AGES, Denominator, IndicatorValue, TopArrears

P = "2026-03"
D = Decimal
AGES = [band for band, _days in ARREARS_AGES]


def _at(day: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(day + " 12:00"))


def _employer(org, n, sector, city):
    return Employer.objects.create(
        organisation=org,
        number=f"E{n}",
        legal_name=f"Employeur {n}",
        sector=sector,
        city=city,
        status="active",
        status_since=dt.date(2020, 1, 1),
        registered_on=dt.date(2020, 1, 1),
    )


def _person(org, n, birth, *, nid="", phone="", registered="2020-01-01"):
    return Person.objects.create(
        organisation=org,
        number=f"P{n}",
        family_name=f"NOM{n}",
        given_names="Awa",
        sex="F",
        birth_date=dt.date.fromisoformat(birth),
        national_id=nid,
        phone=phone,
        registered_on=dt.date.fromisoformat(registered),
    )


def _declaration(org, employer, period, persons, *, status="in_force", unknown=0, workforce=40):
    decl = Declaration.objects.create(
        organisation=org,
        employer=employer,
        period=period,
        status=status,
        file_hash=f"{employer.pk}-{period}-{status}",
        channel="web",
        submitted_at=_at("2026-04-10"),
        rules_on=dt.date(2026, 3, 1),
        line_count=workforce,  # from 20 workers a monthly filer (collection's default rule)
    )
    lines = [(p.pk, p.family_name) for p in persons] + [(None, "INCONNU")] * unknown
    DeclarationLine.objects.bulk_create(
        DeclarationLine(
            organisation=org,
            declaration=decl,
            line_no=i + 1,
            person_id=pid,
            family_name=name,
            given_names="X",
            days_worked=26,
            gross_salary=100000,
        )
        for i, (pid, name) in enumerate(lines)
    )
    return decl


def _entry(org, employer, kind, due, amount, period=""):
    LedgerEntry.objects.create(
        organisation=org,
        employer=employer,
        kind=kind,
        period=period,
        due_date=dt.date.fromisoformat(due),
        amount=amount,
        label=kind,
    )


def _benefit(org, person, kind, start, status="in_payment", since="2025-01-01", dependant=None):
    return BenefitInPayment.objects.create(
        organisation=org,
        person=person,
        dependant=dependant,
        payee_name="Bénéficiaire",
        kind=kind,
        frequency="monthly",
        timing="arrears",
        start_date=dt.date.fromisoformat(start),
        status=status,
        status_since=dt.date.fromisoformat(since),
        status_reason="start",
        channel="cash",
        created_at=_at("2025-01-01"),
    )


@pytest.fixture
def fixture(zone, make_user):
    org = zone["INPS-ML"]
    user = make_user(org, "director")
    # Labour force entered by the zone administrator for 2025: the latest year ≤ 2026, so it
    # wins over the seeded 2022 figure. Children 0-14 for the family coverage.
    Denominator.objects.create(
        country_id="ML", kind="labour_force", year=2025, value=20, source="saisie test"
    )
    Denominator.objects.create(
        country_id="ML", kind="children_0_14", year=2024, value=4, source="saisie test"
    )
    e1 = _employer(org, 1, "Commerce", "Bamako")
    e2 = _employer(org, 2, "BTP", "Kayes")
    e3 = _employer(org, 3, "Commerce", "Bamako")  # never declares: a non-filer of Q1
    p1 = _person(org, 1, "1980-05-01", nid="ML1", phone="+22370000001")
    p2 = _person(org, 2, "1985-05-01", nid="ML2")
    p3 = _person(org, 3, "1990-05-01", phone="+22370000003")
    p4 = _person(org, 4, "1960-01-01", nid="ML4")  # 66 on E: past pension age
    p5 = _person(org, 5, "1975-05-01")  # dies on 10/02/2026
    _person(org, 6, "1992-05-01", registered="2026-04-05")  # registered after E
    p7 = _person(org, 7, "1995-05-01", registered="2021-06-01")  # registered, never declared
    DeathRecord.objects.create(
        organisation=org,
        person=p5,
        death_date=dt.date(2026, 2, 10),
        source="état civil",
        recorded_at=_at("2026-02-20"),
    )
    # Declarations: E1 monthly (P1, P2, one unknown worker), E2 the quarter (P2, P3);
    # E1's superseded February declaration (P4) counts for nothing.
    _declaration(org, e1, P, [p1, p2], unknown=1)
    _declaration(org, e2, "2026-Q1", [p2, p3], workforce=2)
    _declaration(org, e1, "2026-02", [p4], status="superseded")
    # Employer account.
    _entry(org, e1, "contribution", "2025-06-15", 40000, "2025-05")
    _entry(org, e1, "payment", "2025-06-20", -40000)
    _entry(org, e1, "contribution", "2026-03-15", 100000, "2026-02")
    _entry(org, e1, "payment", "2026-03-20", -60000)
    _entry(org, e1, "penalty", "2026-03-31", 5000, "2026-02")
    _entry(org, e2, "contribution", "2026-03-15", 50000, "2025-Q4")
    _entry(org, e2, "payment", "2026-03-10", -70000)  # a credit of 20 000: offsets nobody
    _entry(org, e3, "assessment", "2026-01-15", 30000, "2025-Q4")
    # Claims: decided in March after 68, 124 and 20 days; one still open.
    for opened, decided in [
        ("2026-01-01", "2026-03-10"),
        ("2025-11-01", "2026-03-05"),
        ("2026-03-01", "2026-03-21"),
        ("2026-03-01", None),
    ]:
        Claim.objects.create(
            organisation=org,
            person=p4,
            kind="pension",
            claim_date=dt.date.fromisoformat(opened),
            status="approved" if decided else "opened",
            opened_at=_at(opened),
            decided_at=_at(decided) if decided else None,
        )
    # Benefits in payment on E.
    b1 = _benefit(org, p4, "pension", "2025-01-01")
    _benefit(org, p5, "survivor", "2026-03-01")
    _benefit(org, p4, "pension", "2025-01-01", "stopped", "2026-01-10")  # stopped before E
    b4 = _benefit(org, p7, "orphan", "2025-06-01", "suspended", "2026-04-10")  # after E
    _benefit(org, p1, "pension", "2025-01-01", "suspended", "2026-02-01")  # suspended on E
    child = Dependant.objects.create(
        organisation=org,
        person=p1,
        relationship="child",
        family_name="NOM1",
        given_names="Enfant",
        sex="M",
        birth_date=dt.date(2018, 1, 1),
    )
    _benefit(org, p1, "family_allowance", "2025-01-01", dependant=child)
    _benefit(org, p1, "family_allowance", "2026-04-01", dependant=child)  # starts after E
    campaign = LifeCertificateCampaign.objects.create(
        organisation=org,
        year=2025,
        window_start=dt.date(2025, 1, 1),
        window_end=dt.date(2025, 12, 31),
        grace_end=dt.date(2026, 1, 31),
    )
    for benefit, received in [(b1, "2025-12-01"), (b4, "2025-02-01")]:
        LifeCertificate.objects.create(
            organisation=org,
            campaign=campaign,
            benefit=benefit,
            issued_on=dt.date.fromisoformat(received),
            received_on=dt.date.fromisoformat(received),
            source="agent",
            issuer="Mairie",
            recorded_at=_at(received),
        )
    benefits = list(BenefitInPayment.objects.order_by("pk"))
    # Payroll: a frozen run of March (4 lines, 1 rejected); a cancelled one ignored.
    runs = [("frozen", ["paid", "paid", "failed", "pending"]), ("cancelled", ["failed"])]
    for status, lines in runs:
        run = PayrollRun.objects.create(
            organisation=org,
            period_start=dt.date(2026, 3, 1),
            status=status,
            prepared_by=user,
            prepared_at=_at("2026-03-25"),
        )
        for i, line_status in enumerate(lines):
            PayrollLine.objects.create(
                organisation=org,
                run=run,
                benefit=benefits[i],
                period_from=dt.date(2026, 3, 1),
                period_to=dt.date(2026, 3, 31),
                month_count=1,
                regular=1000,
                arrears=0,
                gross=1000,
                deductions=0,
                net=1000,
                channel="cash",
                payee_name="X",
                reference=f"{status}-{i}",
                status=line_status,
            )
    # Registry: pending registrations and review items, dated.
    decl = Declaration.objects.filter(employer=e1).first()
    for n, (status, created) in enumerate(
        [("open", "2026-03-10"), ("resolved", "2026-03-11"), ("open", "2026-04-02")]
    ):
        pr = PendingRegistration.objects.create(
            organisation=org,
            identity=f"n:{n}",
            employer=e1,
            first_declaration=decl,
            family_name="X",
            given_names="Y",
            status=status,
        )
        PendingRegistration.objects.filter(pk=pr.pk).update(created_at=_at(created))
    for person, status, created in [(p1, "pending", "2026-03-15"), (p2, "merged", "2026-03-01")]:
        ReviewItem.objects.create(
            organisation=org,
            person=person,
            other_person=p7,
            other_organisation_code="INPS-ML",
            weight=5.0,
            status=status,
            created_at=_at(created),
        )
    # Liaison: received from CNPS-CI, pending past its deadline on E (P1), not yet due (P2),
    # answered (P3); one sent to CNPS-CI that CNPS-CI is late on is not INPS-ML's delay.
    other = zone["CNPS-CI"]
    for n, (person, direction, status, deadline) in enumerate(
        [
            (p1, "incoming", "pending", "2026-03-20"),
            (p2, "incoming", "pending", "2026-04-05"),
            (p3, "incoming", "approved", "2026-03-01"),
            (p1, "outgoing", "pending", "2026-03-01"),
        ]
    ):
        outgoing = direction == "outgoing"
        LiaisonMessage.objects.create(
            organisation=org,
            direction=direction,
            sender=org if outgoing else other,
            recipient=other if outgoing else org,
            reference=f"EX-{n}",
            person=person,
            purpose="old_age",
            status=status,
            deadline=dt.date.fromisoformat(deadline),
            created_at=_at("2026-02-01"),
        )
    return org


def _v(code, org, period=P, breakdown="", bvalue=""):
    row = IndicatorValue.objects.get(
        indicator__code=code,
        organisation=org,
        period=period,
        breakdown=breakdown,
        breakdown_value=bvalue,
    )
    return row.numerator, row.denominator, row.value


# (code, numerator, denominator, value) for INPS-ML in 2026-03, worked out by hand.
EXPECTED = [
    # P1, P2 (E1's March), P2, P3 (E2's Q1): 3 persons; labour force 2025 = 20
    ("coverage_active", D(3), D(20), D("0.15")),
    # registered by E, alive, under 60: P1, P2, P3, P7 (P4 too old, P5 dead, P6 later)
    ("coverage_registered", D(4), D(20), D("0.2")),
    # old-age pensions in payment on E: B1 (P4); no population of pension age yet
    ("old_age_pension_coverage", D(1), None, None),
    # one child with an allowance in payment on E / 4 children
    ("family_benefit_coverage", D(1), D(4), D("0.25")),
    # collected in March 60 000 + 70 000 / due in March 100 000 + 50 000
    ("collection_rate", D(130000), D(150000), D("0.866667")),
    # debit balances on E: E1 45 000 + E3 30 000 (E2's credit ignored) / 12 months' dues
    # 40 000 + 100 000 + 50 000 + 30 000
    ("arrears_ratio", D(75000), D(220000), D("0.340909")),
    # 75 000 / (220 000 / 12)
    ("arrears_months", D(75000), D("18333.33"), D("4.090909")),
    # E1 (March) and E2 (Q1, owed with March) / those 2 + E3 (non-filer of Q1)
    ("declaration_compliance", D(2), D(3), D("0.666667")),
    # delays 68, 124, 20: median 68
    ("liquidation_days_median", None, D(3), D(68)),
    ("liquidation_days_mean", D(212), D(3), D("70.666667")),
    ("liquidation_within_90", D(2), D(3), D("0.666667")),
    # B1, the survivor's (from 01/03), B4 (suspended only after E)
    ("pensions_in_payment", D(3), None, D(3)),
    ("allowances_in_payment", D(1), None, D(1)),
    # 3 active contributors / 3 pensions
    ("demographic_ratio", D(3), D(3), D(1)),
    # frozen run: 1 rejected of 4 lines
    ("payment_failure_rate", D(1), D(4), D("0.25")),
    # B1, B2, B4, the suspended one: only B1 has a certificate received within 365 days
    ("life_certificate_compliance", D(1), D(4), D("0.25")),
    # registered by E: P1, P2, P3, P4, P5, P7; national id: P1, P2, P4; phone: P1, P3
    ("registry_national_id", D(3), D(6), D("0.5")),
    ("registry_phone", D(2), D(6), D("0.333333")),
    # open and created by E: 1 (one resolved, one created in April)
    ("pending_registrations", D(1), None, D(1)),
    ("review_queue", D(1), None, D(1)),
    # received, pending, deadline 20/03 before E; the one due 05/04 and the answered one not
    ("liaison_overdue", D(1), None, D(1)),
]


@pytest.mark.parametrize(("code", "num", "den", "value"), EXPECTED, ids=[e[0] for e in EXPECTED])
def test_indicator_by_hand(fixture, code, num, den, value):
    compute_all([P])

    assert _v(code, fixture) == (num, den, value)


def test_every_indicator_has_a_hand_computed_test():
    from kafo.stats.compute_reference import indicator_definitions

    assert {d["code"] for d in indicator_definitions()} == {e[0] for e in EXPECTED}


def test_organisation_without_data_has_no_value(fixture, zone):
    compute_all([P])

    empty = zone["IPRES-SN"]
    rows = IndicatorValue.objects.filter(organisation=empty, period=P, breakdown="")
    assert rows.count() == len(EXPECTED)
    assert list(rows.exclude(value=None).values_list("indicator__code", flat=True)) == []
    # Senegal's seeded labour force is there, the organisation has nobody: still no value.
    assert _v("coverage_active", empty) == (None, D(5198745), None)
    table = selectors.indicator_table(empty, [P])
    assert [c.has_data for row in table for c in row.cells] == [False] * len(EXPECTED)


def test_breakdowns_by_sector_and_region(fixture):
    compute_all([P])

    # Commerce: E1 and E3. Due in March 100 000, paid 60 000.
    assert _v("collection_rate", fixture, P, "sector", "Commerce") == (
        D(60000),
        D(100000),
        D("0.6"),
    )
    # Kayes: E2 alone, a credit balance: no arrears out of 50 000 due over the year.
    assert _v("arrears_ratio", fixture, P, "region", "Kayes") == (D(0), D(50000), D(0))
    # Commerce arrears: 75 000 / (40 000 + 100 000 + 30 000)
    assert _v("arrears_ratio", fixture, P, "sector", "Commerce")[2] == D("0.441176")


def test_zone_totals(fixture):
    compute_all([P])

    # Only INPS-ML has data: the zone equals it; Senegal's labour force not added in.
    assert _v("coverage_active", None) == (D(3), D(20), D("0.15"))
    assert _v("pensions_in_payment", None) == (D(3), None, D(3))
    assert _v("liquidation_days_median", None) == (None, D(3), D(68))
    assert _v("collection_rate", None) == (D(130000), D(150000), D("0.866667"))


def test_compute_is_idempotent(fixture):
    compute_all([P])
    first = sorted(
        IndicatorValue.objects.values_list(
            "indicator__code", "organisation", "breakdown", "breakdown_value", "value"
        ),
        key=str,
    )
    compute_all([P])

    second = sorted(
        IndicatorValue.objects.values_list(
            "indicator__code", "organisation", "breakdown", "breakdown_value", "value"
        ),
        key=str,
    )
    assert len(second) > len(EXPECTED) * 10
    assert second == first


def test_command_computes_the_months_asked(fixture):
    call_command("stats_compute", "--months", "2", "--until", P)

    assert sorted(IndicatorValue.objects.values_list("period", flat=True).distinct()) == [
        "2026-02",
        P,
    ]


def test_command_refuses_a_bad_period(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--period : période invalide « 2026-13 »"):
        call_command("stats_compute", "--period", "2026-13")
    assert IndicatorValue.objects.count() == 0


def test_arrears_by_age_and_the_employers_owing_most(fixture):
    compute_all([P])

    # E1 owes 45 000 on E: its most recent debits, the penalty of 31/03 (5 000, 0 days) and
    # 40 000 of the contribution of 15/03 (16 days); E3 the assessment of 15/01 (75 days).
    assert [_v("arrears_ratio", fixture, P, "age", band) for band in AGES] == [
        (D(45000), D(220000), D("0.204545")),
        (D(30000), D(220000), D("0.136364")),
        (D(0), D(220000), D(0)),
        (D(0), D(220000), D(0)),
    ]
    top = TopArrears.unscoped.filter(organisation=fixture, period=P)
    assert list(top.values_list("rank", "employer__number", "balance")) == [
        (1, "E1", D(45000)),
        (2, "E3", D(30000)),
    ]


def test_arrears_age_bands_over_two_months(fixture, zone):
    org = zone["CNPS-CI"]
    big = _employer(org, 9, "BTP", "Abidjan")
    for due, amount in [
        ("2025-06-15", 10000),  # 289 days on 31/03, 258 on 28/02: older than 180 days
        ("2025-11-15", 20000),  # 136 / 105 days
        ("2026-02-15", 30000),  # 44 / 13 days
        ("2026-03-15", 40000),  # 16 days on 31/03
        ("2026-04-15", 7000),  # due after both months: not owed yet
    ]:
        _entry(org, big, "contribution", due, amount)
    # paid 5 000 on 20/03: the oldest debt first (June's)
    _entry(org, big, "payment", "2026-03-20", -5000)

    compute_all(["2026-02", P])

    def ages(period):
        return [_v("arrears_ratio", org, period, "age", b)[0] for b in AGES]

    # 28/02: 60 000 owed = 30 000 (13 d) + 20 000 (105 d) + 10 000 (258 d)
    assert ages("2026-02") == [D(30000), D(0), D(20000), D(10000)]
    # 31/03: 95 000 owed = 40 000 (16 d) + 30 000 (44 d) + 20 000 (136 d) + 5 000 of June's
    assert ages(P) == [D(40000), D(30000), D(20000), D(5000)]
    assert _v("arrears_ratio", org, P)[0] == D(95000)
    assert list(
        TopArrears.unscoped.filter(organisation=org).values_list("period", "rank", "balance")
    ) == [("2026-02", 1, D(60000)), (P, 1, D(95000))]
    # a second run replaces the top employers, never adds to them
    compute_all(["2026-02", P])
    assert TopArrears.unscoped.filter(organisation=org).count() == 2
