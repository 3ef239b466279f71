"""The non-filers page: who may open it, filters, paging, exports, partial declarations."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kafo.collection.tests.test_non_filers import world  # noqa: F401 (fixture)

d = dt.date
URL = "collection-non-filer-list"


@pytest.fixture
def manager(world, make_user):  # noqa: F811
    return make_user(world["org"], "contributions_manager")


def test_list_shows_the_non_filers_linked_to_their_account(world, manager, client):  # noqa: F811
    client.force_login(manager)
    page = client.get(reverse(URL), {"period": "2026-03"}).content.decode()
    alpha = reverse("contributions-account-detail", args=[world["monthly"].pk])
    assert f'<a href="{alpha}">Alpha</a>' in page
    assert "2 employeurs défaillants" not in page and "3 employeurs défaillants" in page
    assert "Bravo" not in page.split('id="non-filers"')[1].split("</table>")[0]
    assert "Défaillants</a>" in page  # the nav link, for a user who may open it


def test_filters_and_partial_declarations(world, manager, client):  # noqa: F811
    client.force_login(manager)
    page = client.get(reverse(URL), {"period": "2026-Q1", "sector": "Commerce"}).content.decode()
    assert "2 employeurs défaillants" in page
    page = client.get(reverse(URL), {"period": "2026-02"}).content.decode()
    assert "Aucun employeur défaillant pour cette période." in page
    partial = page.split('id="partial-declarations"')[1].split("</table>")[0]
    assert "YAO Awa" in partial and "Alpha" in partial and "KONE" not in partial


def test_exports_csv_and_excel_neutralised(world, manager, client):  # noqa: F811
    world["monthly"].legal_name = "=HYPERLINK(1)"
    world["monthly"].save()
    client.force_login(manager)
    resp = client.get(reverse("collection-non-filer-csv"), {"period": "2026-03"})
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["numéro", "raison sociale"]
    assert [(r[1], r[5], r[6], r[7]) for r in rows[1:]] == [
        ("'=HYPERLINK(1)", "2", "mensuelle", "03/2026"),
        ("Charlie", "0", "trimestrielle", "T1 2026"),
        ("Echo", "0", "trimestrielle", "T1 2026"),
    ]
    resp = client.get(reverse("collection-non-filer-xlsx"), {"period": "2026-03"})
    ws = load_workbook(io.BytesIO(resp.content)).active
    assert [c.value for c in ws["B"]] == ["raison sociale", "'=HYPERLINK(1)", "Charlie", "Echo"]


def test_refused_to_other_roles_and_no_nav_link(world, make_user, client):  # noqa: F811
    officer = make_user(world["org"], "benefits_officer")
    client.force_login(officer)
    for name in (URL, "collection-non-filer-csv", "collection-non-filer-xlsx"):
        assert client.get(reverse(name)).status_code == 403
    page = client.get(reverse("contributions-declaration-list")).content.decode()
    assert "Défaillants</a>" not in page


def test_other_organisation_sees_none_of_them(world, make_user, client):  # noqa: F811
    from kafo.collection.tests.test_non_filers import _declare  # noqa: F401

    client.force_login(make_user(world["elsewhere"].organisation, "contributions_manager"))
    page = client.get(reverse(URL), {"period": "2026-03"}).content.decode()
    assert "Alpha" not in page and "Charlie" not in page


def test_list_queries_do_not_grow(world, manager, client, django_assert_max_num_queries):  # noqa: F811
    client.force_login(manager)
    with django_assert_max_num_queries(14):
        client.get(reverse(URL), {"period": "2026-Q1"})
