"""Fixtures of the interop tests: a signing key, partners, tokens, envelopes, spec checks."""

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from kafo.interop import auth
from kafo.interop import services as interop
from kafo.interop.models import RecordAttribute

ALL_ATTRIBUTES = list(RecordAttribute.values)


@pytest.fixture(autouse=True, scope="session")
def _interop_signing_key():
    """One fresh signing key for the test session (never the installation's file)."""
    import os

    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    old = os.environ.get("KAFO_INTEROP_SIGNING_KEY")
    os.environ["KAFO_INTEROP_SIGNING_KEY"] = pem
    auth.signing_key.cache_clear()
    yield
    if old is None:
        os.environ.pop("KAFO_INTEROP_SIGNING_KEY", None)
    else:
        os.environ["KAFO_INTEROP_SIGNING_KEY"] = old
    auth.signing_key.cache_clear()


@pytest.fixture
def make_partner(zone):
    def _make(*orgs, attributes=None, callback_urls=(), public_key="", rate=60, name="RSU Mali"):
        orgs = orgs or (zone["INPS-ML"],)
        partner, secret = interop.partner_register(
            organisation=orgs[0],
            name=name,
            kind="programme",
            organisations=list(orgs),
            attributes=ALL_ATTRIBUTES if attributes is None else attributes,
            callback_urls=list(callback_urls),
            public_key=public_key,
            rate_limit_per_minute=rate,
        )
        partner.secret = secret
        return partner

    return _make


@pytest.fixture
def bearer():
    def _bearer(partner):
        token, _ = auth.issue_token(partner)
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    return _bearer
