"""Properties of the old-age computation under every seeded rule version.

- More insured months never lower the amount under the same rules: months added before the
  last month of the career (earlier years, or gaps filled) never lower a pension, and never
  take away a benefit. (A later month can: the last-N-months average moves with the end of the
  career, which is the law's formula, so the property is stated for months added before it.
  Lump sums and allowances are not compared: "average salary × complete years" falls when an
  added month has a low salary, which is the formula too.)
- The trace recomputes: every step re-evaluates to its result from its recorded numbers, each
  named input is the result of the earlier step of that name, and the last step is the amount.
"""

import datetime as dt
from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kafo.benefits.domain.career import CareerLine, period_index, period_of
from kafo.benefits.domain.pension import EARLY_PENSION, PENSION, Claimant, compute_old_age
from kafo.benefits.rules_file import load_reference

from .test_worked_examples import assert_trace_recomputes

ON = dt.date(2026, 6, 15)
VERSIONS = [e for e in load_reference() if e.valid_from <= ON]
LAST = period_index("2026-05")
FIRST = period_index("2000-01")
PENSIONS = (PENSION, EARLY_PENSION)
# Widely spread levels, so that an added month moves an average (0: a month paid nothing).
SALARIES = (0, 1_000, 60_000, 400_000, 5_000_000)  # IPRES-SN's point prices start in 2000


@st.composite
def careers(draw):
    entry = draw(st.sampled_from(VERSIONS))
    rules = entry.rules()
    n = draw(st.integers(min_value=60, max_value=LAST - FIRST))  # mostly long enough
    end = draw(st.integers(min_value=FIRST + n - 1, max_value=LAST))
    months = range(end - n + 1, end + 1)
    rnd = draw(st.randoms(use_true_random=False))  # per-month values: fast to draw

    level = rnd.choice(SALARIES[1:])

    def line(i):
        days = None if rnd.random() < 0.2 else rnd.randint(12, 31)
        return CareerLine(
            rules.organisation,
            period_of(i),
            D(level if rnd.random() < 0.7 else rnd.choice(SALARIES)),
            days,
        )

    present = [rnd.random() < 0.85 for _ in months]
    present[-1] = True
    lines = [line(i) for i, keep in zip(months, present, strict=True) if keep]
    missing = [i for i, keep in zip(months, present, strict=True) if not keep]
    missing += list(range(FIRST, end - n + 1))
    extra = [line(i) for i in missing if rnd.random() < 0.5]
    birth = dt.date(draw(st.integers(1955, 1972)), draw(st.integers(1, 12)), 1)
    claimant = Claimant(
        birth,
        draw(st.sampled_from(["F", "M"])),
        children_born=draw(st.integers(0, 8)),
        dependent_children=draw(st.integers(0, 8)),
        category=draw(st.sampled_from([None, *rules.age.by_category])),
    )
    return rules, lines, extra, claimant


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(careers())
def test_more_insured_months_never_lower_the_amount(case):
    rules, lines, extra, claimant = case
    fewer = compute_old_age(rules, lines, claimant, on=ON)
    more = compute_old_age(rules, lines + extra, claimant, on=ON)
    assert more.insured_months >= fewer.insured_months
    if fewer.benefit in PENSIONS and more.benefit in PENSIONS:
        assert more.amount >= fewer.amount
    if fewer.benefit != "none":
        assert more.benefit != "none"
    if fewer.benefit == PENSION:
        assert more.benefit == PENSION
    for result in (fewer, more):
        assert_trace_recomputes(result.trace, result.amount if result.eligible else None)
        if result.eligible:
            assert result.amount == result.amount.to_integral_value()


def test_a_stored_trace_writes_whole_amounts_without_an_exponent():
    """The trace stored with a claim and answered by the API is read by people: 22000, not
    2.2E+4 (Decimal.normalize's form)."""
    from decimal import Decimal

    from kafo.benefits.domain.trace import _plain

    assert _plain(Decimal("22000")) == "22000"
    assert _plain(Decimal("2.2E+4")) == "22000"
    assert _plain(Decimal("0.4400")) == "0.44"
    assert _plain([Decimal("150000.00"), {"rate": Decimal("47.0")}]) == ["150000", {"rate": "47"}]
