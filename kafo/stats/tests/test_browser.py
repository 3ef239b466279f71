"""Each role in a real browser: log in, the dashboard shows figures and at least one chart, a
click on a figure opens the list it counts (a 360 px phone: the page does not scroll sideways)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import login_in_browser
from kafo.stats.compute_reference import load_indicators
from kafo.stats.models import Indicator, IndicatorValue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERIODS = ("2026-08", "2026-09", "2026-10")


def _snapshots(org):
    load_indicators()
    figures = {
        "collection_rate": (Decimal("0.8"), 80, 100),
        "declaration_compliance": (Decimal("0.9"), 9, 10),
        "pending_registrations": (Decimal(3), 3, None),
        "review_queue": (Decimal(2), 2, None),
        "pensions_in_payment": (Decimal(12), 12, None),
        "liquidation_days_median": (Decimal(40), None, 5),
    }
    for code, (value, num, den) in figures.items():
        for n, period in enumerate(PERIODS):
            for organisation in (org, None):
                IndicatorValue.objects.create(
                    indicator=Indicator.objects.get(code=code),
                    organisation=organisation,
                    period=period,
                    numerator=num,
                    denominator=den,
                    value=value - (2 - n) * value / 10,  # the last month: `value`
                    computed_at=timezone.now(),
                )


# role, the figure clicked (its id), the list it opens and the query it passes
CASES = [
    ("director", "fig-collection_rate", "contributions-account-list", None),
    ("contributions_manager", "decl-missing", "collection-non-filer-list", "period=2026-10"),
    ("benefits_officer", "claims-opened", "benefits-claim-list", "status=opened"),
    ("approver", "claims-submitted", "benefits-claim-list", "status=submitted"),
    ("payment_officer", "suspended", "payroll-benefit-list", "status=suspended"),
    ("registration_agent", "reg-review", "identity-review-list", "status=pending"),
]


@pytest.mark.parametrize(("role", "figure", "url_name", "query"), CASES)
def test_role_dashboard_figures_chart_and_drilldown(
    browser_page, zone, make_user, role, figure, url_name, query
):
    page = browser_page
    org = zone["INPS-ML"]
    _snapshots(org)
    make_user(org, role, username=f"u.{role}")
    page.set_viewport_size({"width": 360, "height": 800})
    login_in_browser(page, f"u.{role}")

    page.goto("/")
    assert page.locator("svg.chart").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click(f"#{figure} a")
    page.wait_for_load_state()
    expected = reverse(url_name) + (f"?{query}" if query else "")
    assert page.url.endswith(expected)
    assert page.locator("h1").count() == 1


def test_zone_admin_sees_the_zone_side_by_side_with_charts(browser_page, zone, make_user):
    page = browser_page
    _snapshots(zone["INPS-ML"])
    make_user(None, "zone_admin", username="u.zone")
    login_in_browser(page, "u.zone")

    page.goto("/")
    table = page.inner_text("#zone")
    assert "INPS-ML" in table or zone["INPS-ML"].name in table
    assert "80,0 %" in table  # 2026-10: 0.8 shown as a percentage
    assert page.locator("svg.chart").count() >= 1
    with page.expect_download() as download:
        page.click("#zone-xlsx")
    assert download.value.suggested_filename == "indicateurs-zone.xlsx"
