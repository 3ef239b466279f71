"""The read API of the snapshots: tables, series with gaps, no data, drill-down links."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kafo.stats import selectors
from kafo.stats.compute_reference import indicator_definitions, load_indicators
from kafo.stats.models import Indicator, IndicatorValue


def _value(code, org, period, value, num=None, den=None):
    IndicatorValue.objects.create(
        indicator=Indicator.objects.get(code=code),
        organisation=org,
        period=period,
        numerator=num,
        denominator=den,
        value=value,
        computed_at=timezone.now(),
    )


@pytest.fixture
def org(zone):
    load_indicators()
    return zone["INPS-ML"]


def test_table_has_every_indicator_and_period_in_order(org):
    _value("collection_rate", org, "2026-02", Decimal("0.8"), Decimal(80), Decimal(100))
    _value("collection_rate", None, "2026-02", Decimal("0.5"), Decimal(50), Decimal(100))

    table = selectors.indicator_table(org, ["2026-01", "2026-02"])

    assert [row.indicator.code for row in table] == [d["code"] for d in indicator_definitions()]
    row = next(r for r in table if r.indicator.code == "collection_rate")
    assert [(c.period, c.has_data, c.value) for c in row.cells] == [
        ("2026-01", False, None),
        ("2026-02", True, Decimal("0.8")),
    ]
    zone_row = next(
        r
        for r in selectors.indicator_table(None, ["2026-02"])
        if r.indicator.code == "collection_rate"
    )
    assert zone_row.cells[0].numerator == Decimal(50)


def test_series_keeps_gaps_and_null_values(org):
    _value("collection_rate", org, "2026-01", Decimal("0.7"))
    _value("collection_rate", org, "2026-03", None, Decimal(0), Decimal(0))

    series = selectors.indicator_series("collection_rate", org, last_n=3)

    assert [(c.period, c.value) for c in series] == [
        ("2026-01", Decimal("0.7")),
        ("2026-02", None),
        ("2026-03", None),
    ]
    assert selectors.latest_period(org) == "2026-03"


def test_another_organisation_reads_none_of_these_values(org, zone):
    _value("collection_rate", org, "2026-01", Decimal("0.7"))

    other = zone["CMSS-ML"]
    assert selectors.indicator_value("collection_rate", other, "2026-01").has_data is False
    assert selectors.indicator_value("collection_rate", None, "2026-01").has_data is False


def test_drilldown_urls(org):
    assert selectors.drilldown_url("declaration_compliance", org, "2026-03") == (
        "/collection/non-filers/?period=2026-03"
    )
    assert selectors.drilldown_url("review_queue", org, "2026-03") == (
        "/identity/review/?status=pending"
    )
    assert selectors.drilldown_url("registry_phone", org, "2026-03") is None
    assert selectors.drilldown_url("declaration_compliance", None, "2026-03") is None
    assert set(selectors.DRILLDOWN) == {d["code"] for d in indicator_definitions()}


def test_the_daily_run_computes_the_last_two_complete_months(org):
    # `kafo daily` is the one scheduler (kafo/jobs/daily.py); its last step is `stats compute`.
    from kafo.jobs.daily import run_daily

    report = run_daily(dt.date(2026, 4, 10))
    assert report[-1].startswith("Indicateurs calculés : 2026-02, 2026-03 (")
    periods = set(IndicatorValue.objects.values_list("period", flat=True))
    assert periods == {"2026-02", "2026-03"}
