"""Reads of the indicator snapshots (what dashboards, exports and the API show).

Pages never compute an indicator: they read `IndicatorValue` rows written by
`kafo stats compute`. Every read names its organisation explicitly (None = the zone totals);
the caller decides whether the user may see that organisation (a zone administrator may pass
None or any organisation; everybody else only their own).

A missing row and a row whose value is null both read as "no data" (`Cell.has_data` false):
the page shows "pas encore de données", never a made-up 0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.urls import NoReverseMatch, reverse

from kafo.stats.models import Indicator, IndicatorValue


@dataclass(frozen=True)
class Cell:
    """One indicator for one organisation (or the zone) and one period."""

    period: str
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    value: Decimal | None = None
    computed_at: dt.datetime | None = None
    note: str = ""

    @property
    def has_data(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Row:
    """One indicator across the requested periods (cells in the order of the periods)."""

    indicator: Indicator
    cells: list[Cell]


def _cell(period: str, value: IndicatorValue | None) -> Cell:
    if value is None:
        return Cell(period=period)
    return Cell(
        period=period,
        numerator=value.numerator,
        denominator=value.denominator,
        value=value.value,
        computed_at=value.computed_at,
        note=value.note,
    )


def _values(organisation, *, breakdown: str = "", breakdown_value: str = ""):
    qs = IndicatorValue.objects.filter(breakdown=breakdown, breakdown_value=breakdown_value)
    if organisation is None:
        return qs.filter(organisation__isnull=True)
    return qs.filter(organisation=organisation)


def latest_period(organisation=None) -> str | None:
    """Return the latest period with snapshots for `organisation` (None: zone), or None."""
    return _values(organisation).order_by("-period").values_list("period", flat=True).first()


def last_periods(last_n: int = 12, *, until: str | None = None) -> list[str]:
    """Return the `last_n` months ending with `until` (default: latest computed), oldest first."""
    end = until or latest_period() or dt.date.today().strftime("%Y-%m")
    year, month = int(end[:4]), int(end[5:7])
    out = []
    for _ in range(last_n):
        out.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return out[::-1]


def indicator_table(organisation, periods: list[str], *, breakdown: str = "") -> list[Row]:
    """Return every indicator (display order) with one cell per period of `periods`.

    `organisation` None: the zone totals. Two queries whatever the number of indicators.
    `breakdown` "" is the total; for a breakdown use `indicator_breakdown`.
    """
    indicators = list(Indicator.objects.all())
    found = {
        (v.indicator_id, v.period): v
        for v in _values(organisation, breakdown=breakdown).filter(period__in=periods)
    }
    return [
        Row(indicator=ind, cells=[_cell(p, found.get((ind.pk, p))) for p in periods])
        for ind in indicators
    ]


def indicator_series(code: str, organisation, last_n: int = 12, *, until: str | None = None):
    """Return the last `last_n` months of indicator `code` as cells, oldest first.

    Months without a snapshot are cells without data (a gap in the chart, not a zero).
    """
    periods = last_periods(last_n, until=until or latest_period(organisation))
    found = {
        v.period: v for v in _values(organisation).filter(indicator__code=code, period__in=periods)
    }
    return [_cell(p, found.get(p)) for p in periods]


def indicator_value(code: str, organisation, period: str) -> Cell:
    """Return one cell (no data when not computed)."""
    v = _values(organisation).filter(indicator__code=code, period=period).first()
    return _cell(period, v)


def indicator_breakdown(
    code: str, organisation, period: str, breakdown: str
) -> list[tuple[str, Cell]]:
    """Return [(breakdown value, cell)] of `code` by branch/region/sector, sorted by label."""
    qs = IndicatorValue.objects.filter(indicator__code=code, period=period, breakdown=breakdown)
    qs = (
        qs.filter(organisation__isnull=True)
        if organisation is None
        else qs.filter(organisation=organisation)
    )
    return [(v.breakdown_value, _cell(period, v)) for v in qs.order_by("breakdown_value")]


def zone_side_by_side(codes: list[str] | None, period: str) -> dict:
    """Return {organisation id or None: {code: Cell}} of `period` (the zone side by side)."""
    qs = IndicatorValue.objects.filter(period=period, breakdown="").select_related("indicator")
    if codes:
        qs = qs.filter(indicator__code__in=codes)
    out: dict = {}
    for v in qs:
        out.setdefault(v.organisation_id, {})[v.indicator.code] = _cell(period, v)
    return out


# The list each indicator counts: (URL name, query string built from the period).
# None where no list page exists (yet): the figure is then shown without a link.
# The list pages show today's records (their own filters), not the snapshot's month, except
# the non-filers page, which takes the period.
DRILLDOWN: dict[str, tuple[str, str] | None] = {
    "coverage_active": ("contributions-declaration-list", ""),
    "coverage_registered": None,  # no list of persons (the search page needs a name)
    "old_age_pension_coverage": ("payroll-benefit-list", "status=in_payment&kind=pension"),
    "family_benefit_coverage": (
        "payroll-benefit-list",
        "status=in_payment&kind=family_allowance",
    ),
    "collection_rate": ("contributions-account-list", ""),
    "arrears_ratio": ("contributions-account-list", ""),
    "arrears_months": ("contributions-account-list", ""),
    "declaration_compliance": ("collection-non-filer-list", "period={period}"),
    "liquidation_days_median": ("benefits-claim-list", ""),
    "liquidation_days_mean": ("benefits-claim-list", ""),
    "liquidation_within_90": ("benefits-claim-list", ""),
    "pensions_in_payment": ("payroll-benefit-list", "status=in_payment"),
    "allowances_in_payment": ("payroll-benefit-list", "status=in_payment&kind=family_allowance"),
    "demographic_ratio": ("payroll-benefit-list", "status=in_payment"),
    "payment_failure_rate": ("payroll-run-list", ""),
    "life_certificate_compliance": ("payroll-life-campaign", ""),
    "registry_national_id": None,
    "registry_phone": None,
    "pending_registrations": ("contributions-pending-list", ""),
    "review_queue": ("identity-review-list", "status=pending"),
    # the overdue tab lists the requests sent that the others are late on too
    "liaison_overdue": ("exchange-inbox", "tab=overdue"),
}


def drilldown_url(code: str, organisation, period: str) -> str | None:
    """Return the URL of the list of records the figure of `code` counts, or None.

    The caller still checks that the user may open that page before showing the link.
    For the zone (organisation None) there is no single list: None.
    """
    target = DRILLDOWN.get(code)
    if target is None or organisation is None:
        return None
    url_name, query = target
    try:
        url = reverse(url_name)
    except NoReverseMatch:
        return None
    query = query.format(period=period, year=period[:4], month=period[5:7])
    return f"{url}?{query}" if query else url
