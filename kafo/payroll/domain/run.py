"""What a payroll run pays: every amount due for one organisation and period, set-based.

Pure Polars, no Django: the caller reads the frames (kafo/payroll/runs.py from the database,
bench/payroll.py from its own set-up) and passes the period; amounts are whole CFA francs (Int64).

Months are integers `year * 12 + month - 1` (`month_index`). A period is `first` and `count`
months (1 monthly, 2 bimonthly, 3 quarterly; paid in advance or in arrears is a matter of the
payment date, not of the months covered).

The rules, each a choice stated here:

- **What is due.** A benefit in payment (status `in_payment`, or `stopped` with the end date the
  stop set; payee not dead) is owed every month of its right — from its start date to its end
  date (none: open) — that no line of an earlier run covers, up to the period's last month and
  from the organisation's first Kafo period (`horizon`; earlier months were paid by the previous
  system). So the run pays the period's months (regular) and every earlier month not yet paid
  (arrears): a suspension lifted (a suspension defers the months, never forfeits them: issue 14
  §4 "a certificate received later resumes payment and the next run pays the arrears"), a
  benefit approved with a start date in the past, the months of a failed line. A suspended
  benefit gets no line; its months wait for it to resume. A stopped one is paid up to its end
  date (pro rata), never after. What was paid is given per benefit as `last_paid` (the last
  month a pending or paid line covers) and `unpaid` (the months of failed lines no later line
  has paid): a month is due again only if it is after `last_paid` or in `unpaid`.
- **Pro rata (ASSUMPTION: no text of the zone found here on the rule; calendar days is the usual
  French-law practice for pensions).** A month partly inside the right (a start or a stop on a
  date inside it: age limit, remarriage, end of right) is paid `monthly × days covered / days in
  the calendar month`; a revaluation from a date inside a month splits the month the same way, each
  part at its own amount; the month's sum is rounded once, half up, to the franc. A death stops
  the right at the end of the month of death (kafo/payroll/services.py), so that month is whole.
- **Deductions.** Overpayments to recover (oldest first) are deducted from the line of the benefit
  they are charged to, at most `cap` (a fraction, reference data `kafo/payroll/reference/runs.yaml`)
  of the line's gross, rounded down to the franc; what is left waits for the next run.
- **Checks** (`check`): no negative amount, no benefit or beneficiary twice in a run, no month
  paid twice (this run against what was paid), no payment to a dead payee, totals per channel
  equal to the sum of the lines.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

import polars as pl

IN_PAYMENT = "in_payment"
STOPPED = "stopped"  # paid up to its end date (a stop without one: nothing more)

BENEFITS_SCHEMA = {
    "benefit_id": pl.Int64,
    "beneficiary_key": pl.Utf8,  # the same beneficiary of the same benefit: one line at most
    "status": pl.Utf8,
    "start_date": pl.Date,
    "end_date": pl.Date,  # null: open
    "death_date": pl.Date,  # the payee's, null when alive
    "channel": pl.Utf8,
    "last_paid": pl.Int64,  # month index; null: never paid
}
AMOUNTS_SCHEMA = {"benefit_id": pl.Int64, "effective_from": pl.Date, "monthly_amount": pl.Int64}
UNPAID_SCHEMA = {"benefit_id": pl.Int64, "month": pl.Int64}
DEDUCTIONS_SCHEMA = {"deduction_id": pl.Int64, "benefit_id": pl.Int64, "outstanding": pl.Int64}


def month_index(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def month_start(m: int) -> dt.date:
    return dt.date(m // 12, m % 12 + 1, 1)


def month_label(m: int) -> str:
    return f"{m % 12 + 1:02d}/{m // 12}"


@dataclass(frozen=True)
class Period:
    first: int  # month index of the first month
    count: int = 1  # months in the period

    @property
    def last(self) -> int:
        return self.first + self.count - 1


@dataclass(frozen=True)
class Computed:
    lines: pl.DataFrame  # one row per benefit paid: see LINE_COLUMNS
    months: pl.DataFrame  # benefit_id, month, amount: what each line covers
    recoveries: pl.DataFrame  # deduction_id, benefit_id, amount
    totals: pl.DataFrame  # channel, lines, gross, deductions, net


LINE_COLUMNS = [
    "benefit_id",
    "beneficiary_key",
    "channel",
    "period_from",
    "period_to",
    "month_count",
    "regular",
    "arrears",
    "gross",
    "deductions",
    "net",
]


def _frame(frame: pl.DataFrame | None, schema: dict) -> pl.DataFrame:
    if frame is None or frame.height == 0:
        return pl.DataFrame(schema=schema)
    return frame.select([pl.col(c).cast(t) for c, t in schema.items()])


def _month_of(col: pl.Expr) -> pl.Expr:
    return col.dt.year().cast(pl.Int64) * 12 + col.dt.month().cast(pl.Int64) - 1


def months_due(
    benefits: pl.DataFrame,
    amounts: pl.DataFrame,
    period: Period,
    *,
    horizon: int,
    unpaid: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Return benefit_id, month, amount: every month owed and not yet paid, with its amount."""
    status = pl.col("status")
    b = _frame(benefits, BENEFITS_SCHEMA).filter(
        ((status == IN_PAYMENT) | ((status == STOPPED) & pl.col("end_date").is_not_null()))
        & pl.col("death_date").is_null()
    )
    unpaid = _frame(unpaid, UNPAID_SCHEMA)
    first = pl.max_horizontal(
        _month_of(pl.col("start_date")), pl.lit(horizon), pl.col("last_paid").fill_null(-1) + 1
    )
    last = pl.min_horizontal(
        _month_of(pl.col("end_date")).fill_null(period.last), pl.lit(period.last)
    )
    tail = (
        b.select("benefit_id", pl.int_ranges(first, last + 1, dtype=pl.Int64).alias("month"))
        .explode("month")
        .drop_nulls("month")
    )
    # failed months come back, within the right and the horizon (a month after last_paid is
    # already in the tail)
    back = unpaid.join(b.select("benefit_id", "last_paid"), on="benefit_id").filter(
        (pl.col("month") >= horizon)
        & (pl.col("month") <= period.last)
        & (pl.col("month") <= pl.col("last_paid").fill_null(-1))
    )
    due = pl.concat([tail, back.select("benefit_id", "month")]).unique(["benefit_id", "month"])
    due = due.join(b.select("benefit_id", "start_date", "end_date"), on="benefit_id").with_columns(
        pl.date(pl.col("month") // 12, pl.col("month") % 12 + 1, 1).alias("m_start"),
    )
    due = due.with_columns(pl.col("m_start").dt.month_end().alias("m_end"))
    versions = (
        _frame(amounts, AMOUNTS_SCHEMA)
        .sort("benefit_id", "effective_from")
        .with_columns(
            (pl.col("effective_from").shift(-1).over("benefit_id") - pl.duration(days=1)).alias(
                "effective_to"
            )
        )
    )
    seg = due.join(versions, on="benefit_id").with_columns(
        pl.max_horizontal("m_start", "start_date", "effective_from").alias("seg_from"),
        pl.min_horizontal(
            "m_end",
            pl.col("end_date").fill_null(pl.col("m_end")),
            pl.col("effective_to").fill_null(pl.col("m_end")),
        ).alias("seg_to"),
    )
    seg = seg.with_columns(
        ((pl.col("seg_to") - pl.col("seg_from")).dt.total_days() + 1).alias("days"),
        pl.col("m_end").dt.day().cast(pl.Int64).alias("dim"),
    ).filter(pl.col("days") > 0)
    return (
        seg.group_by("benefit_id", "month")
        .agg(
            (pl.col("monthly_amount") * pl.col("days")).sum().alias("num"),
            pl.col("dim").first(),
        )
        .select(
            "benefit_id",
            "month",
            # half up to the franc: floor((2·num + dim) / (2·dim)), num ≥ 0
            ((2 * pl.col("num") + pl.col("dim")) // (2 * pl.col("dim"))).alias("amount"),
        )
        .filter(pl.col("amount") != 0)
        .sort("benefit_id", "month")
    )


def compute(
    benefits: pl.DataFrame,
    amounts: pl.DataFrame,
    period: Period,
    *,
    horizon: int,
    unpaid: pl.DataFrame | None = None,
    deductions: pl.DataFrame | None = None,
    cap: Fraction = Fraction(1, 3),
) -> Computed:
    """Return the lines of the run for `period`: per benefit, regular + arrears − deductions."""
    months = months_due(benefits, amounts, period, horizon=horizon, unpaid=unpaid)
    b = _frame(benefits, BENEFITS_SCHEMA)
    lines = (
        months.group_by("benefit_id")
        .agg(
            pl.col("month").min().alias("period_from"),
            pl.col("month").max().alias("period_to"),
            pl.len().cast(pl.Int64).alias("month_count"),
            pl.col("amount").filter(pl.col("month") >= period.first).sum().alias("regular"),
            pl.col("amount").filter(pl.col("month") < period.first).sum().alias("arrears"),
            pl.col("amount").sum().alias("gross"),
        )
        .join(b.select("benefit_id", "beneficiary_key", "channel"), on="benefit_id")
    )
    # recoveries: each benefit's cap, spent on its overpayments oldest first
    d = (
        _frame(deductions, DEDUCTIONS_SCHEMA)
        .filter(pl.col("outstanding") > 0)
        .join(lines.select("benefit_id", "gross"), on="benefit_id")
        .sort("benefit_id", "deduction_id")
        .with_columns(
            (pl.col("gross") * cap.numerator // cap.denominator).alias("cap"),
            pl.col("outstanding").cum_sum().over("benefit_id").alias("upto"),
        )
        .with_columns(
            pl.min_horizontal(
                "outstanding",
                pl.max_horizontal(pl.col("cap") - (pl.col("upto") - pl.col("outstanding")), 0),
            ).alias("amount")
        )
        .filter(pl.col("amount") > 0)
    )
    recoveries = d.select("deduction_id", "benefit_id", pl.col("amount").cast(pl.Int64))
    lines = (
        lines.join(
            recoveries.group_by("benefit_id").agg(pl.col("amount").sum().alias("deductions")),
            on="benefit_id",
            how="left",
        )
        .with_columns(pl.col("deductions").fill_null(0).cast(pl.Int64))
        .with_columns((pl.col("gross") - pl.col("deductions")).alias("net"))
        .select(LINE_COLUMNS)
        .sort("benefit_id")
    )
    return Computed(lines=lines, months=months, recoveries=recoveries, totals=totals(lines))


def totals(lines: pl.DataFrame) -> pl.DataFrame:
    """Return channel, lines, gross, deductions, net: the run's totals per channel."""
    return (
        lines.group_by("channel")
        .agg(
            pl.len().cast(pl.Int64).alias("lines"),
            pl.col("gross").sum().cast(pl.Int64),
            pl.col("deductions").sum().cast(pl.Int64),
            pl.col("net").sum().cast(pl.Int64),
        )
        .sort("channel")
    )


@dataclass(frozen=True)
class Problem:
    code: str  # negative, benefit_twice, beneficiary_twice, month_twice, dead, totals
    benefit_id: int | None
    detail: str


def check(
    lines: pl.DataFrame,
    months: pl.DataFrame,
    benefits: pl.DataFrame,
    *,
    totals_by_channel: dict[str, int],
    paid: pl.DataFrame | None = None,
    on: dt.date | None = None,
) -> list[Problem]:
    """Return what is wrong with the run's lines (empty: it may be paid).

    `totals_by_channel` is the net per channel as the run (or its files) states it; `paid` the
    (benefit_id, month) pairs earlier runs already paid (pending or paid lines); `benefits` the
    payees as they are now (a death recorded after the run was prepared shows here); `on` the
    payment day: a payee dead on or before it is refused.
    """
    problems: list[Problem] = []
    for bid, net in (
        lines.filter((pl.col("net") < 0) | (pl.col("gross") < 0))
        .select("benefit_id", "net")
        .iter_rows()
    ):
        problems.append(Problem("negative", bid, f"net {net}"))
    for (bid,) in (
        lines.filter(pl.col("benefit_id").is_duplicated())
        .select(pl.col("benefit_id").unique())
        .iter_rows()
    ):
        problems.append(Problem("benefit_twice", bid, ""))
    for bid, key in (
        lines.filter(pl.col("beneficiary_key").is_duplicated())
        .select("benefit_id", "beneficiary_key")
        .iter_rows()
    ):
        problems.append(Problem("beneficiary_twice", bid, key))
    m = months.select("benefit_id", "month")
    twice = m.filter(pl.struct("benefit_id", "month").is_duplicated())
    if paid is not None and paid.height:
        twice = pl.concat([twice, m.join(_frame(paid, UNPAID_SCHEMA), on=["benefit_id", "month"])])
    for bid, month in twice.unique().sort("benefit_id", "month").iter_rows():
        problems.append(Problem("month_twice", bid, month_label(month)))
    dead = lines.join(
        _frame(benefits, BENEFITS_SCHEMA).select("benefit_id", "death_date"), on="benefit_id"
    ).filter(pl.col("death_date").is_not_null() & (pl.col("death_date") <= (on or dt.date.max)))
    for bid, died in dead.select("benefit_id", "death_date").iter_rows():
        problems.append(Problem("dead", bid, died.isoformat()))
    summed = {c: n for c, n in totals(lines).select("channel", "net").iter_rows()}
    for channel in sorted(set(summed) | set(totals_by_channel)):
        if summed.get(channel, 0) != totals_by_channel.get(channel, 0):
            problems.append(
                Problem(
                    "totals",
                    None,
                    f"{channel}: {totals_by_channel.get(channel, 0)} ≠ {summed.get(channel, 0)}",
                )
            )
    return problems
