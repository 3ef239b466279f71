"""The set-based liquidation (kafo/benefits/bulk.py) answers what compute_old_age answers.

Careers are generated from a seeded random generator (reproducible, varied: gaps, months under
the days threshold, unpaid months, two employers in a month, lines without days, quarterly
lines, lines after the claim date, salaries above the ceilings, claimants too young, early,
with a short career, women with children, categories), then liquidated both ways under every
rule version of the reference file (the versions the seed stores) of each organisation.
"""

import datetime as dt
import random
from decimal import Decimal as D

import polars as pl
import pytest

from kafo.benefits.bulk import (
    Claim,
    career_lines_of,
    claims_frame,
    liquidate_frame,
    set_based_refusal,
)
from kafo.benefits.domain.career import period_of
from kafo.benefits.domain.pension import Claimant, compute_old_age
from kafo.benefits.rules_file import load_reference

ENTRIES = load_reference()


def versions_of(org):
    return sorted(
        (
            (e.valid_from, e.rules())
            for e in ENTRIES
            if e.organisation == org and e.kind == "old_age"
        ),
        key=lambda v: v[0],
    )


def in_force(versions, on):
    found = [r for start, r in versions if start <= on]
    return found[-1] if found else None


SALARIES = (0, 25_000, 41_875, 60_000, 180_000, 432_000, 900_000, 4_000_000)


def generate(rnd: random.Random, org: str, n: int, first_year: int = 1900):
    """n claims of n persons (a few persons claim twice): (claims, line rows); no line before
    `first_year`."""
    rules = versions_of(org)[-1][1]
    categories = [None, "X", *rules.age.by_category]
    rows, claims = [], []
    for p in range(1, n + 1):
        on = dt.date(rnd.randint(2017, 2027), rnd.randint(1, 12), rnd.randint(1, 28))
        end = on.year * 12 + on.month - 1 + rnd.choice((-30, -1, 0, 0, 2))  # some after `on`
        length = rnd.choice((0, 8, 30, 70, 150, 175, 185, 230, 300, 360, 420, 420, 420))
        level = rnd.choice(SALARIES[1:])
        for i in range(end - length + 1, end + 1):
            if rnd.random() < 0.1 or i < first_year * 12:
                continue  # a gap
            salary = level if rnd.random() < 0.7 else rnd.choice(SALARIES)
            days = None if rnd.random() < 0.1 else rnd.choice((rnd.randint(0, 17), 26, 30, 30, 31))
            rows.append((p, period_of(i), salary, days))
            if rnd.random() < 0.03:  # a second employer that month
                rows.append((p, period_of(i), rnd.choice(SALARIES), rnd.randint(0, 20)))
        year = (end - length) // 12 - 1
        if rnd.random() < 0.1 and year >= first_year:  # a quarter before the monthly lines
            rows.append((p, f"{year}-Q{rnd.randint(1, 4)}", rnd.choice(SALARIES) * 3, 70))
        birth = dt.date(on.year - rnd.randint(52, 66), rnd.randint(1, 12), rnd.randint(1, 28))
        if rnd.random() < 0.05:
            birth = dt.date(on.year - rnd.randint(50, 62), on.month, on.day)  # birthday
        claimant = Claimant(
            birth,
            rnd.choice(("F", "M", None)),
            children_born=rnd.randint(0, 7),
            dependent_children=rnd.randint(0, 5),
            category=rnd.choice(categories),
        )
        claims.append(Claim(p, on, claimant))
        if rnd.random() < 0.05:  # the same person, a year later
            later = on.replace(year=on.year + 1)
            claims.append(Claim(p, later, claimant))
    return claims, rows


def lines_frame(rows):
    return pl.DataFrame(
        rows,
        schema={
            "person_id": pl.Int64,
            "period": pl.Utf8,
            "gross_salary": pl.Int64,
            "days_worked": pl.Int64,
        },
        orient="row",
    )


