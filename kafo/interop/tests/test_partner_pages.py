"""The partners' staff pages: register (secret shown once), detail, new secret, suspend."""

import pytest
from django.contrib.auth.hashers import check_password

from kafo.accounts.models import RoleCode
from kafo.audit.models import AuditEvent
from kafo.interop.models import Partner

FORM = {
    "name": "RSU Mali",
    "kind": "programme",
    "attributes": ["national_id", "insurance"],
    "callback_urls": "https://rsu.example.ml/on-search\n",
    "public_key": "",
    "rate_limit_per_minute": "30",
}


@pytest.fixture
def director(zone, make_user, client):
    user = make_user(zone["INPS-ML"], RoleCode.DIRECTOR)
    client.force_login(user)
    return user


def test_director_registers_a_partner_and_sees_its_secret_once(client, director, zone):
    response = client.post(
        "/interop/partenaires/nouveau/", FORM | {"organisations": [zone["INPS-ML"].pk]}
    )
    assert response.status_code == 200
    partner = Partner.unscoped.get()
    secret = response.context["secret"]
    assert secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert check_password(secret, partner.client_secret_hash)
    assert (partner.organisation, partner.name, partner.rate_limit_per_minute) == (
        zone["INPS-ML"],
        "RSU Mali",
        30,
    )
    assert list(partner.organisations.all()) == [zone["INPS-ML"]]
    assert partner.attributes == ["insurance", "national_id"]
    assert partner.callback_urls == ["https://rsu.example.ml/on-search"]
    event = AuditEvent.unscoped.get(object_type="partner")
    assert "client_secret_hash" not in event.changes
    assert event.changes["organisations"] == [None, ["INPS-ML"]]
    # the detail page never shows it again
    detail = client.get(f"/interop/partenaires/{partner.pk}/").content.decode()
    assert secret not in detail
    assert partner.client_id in detail


def test_director_cannot_grant_another_organisation(client, director, zone):
    response = client.post(
        "/interop/partenaires/nouveau/", FORM | {"organisations": [zone["CMSS-ML"].pk]}
    )
    assert response.status_code == 200
    assert "organisations" in response.context["form"].errors
    assert Partner.unscoped.count() == 0


def test_bad_callback_url_is_refused_naming_it(client, director, zone):
    response = client.post(
        "/interop/partenaires/nouveau/",
        FORM | {"organisations": [zone["INPS-ML"].pk], "callback_urls": "ftp://x.example"},
    )
    assert "ftp://x.example" in response.content.decode()
    assert Partner.unscoped.count() == 0


def test_new_secret_replaces_the_old_one(client, director, make_partner, zone):
    partner = make_partner(zone["INPS-ML"])
    old_hash = partner.client_secret_hash
    response = client.post(f"/interop/partenaires/{partner.pk}/secret/")
    partner.refresh_from_db()
    assert partner.client_secret_hash != old_hash
    assert check_password(response.context["secret"], partner.client_secret_hash)
    assert not check_password(partner.secret, partner.client_secret_hash)


def test_suspend_then_reactivate(client, director, make_partner, zone):
    partner = make_partner(zone["INPS-ML"])
    client.post(f"/interop/partenaires/{partner.pk}/actif/")
    partner.refresh_from_db()
    assert partner.active is False
    client.post(f"/interop/partenaires/{partner.pk}/actif/")
    partner.refresh_from_db()
    assert partner.active is True


def test_other_roles_and_organisations_are_refused(client, make_user, make_partner, zone):
    partner = make_partner(zone["INPS-ML"])
    client.force_login(make_user(zone["INPS-ML"], RoleCode.REGISTRATION_AGENT))
    assert client.get("/interop/partenaires/").status_code == 403
    assert "/interop/partenaires/" not in client.get("/").content.decode()
    client.force_login(make_user(zone["CMSS-ML"], RoleCode.DIRECTOR))
    assert client.get(f"/interop/partenaires/{partner.pk}/").status_code == 404
    assert "SECRET" not in client.get("/interop/partenaires/").content.decode()
    before = partner.client_secret_hash
    assert client.post(f"/interop/partenaires/{partner.pk}/secret/").status_code == 404
    partner.refresh_from_db()
    assert partner.client_secret_hash == before


def test_zone_admin_grants_several_organisations(client, make_user, zone):
    client.force_login(make_user(None, RoleCode.ZONE_ADMIN))
    response = client.post(
        "/interop/partenaires/nouveau/",
        FORM | {"organisations": [zone["INPS-ML"].pk, zone["CMSS-ML"].pk]},
    )
    assert response.status_code == 200
    partner = Partner.unscoped.get()
    assert sorted(o.code for o in partner.organisations.all()) == ["CMSS-ML", "INPS-ML"]
    listing = client.get("/interop/partenaires/").content.decode()
    assert "RSU Mali" in listing
