"""OAuth2 client credentials, JWT bearer verification, JWKS and message signatures."""

import datetime as dt
from unittest import mock

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from kafo.interop import auth, signatures, spec
from kafo.interop.models import Transaction
from kafo.registry.tests.factories import person

from .spdci_client import assert_matches, envelope, idtype, post, search_message

TOKEN = "/oauth2/client/token"
SYNC = "/registry/sync/search"
AUTHZ_OK = spec.pointer(
    "paths", TOKEN, "post", "responses", "200", "content", "application/json", "schema"
)
AUTHZ_ERROR = spec.pointer(
    "components", "responses", "HttpErrorResponse", "content", "application/json", "schema"
)


def _token(client, client_id, secret, grant="client_credentials"):
    return client.post(
        TOKEN, {"grant_type": grant, "client_id": client_id, "client_secret": secret}
    )


def test_client_credentials_give_a_token_that_opens_the_api(client, make_partner, zone):
    partner = make_partner()
    response = _token(client, partner.client_id, partner.secret)
    assert response.status_code == 200
    data = response.json()
    assert spec.errors(spec.AUTHZ, AUTHZ_OK, data) == []
    assert (data["token_type"], data["expires_in"]) == ("bearer", "3600")
    assert response["Cache-Control"] == "no-store"
    headers = {"HTTP_AUTHORIZATION": f"Bearer {data['access_token']}"}
    body = envelope("search", search_message(idtype("UIN", "12345678901234K")))
    assert post(client, SYNC, body, headers).status_code == 200


def test_jwks_publishes_the_key_that_signs_the_tokens(client, make_partner, zone):
    partner = make_partner()
    token, _ = auth.issue_token(partner)
    keys = client.get("/.well-known/jwks.json").json()["keys"]
    (jwk,) = keys
    assert (jwk["kty"], jwk["crv"], jwk["alg"]) == ("EC", "P-256", "ES256")
    public = jwt.PyJWK(jwk).key
    claims = jwt.decode(token, public, algorithms=["ES256"], audience="kafo-registry")
    assert claims["sub"] == partner.client_id


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "kafo-unknown"}, 401, "invalid_client"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"client_secret": ""}, 400, "invalid_request"),
    ],
)
def test_bad_credentials_get_no_token(client, make_partner, zone, form, status, error):
    partner = make_partner()
    data = {
        "grant_type": "client_credentials",
        "client_id": partner.client_id,
        "client_secret": partner.secret,
    } | form
    response = client.post(TOKEN, data)
    assert response.status_code == status
    body = response.json()
    assert body["error"] == error
    assert "access_token" not in body
    assert spec.errors(spec.AUTHZ, AUTHZ_ERROR, body) == []


def test_inactive_partner_gets_no_token_and_its_tokens_stop(client, make_partner, zone):
    from kafo.interop.services import partner_set_active

    partner = make_partner()
    token, _ = auth.issue_token(partner)
    partner_set_active(partner=partner, active=False)
    assert _token(client, partner.client_id, partner.secret).status_code == 401
    body = envelope("search", search_message(idtype("UIN", "1")))
    response = post(client, SYNC, body, {"HTTP_AUTHORIZATION": f"Bearer {token}"})
    assert response.status_code == 401


def test_expired_token_is_refused(client, make_partner, zone):
    partner = make_partner()
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=3601)
    with mock.patch.object(auth, "_now", return_value=past):
        token, _ = auth.issue_token(partner)
    body = envelope("search", search_message(idtype("UIN", "1")))
    response = post(client, SYNC, body, {"HTTP_AUTHORIZATION": f"Bearer {token}"})
    assert response.status_code == 401
    data = assert_matches(SYNC, response)
    assert data["errors"] == [{"code": "err.request.unauthorized", "message": "jeton expiré"}]
    assert Transaction.objects.count() == 0


def test_token_signed_with_another_key_is_refused(client, make_partner, zone):
    partner = make_partner()
    now = int(dt.datetime.now(dt.UTC).timestamp())
    claims = {
        "iss": "kafo",
        "aud": "kafo-registry",
        "sub": partner.client_id,
        "iat": now,
        "exp": now + 600,
    }
    forged = jwt.encode(
        claims,
        ec.generate_private_key(ec.SECP256R1()),
        algorithm="ES256",
        headers={"kid": auth.key_id()},
    )
    none_alg = jwt.encode(claims, None, algorithm="none")
    body = envelope("search", search_message(idtype("UIN", "1")))
    for token in (forged, none_alg, "not-a-jwt"):
        response = post(client, SYNC, body, {"HTTP_AUTHORIZATION": f"Bearer {token}"})
        assert response.status_code == 401
        assert response.json()["errors"][0]["code"] == "err.request.unauthorized"
        assert response["WWW-Authenticate"] == 'Bearer realm="kafo"'
    assert Transaction.objects.count() == 0


def _pem(key) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def test_message_signature_checked_when_the_partner_has_a_key(client, make_partner, bearer, zone):
    person(zone["INPS-ML"], "Traoré", "Awa", national_id="12345678901234K")
    key = ed25519.Ed25519PrivateKey.generate()
    partner = make_partner(public_key=_pem(key))
    body = envelope("search", search_message(idtype("UIN", "12345678901234K")))
    now = int(dt.datetime.now(dt.UTC).timestamp())

    response = post(client, SYNC, body, bearer(partner))
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "err.signature.missing"

    wrong = ed25519.Ed25519PrivateKey.generate()
    body["signature"] = signatures.sign(
        wrong, header=body["header"], message=body["message"], key_owner="rsu", key_id="1", now=now
    )
    response = post(client, SYNC, body, bearer(partner))
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "err.signature.invalid"

    body["signature"] = signatures.sign(
        key, header=body["header"], message=body["message"], key_owner="rsu", key_id="1", now=now
    )
    tampered = body | {"message": body["message"] | {"transaction_id": "T-2"}}
    assert post(client, SYNC, tampered, bearer(partner)).status_code == 401

    response = post(client, SYNC, body, bearer(partner))
    assert response.status_code == 200
    data = assert_matches(SYNC, response)
    # Kafo signs its answer with the key it publishes
    kafo_key = jwt.PyJWK(client.get("/.well-known/jwks.json").json()["keys"][0]).key
    pem = kafo_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    signatures.verify(
        pem, data["signature"], header=data["header"], message=data["message"], now=now
    )


def test_token_request_as_json_or_basic_auth(client, make_partner, zone):
    import base64

    partner = make_partner()
    response = client.post(
        TOKEN,
        data={
            "grant_type": "client_credentials",
            "client_id": partner.client_id,
            "client_secret": partner.secret,
        },
        content_type="application/json",
    )
    assert response.status_code == 200
    basic = base64.b64encode(f"{partner.client_id}:{partner.secret}".encode()).decode()
    response = client.post(
        TOKEN, {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert response.status_code == 200
    assert auth.verify_token(response.json()["access_token"]) == partner