def expected(org, claims, rows):
    versions = versions_of(org)
    by_person = {}
    for p, period, salary, days in rows:
        by_person.setdefault(p, []).append((period, salary, days))
    out = []
    for c in claims:
        rules = in_force(versions, c.on)
        if rules is None:
            out.append(None)
            continue
        career = career_lines_of(org, by_person.get(c.person_id, []))
        out.append(compute_old_age(rules, career, c.claimant, on=c.on))
    return out


def assert_same(org, claims, rows, got):
    want = expected(org, claims, rows)
    assert got.height == len(claims)
    for c, w, g in zip(claims, want, got.iter_rows(named=True), strict=True):
        where = (org, c, g)
        if w is None:
            assert (g["path"], g["benefit"], g["eligible"]) == ("no_rule", "none", False), where
            continue
        assert g["person_id"] == c.person_id and g["on"] == c.on, where
        assert g["rules_version"] == w.rules_version, where
        assert g["eligible"] == w.eligible, where
        assert g["benefit"] == w.benefit, where
        assert g["monthly_amount"] == w.monthly_amount, where
        assert g["lump_sum_amount"] == w.lump_sum_amount, where
        assert g["insured_months"] == w.insured_months, where
        assert g["reference_salary"] == w.reference_salary, where
        assert g["rate"] == w.rate, where
        assert (g["age"], g["normal_age"]) == (w.age, w.normal_age), where


@pytest.mark.parametrize(
    ("org", "seed", "n"),
    [
        ("INPS-ML", 13, 220),
        ("CNSS-BJ", 14, 220),
        ("CNPS-CM", 15, 180),
        ("CNPS-CI", 16, 180),  # two versions: 2016 and the October 2025 reform
        ("CNSS-BF", 17, 120),
    ],
)
def test_set_based_equals_compute_old_age(org, seed, n):
    claims, rows = generate(random.Random(seed), org, n)
    got = liquidate_frame(
        lines=lines_frame(rows), claims=claims_frame(claims), versions=versions_of(org)
    )
    assert set(got["path"]) <= {"set", "no_rule"}
    benefits = set(got["benefit"])
    # the generator reaches every branch of these rules
    assert {"pension", "early_pension", "none"} <= benefits, benefits
    assert_same(org, claims, rows, got)


def test_every_branch_is_reached_across_organisations():
    """The comparison above is not vacuous: across the organisations, every kind of answer."""
    seen = set()
    for org, seed in (("INPS-ML", 13), ("CNSS-BJ", 14), ("CNPS-CM", 15)):
        claims, rows = generate(random.Random(seed), org, 220)
        got = liquidate_frame(
            lines=lines_frame(rows), claims=claims_frame(claims), versions=versions_of(org)
        )
        seen |= set(got["benefit"])
        assert got.filter(pl.col("monthly_amount").is_not_null()).height > 40
    assert seen == {"pension", "early_pension", "old_age_allowance", "lump_sum", "none"}


def test_points_scheme_falls_back_to_the_per_claim_function():
    """IPRES-SN's points are not computed set-based: its claims go through compute_old_age."""
    claims, rows = generate(random.Random(18), "IPRES-SN", 60, first_year=2000)
    versions = versions_of("IPRES-SN")
    assert set_based_refusal(versions[-1][1]) == "points"
    got = liquidate_frame(lines=lines_frame(rows), claims=claims_frame(claims), versions=versions)
    assert set(got["path"]) <= {"per_claim", "no_rule"}
    assert "per_claim" in set(got["path"])
    assert_same("IPRES-SN", claims, rows, got)


def test_a_rule_error_answers_that_claim_alone():
    """IPRES-SN has no point price before 2000: a career from 1994 cannot be computed; that
    claim says why, the others are liquidated."""
    claimant = Claimant(dt.date(1960, 1, 1), "M")
    claims = [Claim(1, dt.date(2024, 1, 1), claimant), Claim(2, dt.date(2024, 1, 1), claimant)]
    rows = [(1, period_of(1994 * 12 + i), 300_000, 30) for i in range(300)]
    rows += [(2, period_of(2001 * 12 + i), 300_000, 30) for i in range(250)]
    got = liquidate_frame(
        lines=lines_frame(rows), claims=claims_frame(claims), versions=versions_of("IPRES-SN")
    )
    assert got["path"].to_list() == ["per_claim", "per_claim"]
    assert got["error"].to_list() == [
        "points.price_by_year : aucune valeur pour l'année 1994 ni avant",
        None,
    ]
    assert got["benefit"].to_list() == ["none", "pension"]


