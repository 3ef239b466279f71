"""The payroll run's computation (kafo/payroll/domain/run.py), values computed by hand."""

import datetime as dt
from fractions import Fraction

import polars as pl

from kafo.payroll.domain.run import Period, check, compute, month_index

D = dt.date
MAR = month_index(D(2026, 3, 1))
HORIZON = month_index(D(2025, 1, 1))


def benefits(*rows):
    """rows: (id, status, start, end, death, channel, last_paid[, beneficiary_key])"""
    return pl.DataFrame(
        [
            {
                "benefit_id": r[0],
                "beneficiary_key": r[7] if len(r) > 7 else f"b{r[0]}",
                "status": r[1],
                "start_date": r[2],
                "end_date": r[3],
                "death_date": r[4],
                "channel": r[5],
                "last_paid": r[6],
            }
            for r in rows
        ]
    )


def amounts(*rows):
    return pl.DataFrame(
        [{"benefit_id": b, "effective_from": f, "monthly_amount": a} for b, f, a in rows]
    )


def line(computed, bid):
    rows = computed.lines.filter(pl.col("benefit_id") == bid).to_dicts()
    assert len(rows) == 1, rows
    return rows[0]


def test_regular_month_then_the_same_period_again_pays_nothing():
    b = benefits((1, "in_payment", D(2025, 1, 1), None, None, "bank", MAR - 1))
    a = amounts((1, D(2025, 1, 1), 60_000))
    first = compute(b, a, Period(MAR), horizon=HORIZON)
    got = line(first, 1)
    assert (got["regular"], got["arrears"], got["gross"], got["net"]) == (60_000, 0, 60_000, 60_000)
    assert (got["period_from"], got["period_to"], got["month_count"]) == (MAR, MAR, 1)
    # once March is paid, last_paid is March: a second run of March finds nothing due
    again = compute(b.with_columns(pl.lit(MAR).alias("last_paid")), a, Period(MAR), horizon=HORIZON)
    assert again.lines.height == 0
    assert again.totals.height == 0


def test_resumption_after_suspension_pays_the_suspended_months_as_arrears():
    # paid through December 2025, suspended January and February, resumed in March
    b = benefits((1, "in_payment", D(2020, 1, 1), None, None, "bank", MAR - 3))
    a = amounts((1, D(2020, 1, 1), 60_000))
    got = line(compute(b, a, Period(MAR), horizon=HORIZON), 1)
    assert (got["regular"], got["arrears"], got["gross"]) == (60_000, 120_000, 180_000)
    assert (got["period_from"], got["month_count"]) == (MAR - 2, 3)
    # still suspended: nothing, the months wait
    suspended = b.with_columns(pl.lit("suspended").alias("status"))
    assert compute(suspended, a, Period(MAR), horizon=HORIZON).lines.height == 0


def test_stop_inside_the_month_is_paid_pro_rata_of_calendar_days():
    # orphan: the 21st birthday on 20 March 2026 ends the right, last day 19 March
    b = benefits((1, "stopped", D(2024, 5, 1), D(2026, 3, 19), None, "cash", MAR - 1))
    a = amounts((1, D(2024, 5, 1), 45_000))
    got = line(compute(b, a, Period(MAR), horizon=HORIZON), 1)
    assert got["gross"] == 27_581  # 45,000 × 19 / 31 = 27,580.65
    # a stop without an end date pays nothing more
    open_stop = b.with_columns(pl.lit(None, dtype=pl.Date).alias("end_date"))
    assert compute(open_stop, a, Period(MAR), horizon=HORIZON).lines.height == 0
    # after the stop, once March is paid: nothing in April
    paid_march = b.with_columns(pl.lit(MAR).alias("last_paid"))
    assert compute(paid_march, a, Period(MAR + 1), horizon=HORIZON).lines.height == 0


def test_start_inside_the_month_pro_rata():
    b = benefits((1, "in_payment", D(2026, 2, 11), None, None, "bank", None))
    a = amounts((1, D(2026, 2, 11), 84_000))
    got = line(compute(b, a, Period(MAR), horizon=HORIZON), 1)
    # February from the 11th: 84,000 × 18 / 28 = 54,000 (arrears) + March 84,000
    assert (got["arrears"], got["regular"], got["gross"]) == (54_000, 84_000, 138_000)


def test_revaluation_from_a_date_inside_the_month_splits_it():
    b = benefits((1, "in_payment", D(2020, 1, 1), None, None, "bank", MAR - 1))
    a = amounts((1, D(2020, 1, 1), 60_000), (1, D(2026, 3, 16), 61_800))  # +3 % from 16 March
    got = line(compute(b, a, Period(MAR), horizon=HORIZON), 1)
    # 60,000 × 15/31 + 61,800 × 16/31 = 1,888,800 / 31 = 60,929.03
    assert got["gross"] == 60_929
    april = compute(b, a, Period(MAR + 1), horizon=HORIZON)  # March not yet paid: both months
    assert line(april, 1)["regular"] == 61_800
    assert line(april, 1)["arrears"] == 60_929


def test_revaluation_from_an_earlier_date_pays_the_difference_only_on_unpaid_months():
    # a revaluation decided in March from 1 January: January and February were paid at the
    # old amount (frozen runs are not recomputed); March is paid at the new one
    b = benefits((1, "in_payment", D(2020, 1, 1), None, None, "bank", MAR - 1))
    a = amounts((1, D(2020, 1, 1), 60_000), (1, D(2026, 1, 1), 61_800))
    got = line(compute(b, a, Period(MAR), horizon=HORIZON), 1)
    assert (got["gross"], got["arrears"]) == (61_800, 0)


