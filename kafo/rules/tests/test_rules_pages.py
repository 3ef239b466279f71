import datetime as dt
import json

import pytest

from kafo.accounts.models import ApiToken
from kafo.rules import services
from kafo.rules.models import ContributionRate
from kafo.tests.i18n_words import forbidden_in


@pytest.fixture
def seeded(zone):
    services.rules_seed()
    return zone


def test_agent_sees_own_versions_only(client, seeded, make_user, django_assert_max_num_queries):
    user = make_user(seeded["CNPS-CI"], "contributions_manager")
    client.force_login(user)
    with django_assert_max_num_queries(15):
        resp = client.get("/rules/")
    assert resp.status_code == 200
    body = resp.content.decode()
    assert "3 375 000 FCFA" in body  # CNPS-CI pension ceiling, formatted (issue 18)
    assert "3375000" not in body
    assert "432 000" not in body  # IPRES-SN's tier is another organisation's rule
    assert "hypothèse" in body


def test_employer_user_refused(client, seeded, make_user):
    client.force_login(make_user(seeded["CNPS-CI"], "employer"))
    assert client.get("/rules/").status_code == 403


def test_agent_cannot_add_a_version(client, seeded, make_user):
    client.force_login(make_user(seeded["CNPS-CI"], "contributions_manager", "director"))
    count = ContributionRate.objects.count()
    resp = client.post("/rules/add/rate/", {"organisation": "CNPS-CI"})
    assert resp.status_code == 403
    assert ContributionRate.objects.count() == count


def test_zone_admin_adds_a_version_by_form(client, seeded, make_user):
    client.force_login(make_user(None, "zone_admin"))
    start = dt.date.today() + dt.timedelta(days=1)
    resp = client.post(
        "/rules/add/rate/",
        {
            "organisation": "CNSS-NE",
            "branch": "family",
            "component": "allowances",
            "risk_class": 0,
            "applies_to": "all",
            "employer_rate": "8.9",
            "employee_rate": "0",
            "base_from": "0",
            "ceiling": "500000",
            "employer_flat": "0",
            "employee_flat": "0",
            "effective_from": start.isoformat(),
            "source": "arrêté 2026",
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    new = ContributionRate.objects.get(
        organisation=seeded["CNSS-NE"], branch="family", effective_from=start
    )
    assert str(new.employer_rate) == "8.9000"


def test_zone_admin_backdated_form_shows_error(client, seeded, make_user):
    client.force_login(make_user(None, "zone_admin"))
    count = ContributionRate.objects.count()
    resp = client.post(
        "/rules/add/rate/",
        {
            "organisation": "CNSS-NE",
            "branch": "family",
            "component": "allowances",
            "risk_class": 0,
            "applies_to": "all",
            "employer_rate": "8.9",
            "employee_rate": "0",
            "base_from": "0",
            "employer_flat": "0",
            "employee_flat": "0",
            "effective_from": "2020-01-01",
            "source": "x",
        },
    )
    assert resp.status_code == 200
    assert "historique" in resp.content.decode()
    assert ContributionRate.objects.count() == count


def test_api_read_and_add(client, seeded, make_user):
    admin = make_user(None, "zone_admin")
    _tok, raw = ApiToken.issue(user=admin, name="t")
    h = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    resp = client.get("/api/rules/versions?org=IPRES-SN", **h)
    assert resp.status_code == 200
    rates = resp.json()["rates"]
    assert {r["component"] for r in rates} == {"general", "executives"}
    payload = {
        "organisation": "IPRES-SN",
        "kind": "rate",
        "branch": "old_age",
        "component": "general",
        "employer_rate": "8.6",
        "employee_rate": "5.6",
        "ceiling": "450000",
        "effective_from": (dt.date.today() + dt.timedelta(days=5)).isoformat(),
        "source": "décret",
    }
    resp = client.post("/api/rules/versions", json.dumps(payload), "application/json", **h)
    assert resp.status_code == 201, resp.content
    agent = make_user(seeded["IPRES-SN"], "contributions_manager")
    _tok, raw2 = ApiToken.issue(user=agent, name="t")
    resp = client.post(
        "/api/rules/versions",
        json.dumps(payload | {"ceiling": "460000"}),
        "application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw2}",
    )
    assert resp.status_code == 403
    assert ContributionRate.objects.filter(organisation=seeded["IPRES-SN"]).count() == 3


def test_rules_page_names_components_and_scrolls_its_tables(client, seeded, make_user):
    """Issue 18: component codes (`risk`, `pension`) shown raw; 13 columns widened the page."""
    client.force_login(make_user(seeded["CNPS-CI"], "contributions_manager"))
    body = client.get("/rules/").content.decode()
    assert "<td>risques professionnels</td>" in body
    assert "<td>risk</td>" not in body and "<td>pension</td>" in body
    assert body.count('<div class="scroll"><table>') == 3
    assert forbidden_in(body) == []
