"""Per-role dashboards read the snapshots, draw SVG charts, link a figure to its list only for
a user who may open it; the Excel table and the monthly PDF."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kafo.stats import charts
from kafo.stats.compute_reference import load_indicators
from kafo.stats.links import may_open
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


def test_line_chart_leaves_a_gap_for_a_month_without_data_and_escapes_text():
    svg = charts.line_chart(
        [("01/2026", Decimal(10)), ("02/2026", None), ("03/2026", 20), ("04/2026", 30)],
        title="<b>Taux</b>",
    )
    assert svg.startswith('<svg class="chart" viewBox="0 0 320 140" role="img"')
    assert "&lt;b&gt;Taux&lt;/b&gt;" in svg and "<b>" not in svg
    # one lone point (January) and one line (March–April): the gap is not drawn as a zero
    assert svg.count("<polyline") == 1
    # x = 6 + i × 308/3, y = 118 − v/30 × 104: March (211.3, 48.7), April (314, 14)
    assert 'points="211.3,48.7 314,14"' in svg
    assert "style=" not in svg  # CSP: no inline style


def test_line_chart_without_any_value_says_so():
    svg = charts.line_chart([("01/2026", None)], title="x")
    assert "pas encore de données" in svg and "<polyline" not in svg


def test_director_sees_trends_with_charts_and_links_only_to_lists_they_may_open(
    client, org, make_user
):
    _value("collection_rate", org, "2026-09", Decimal("0.5"), Decimal(50), Decimal(100))
    _value("collection_rate", org, "2026-10", Decimal("0.825"), Decimal(825), Decimal(1000))
    _value("declaration_compliance", org, "2026-10", Decimal("0.9"), Decimal(9), Decimal(10))
    client.force_login(make_user(org, "director"))

    response = client.get(reverse("dashboard"))

    html = response.content.decode()
    assert "Indicateurs du mois 10/2026" in html
    rate = next(t for t in response.context["trends"] if t.code == "collection_rate")
    assert (rate.current.text, rate.current.hint) == ("82,5 %", "825 / 1\u202f000")
    assert rate.current.url == reverse("contributions-account-list")
    assert html.count('<svg class="chart"') >= 3
    # the non-filers list is the contributions managers': a director gets the figure, no link
    compliance = next(t for t in response.context["trends"] if t.code == "declaration_compliance")
    assert (compliance.current.text, compliance.current.url) == ("90,0 %", None)
    coverage = next(t for t in response.context["trends"] if t.code == "coverage_active")
    assert coverage.current.text == "pas encore de données"


def test_contributions_manager_sees_received_expected_and_non_filers_linked(client, org, make_user):
    _value("declaration_compliance", org, "2026-10", Decimal("0.9"), Decimal(9), Decimal(10))
    client.force_login(make_user(org, "contributions_manager"))

    response = client.get(reverse("dashboard"))

    figures = {f.id: (f.text, f.url) for f in response.context["declarations"]}
    assert figures["decl-received"] == ("9", reverse("contributions-declaration-list"))
    assert figures["decl-expected"] == ("10", None)
    non_filers = reverse("collection-non-filer-list") + "?period=2026-10"
    assert figures["decl-missing"] == ("1", non_filers)
    assert figures["payments-to-allocate"] == ("pas encore de données", None)


def test_an_organisation_without_snapshots_shows_no_made_up_number(client, org, make_user):
    client.force_login(make_user(org, "director"))
    html = client.get(reverse("dashboard")).content.decode()
    assert "pas encore de données" in html
    assert 'id="export-xlsx"' not in html


def test_may_open_follows_the_list_views_permissions(org, make_user):
    manager = make_user(org, "contributions_manager")
    agent = make_user(org, "registration_agent")
    url = reverse("collection-non-filer-list") + "?period=2026-10"
    assert may_open(manager, url) is True
    assert may_open(agent, url) is False
    assert may_open(agent, "/nowhere/") is False
    assert may_open(agent, None) is False


def test_zone_admin_sees_organisations_side_by_side_and_zone_totals(client, zone, make_user):
    load_indicators()
    _value("collection_rate", zone["INPS-ML"], "2026-10", Decimal("0.5"), 1, 2)
    _value("collection_rate", zone["CNPS-CI"], "2026-10", Decimal("0.25"), 1, 4)
    _value("collection_rate", None, "2026-10", Decimal("0.3333"), 2, 6)
    client.force_login(make_user(None, "zone_admin"))

    response = client.get(reverse("dashboard"))

    headers = response.context["zone_headers"]
    col = headers.index(Indicator.objects.get(code="collection_rate").name())
    rows = dict(response.context["zone_rows"])
    assert rows[zone["INPS-ML"].name][col] == "50,0 %"
    assert rows[zone["CNPS-CI"].name][col] == "25,0 %"
    assert response.context["zone_totals"][col] == "33,3 %"


def test_indicator_table_in_excel_for_own_organisation_only(client, zone, make_user):
    load_indicators()
    org = zone["INPS-ML"]
    _value("collection_rate", org, "2026-10", Decimal("0.825"), 825, 1000)
    _value("collection_rate", zone["CNPS-CI"], "2026-10", Decimal("0.1"), 1, 10)
    client.force_login(make_user(org, "director"))

    response = client.get(reverse("stats-indicators-xlsx"))

    ws = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in ws[2]]
    assert header[2:5] == ["11/2025", "12/2025", "01/2026"]
    assert header[-4] == "10/2026"
    rows = ws.iter_rows(min_row=3, values_only=True)
    row = next(r for r in rows if r[0] == "Taux de recouvrement")
    assert row[-4] == 82.5 and row[-3] == 825 and row[-2] == 1000
    assert row[2] == "pas encore de données"


def test_employer_user_may_not_export_indicators(client, zone, make_user):
    load_indicators()
    client.force_login(make_user(zone["INPS-ML"], "employer"))
    assert client.get(reverse("stats-indicators-xlsx")).status_code == 403
    assert client.get(reverse("stats-monthly-report")).status_code == 403


def test_monthly_report_pdf_for_the_director(client, org, make_user):
    _value("collection_rate", org, "2026-10", Decimal("0.825"), 825, 1000)
    client.force_login(make_user(org, "director"))
    response = client.get(reverse("stats-monthly-report"))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"82,5 %" in response.content
    client.force_login(make_user(org, "contributions_manager"))
    assert client.get(reverse("stats-monthly-report")).status_code == 403


def test_board_pack_pdf_includes_the_monthly_indicator_report(org):
    import datetime as dt

    from kafo.governance import board_pack, services

    _value("collection_rate", org, "2026-10", Decimal("0.825"), 825, 1000)
    body = services.body_create(organisation=org, name="Conseil", kind="board")
    session = services.session_create(body=body, date=dt.date(2026, 11, 20))

    pdf = board_pack.to_pdf(session, [])

    assert b"Rapport mensuel des indicateurs" in pdf
    assert b"82,5 %" in pdf


def test_demo_history_pays_dues_once_and_computes_24_months(org):
    import datetime as dt

    from kafo.contributions.models import LedgerEntry, Payment
    from kafo.organisations.tenancy import tenant_scope
    from kafo.registry.tests.factories import employer
    from kafo.stats.demo import stats_demo_seed

    with tenant_scope(org):
        employers = [employer(org, legal_name=f"Société {n}") for n in range(10)]
        for e in employers:
            for month in (8, 9, 10):
                LedgerEntry.objects.create(
                    organisation=org,
                    employer=e,
                    kind="contribution",
                    period=f"2026-{month:02d}",
                    due_date=dt.date(2026, month + 1, 15),
                    amount=Decimal(90_000),
                    label="cotisations",
                )

    stats_demo_seed(today=dt.date(2026, 11, 29))

    with tenant_scope(org):
        payments = list(Payment.objects.all())
        # one in nine never pays, so some dues stay unpaid; nobody pays more than is due
        assert 0 < len(payments) < 30
        assert all(Decimal(0) < p.amount <= 90_000 for p in payments)
        assert all(p.paid_on <= dt.date(2026, 11, 29) for p in payments)
        credits = LedgerEntry.objects.filter(kind="payment")
        assert sorted(-c.amount for c in credits) == sorted(p.amount for p in payments)
    assert IndicatorValue.objects.filter(period="2026-10", organisation=org).exists()
    assert IndicatorValue.objects.filter(period="2024-11", organisation=None).exists()
    assert not IndicatorValue.objects.filter(period="2024-10").exists()

    stats_demo_seed(today=dt.date(2026, 11, 29))  # idempotent: no second payment
    with tenant_scope(org):
        assert Payment.objects.count() == len(payments)


def test_dashboard_in_english(client, org, make_user):
    client.force_login(make_user(org, "benefits_officer"))
    client.cookies["django_language"] = "en"
    html = client.get(reverse("dashboard")).content.decode()
    assert "Open claims by age" in html and "0–30 d" in html
    assert "no data yet" in html


def test_director_arrears_by_age_and_top_employers_come_from_the_snapshot(client, org, make_user):
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kafo.contributions.models import LedgerEntry
    from kafo.registry.models import Employer
    from kafo.stats.models import TopArrears

    _value("arrears_ratio", org, "2026-10", Decimal("0.5"), Decimal(95000), Decimal(190000))
    for band, owed in [("0-30", 40000), ("31-90", 30000), ("91-180", 20000), ("180+", 5000)]:
        IndicatorValue.objects.create(
            indicator=Indicator.objects.get(code="arrears_ratio"),
            organisation=org,
            period="2026-10",
            breakdown="age",
            breakdown_value=band,
            numerator=owed,
            denominator=190000,
            value=Decimal(owed) / 190000,
            computed_at=timezone.now(),
        )
    employer = Employer.objects.create(
        organisation=org,
        number="E9",
        legal_name="Boulangerie Kanté",
        status="active",
        status_since=dt.date(2020, 1, 1),
        registered_on=dt.date(2020, 1, 1),
    )
    TopArrears.objects.create(
        organisation=org,
        period="2026-10",
        rank=1,
        employer=employer,
        balance=95000,
        computed_at=timezone.now(),
    )
    # today's ledger says otherwise: the page shows the snapshot of 31/10/2026, not this
    LedgerEntry.objects.create(
        organisation=org,
        employer=employer,
        kind="contribution",
        period="2026-11",
        due_date=dt.date(2026, 11, 15),
        amount=1000000,
        label="x",
    )
    client.force_login(make_user(org, "director"))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard"))

    assert not [q for q in queries.captured_queries if "ledgerentry" in q["sql"]]
    assert response.context["arrears_total"] == "95\u202f000\u00a0FCFA"
    chart = str(response.context["arrears_chart"])
    for label, text in [
        ("0–30 j", "40\u202f000\u00a0FCFA"),
        ("31–90 j", "30\u202f000\u00a0FCFA"),
        ("91–180 j", "20\u202f000\u00a0FCFA"),
        ("&gt; 180 j", "5\u202f000\u00a0FCFA"),
    ]:
        assert f">{label}</text>" in chart and f">{text}</text>" in chart
    [top] = response.context["top_arrears"]
    assert (top.label, top.text) == ("Boulangerie Kanté", "95\u202f000\u00a0FCFA")
    assert top.url == reverse("contributions-account-detail", args=[employer.pk])


def test_director_without_snapshot_sees_no_made_up_arrears(client, org, make_user):
    client.force_login(make_user(org, "director"))
    response = client.get(reverse("dashboard"))
    assert response.context["arrears_total"] == "pas encore de données"
    assert response.context["top_arrears"] == []
    assert "pas encore de données" in str(response.context["arrears_chart"])
