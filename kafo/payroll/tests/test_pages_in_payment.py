"""Staff pages of benefits in payment and the life-certificate campaign."""

import datetime as dt

from django.urls import reverse

from kafo.payroll.models import StatusChange
from kafo.payroll.tests.factories import make_benefit


def _login(client, user):
    client.force_login(user)


def test_list_filters_and_detail_shows_versions_and_history(client, zone, make_user):
    org = zone["IPRES-SN"]
    a = make_benefit(org, payee_name="DIOP Awa", amount=125_000)
    make_benefit(org, payee_name="FAYE Ali", channel="cash")
    _login(client, make_user(org, "payment_officer"))
    page = client.get(reverse("payroll-benefit-list") + "?channel=bank").content.decode()
    assert "DIOP Awa" in page and "FAYE Ali" not in page
    detail = client.get(reverse("payroll-benefit-detail", args=[a.pk])).content.decode()
    assert "125 000" in detail and "01/01/2025" in detail and a.rib in detail


def test_suspend_from_the_page_and_reader_cannot(client, zone, make_user):
    org = zone["IPRES-SN"]
    b = make_benefit(org)
    _login(client, make_user(org, "approver"))
    url = reverse("payroll-benefit-status", args=[b.pk])
    data = {"action": "suspend", "reason": "investigation", "on": "2025-06-01"}
    assert client.post(url, data).status_code == 403
    b.refresh_from_db()
    assert b.status == "in_payment"
    _login(client, make_user(org, "payment_officer"))
    assert client.post(url, data).status_code == 302
    b.refresh_from_db()
    assert (b.status, b.status_since) == ("suspended", dt.date(2025, 6, 1))
    assert StatusChange.objects.filter(benefit=b, status="suspended").count() == 1


def test_campaign_page_previews_who_would_be_suspended(client, zone, make_user):
    org = zone["CNPS-CM"]
    make_benefit(org, payee_name="BELLA Marie", channel="cash")
    _login(client, make_user(org, "payment_officer"))
    page = client.get(reverse("payroll-life-campaign") + "?year=2025").content.decode()
    assert "BELLA Marie" in page and "31/01/2026" in page
    assert "1 prestation sans certificat" in page