def test_a_claim_before_any_rule_version_gets_no_answer():
    claimant = Claimant(dt.date(1940, 1, 1), "M")
    claims = [Claim(1, dt.date(1999, 12, 31), claimant), Claim(1, dt.date(2020, 1, 1), claimant)]
    rows = [(1, period_of(1990 * 12 + i), 100_000, 30) for i in range(300)]
    got = liquidate_frame(
        lines=lines_frame(rows), claims=claims_frame(claims), versions=versions_of("CNSS-BJ")
    )
    assert got["path"].to_list() == ["no_rule", "set"]
    assert got["benefit"].to_list() == ["none", "pension"]


def test_the_official_cnss_bj_example_set_based():
    """cnss.bj: 270 months, average 50,000 over the last 60 → 30 % + 2 % × 7 = 44 % → 22,000;
    the same at 58 (2 years early, -5 % a year) → 19,800."""
    rows = [(p, period_of(2000 * 12 + i), 50_000, 26) for p in (1, 2) for i in range(270)]
    last = 2000 * 12 + 269
    on = dt.date(last // 12, last % 12 + 1, 28)
    claims = [
        Claim(1, on, Claimant(dt.date(on.year - 60, 1, 1), "M")),
        Claim(2, on, Claimant(dt.date(on.year - 58, 1, 1), "M")),
    ]
    got = liquidate_frame(
        lines=lines_frame(rows), claims=claims_frame(claims), versions=versions_of("CNSS-BJ")
    )
    assert got.select("benefit", "monthly_amount", "insured_months", "reference_salary").rows() == [
        ("pension", 22_000, 270, 50_000),
        ("early_pension", 19_800, 270, 50_000),
    ]
    assert got["rate"].to_list() == [D("44"), D("44")]


def test_quarterly_lines_are_spread_over_their_three_months():
    """A third of the salary to the nearest franc and of the days rounded down on the first two
    months, the rest on the third (as kafo/benefits/retirement.py spreads them)."""
    lines = career_lines_of("CNSS-BJ", [("2024-Q2", D(100_001), 70), ("2024-07", D(5), None)])
    assert [(x.period, x.gross_salary, x.days_worked) for x in lines] == [
        ("2024-04", D(33_334), 23),
        ("2024-05", D(33_334), 23),
        ("2024-06", D(33_333), 24),
        ("2024-07", D(5), None),
    ]


def test_cnps_cm_coverage_and_recent_months_agree_set_based():
    """CNPS-CM's two further conditions (20 years of coverage, 60 months in the last 10 years)
    are computed set-based as compute_old_age computes them, on either side of each limit."""
    rows, claims = [], []
    on = dt.date(2026, 1, 15)
    claim_month = on.year * 12 + on.month - 1
    # (months of career, months between its end and the claim)
    shapes = [(300, 0), (300, 59), (300, 60), (300, 61), (240, 0), (239, 0), (200, 70), (400, 150)]
    for p, (length, idle) in enumerate(shapes, start=1):
        end = claim_month - 1 - idle
        rows += [(p, period_of(i), 200_000, 26) for i in range(end - length + 1, end + 1)]
        claims.append(Claim(p, on, Claimant(dt.date(1965, 11, 3), "M")))
    got = liquidate_frame(
        lines=lines_frame(rows), claims=claims_frame(claims), versions=versions_of("CNPS-CM")
    )
    assert set(got["path"]) == {"set"}
    assert_same("CNPS-CM", claims, rows, got)
    benefits = list(got["benefit"])
    assert "pension" in benefits and any(b != "pension" for b in benefits), benefits