def test_death_in_a_quarter_survivor_from_the_next_month_overpayment_recovered_capped():
    q1 = Period(month_index(D(2026, 1, 1)), 3)
    # the pensioner (1) died on 10 February: stopped at the end of February, dead payee;
    # his widow (2) is paid 60 % of 60,000 = 36,000 from 1 March
    b = benefits(
        (1, "stopped", D(2010, 1, 1), D(2026, 2, 28), D(2026, 2, 10), "bank", q1.first - 1),
        (2, "in_payment", D(2026, 3, 1), None, None, "mobile_money", None),
    )
    a = amounts((1, D(2010, 1, 1), 60_000), (2, D(2026, 3, 1), 36_000))
    # Q1 had been paid in advance to the pensioner in January: March (60,000) overpaid,
    # charged to the widow's benefit; two overpayments: 5,000 older, then 60,000
    deductions = pl.DataFrame(
        {"deduction_id": [7, 9], "benefit_id": [2, 2], "outstanding": [5_000, 60_000]}
    )
    got = compute(b, a, q1, horizon=HORIZON, deductions=deductions, cap=Fraction(1, 3))
    assert got.lines["benefit_id"].to_list() == [2]  # nothing to the dead payee
    w = line(got, 2)
    # one month of the quarter: 36,000; a third at most recovered: 12,000 = 5,000 + 7,000
    assert (w["gross"], w["deductions"], w["net"], w["month_count"]) == (36_000, 12_000, 24_000, 1)
    assert got.recoveries.sort("deduction_id").rows() == [(7, 2, 5_000), (9, 2, 7_000)]


def test_a_failed_line_month_is_paid_in_the_next_run():
    # February's line failed (bank return), March was paid: April pays February again
    b = benefits((1, "in_payment", D(2020, 1, 1), None, None, "bank", MAR))
    a = amounts((1, D(2020, 1, 1), 60_000))
    unpaid = pl.DataFrame({"benefit_id": [1], "month": [MAR - 1]})
    got = line(compute(b, a, Period(MAR + 1), horizon=HORIZON, unpaid=unpaid), 1)
    assert (got["regular"], got["arrears"], got["period_from"], got["month_count"]) == (
        60_000,
        60_000,
        MAR - 1,
        2,
    )


def test_totals_per_channel_equal_the_sum_of_lines():
    b = benefits(
        (1, "in_payment", D(2020, 1, 1), None, None, "bank", MAR - 1),
        (2, "in_payment", D(2020, 1, 1), None, None, "bank", MAR - 2),
        (3, "in_payment", D(2020, 1, 1), None, None, "cash", MAR - 1),
    )
    a = amounts((1, D(2020, 1, 1), 50_000), (2, D(2020, 1, 1), 70_000), (3, D(2020, 1, 1), 30_000))
    got = compute(b, a, Period(MAR), horizon=HORIZON)
    assert got.totals.rows() == [("bank", 2, 190_000, 0, 190_000), ("cash", 1, 30_000, 0, 30_000)]
    stated = dict(got.totals.select("channel", "net").iter_rows())
    assert check(got.lines, got.months, b, totals_by_channel=stated) == []
    wrong = check(got.lines, got.months, b, totals_by_channel={**stated, "cash": 30_001})
    assert [(p.code, p.detail) for p in wrong] == [("totals", "cash: 30001 ≠ 30000")]


def test_checks_refuse_negative_twice_dead_and_already_paid():
    b = benefits(
        (1, "in_payment", D(2020, 1, 1), None, None, "bank", MAR - 1, "k1"),
        (2, "in_payment", D(2020, 1, 1), None, D(2026, 3, 5), "bank", MAR - 1, "k2"),
        (3, "in_payment", D(2020, 1, 1), None, None, "bank", MAR - 1, "k1"),
    )
    a = amounts((1, D(2020, 1, 1), 1_000), (2, D(2020, 1, 1), 1_000), (3, D(2020, 1, 1), 1_000))
    got = compute(b, a, Period(MAR), horizon=HORIZON)
    assert got.lines["benefit_id"].to_list() == [1, 3]  # the dead payee is not computed
    lines = pl.concat(
        [
            got.lines,
            got.lines.filter(pl.col("benefit_id") == 1).with_columns(
                pl.lit(-5, dtype=pl.Int64).alias("net"), pl.lit("k9").alias("beneficiary_key")
            ),
            got.lines.filter(pl.col("benefit_id") == 1).with_columns(
                pl.lit(2, dtype=pl.Int64).alias("benefit_id"), pl.lit("k2").alias("beneficiary_key")
            ),
        ]
    )
    paid = pl.DataFrame({"benefit_id": [3], "month": [MAR]})
    stated = dict(got.totals.select("channel", "net").iter_rows())
    found = check(lines, got.months, b, totals_by_channel=stated, paid=paid)
    assert sorted((p.code, p.benefit_id) for p in found) == [
        ("beneficiary_twice", 1),
        ("beneficiary_twice", 3),
        ("benefit_twice", 1),
        ("dead", 2),
        ("month_twice", 3),
        ("negative", 1),
        ("totals", None),
    ]
