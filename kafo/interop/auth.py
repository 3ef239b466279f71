"""Partners' credentials: OAuth2 client credentials, Kafo's signed JWT bearer tokens, its keys.

- Kafo's signing key (ES256, P-256) is read from the environment variable
  KAFO_INTEROP_SIGNING_KEY (PEM), else from DATA_DIR/interop_signing_key.pem, created on first
  use (readable by Kafo only), so every worker of one installation signs with the same key.
  Its public half is published at /.well-known/jwks.json.
- A token names the partner's client id (`sub`), expires after INTEROP_TOKEN_LIFETIME seconds
  (3600 by default) and is verified for signature, issuer, audience and expiry.
- Client secrets are stored hashed (Django's password hashers); the secret is shown once.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import secrets
import uuid
from functools import cache

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.utils import timezone

from .models import Partner

ALGORITHM = "ES256"
ISSUER = "kafo"
AUDIENCE = "kafo-registry"
SCOPES = (
    "registry.search",
    "registry.subscribe",
    "registry.unsubscribe",
    "registry.txn-status",
)


def _now() -> dt.datetime:
    """The clock (a seam for tests)."""
    return timezone.now()


def token_lifetime() -> int:
    return int(getattr(settings, "INTEROP_TOKEN_LIFETIME", 3600))


# --- Kafo's key ----------------------------------------------------------------------------


def _load_or_create_pem() -> bytes:
    pem = os.environ.get("KAFO_INTEROP_SIGNING_KEY", "").strip()
    if pem:
        return pem.encode()
    path = settings.DATA_DIR / "interop_signing_key.pem"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        data = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    return path.read_bytes()


@cache
def signing_key() -> ec.EllipticCurvePrivateKey:
    """Return Kafo's private signing key."""
    key = serialization.load_pem_private_key(_load_or_create_pem(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise RuntimeError("KAFO_INTEROP_SIGNING_KEY must be an EC P-256 private key (PEM)")
    return key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def key_id() -> str:
    """Return the id of Kafo's key: the start of its public key's SHA-256."""
    der = (
        signing_key()
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return hashlib.sha256(der).hexdigest()[:16]


def jwks() -> dict:
    """Return the JSON Web Key Set publishing Kafo's public key."""
    numbers = signing_key().public_key().public_numbers()
    return {
        "keys": [
            {
                "kty": "EC",
                "crv": "P-256",
                "x": _b64(numbers.x.to_bytes(32, "big")),
                "y": _b64(numbers.y.to_bytes(32, "big")),
                "use": "sig",
                "alg": ALGORITHM,
                "kid": key_id(),
            }
        ]
    }


# --- client credentials ---------------------------------------------------------------------


def new_client_id() -> str:
    return f"kafo-{secrets.token_hex(8)}"


def new_client_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return make_password(secret)


def authenticate_client(client_id: str, client_secret: str) -> Partner | None:
    """Return the active partner whose credentials these are, else None (same for any reason)."""
    partner = Partner.unscoped.filter(client_id=client_id, active=True).first()
    if partner is None:
        make_password(client_secret)  # same work whether the client exists or not
        return None
    if not check_password(client_secret, partner.client_secret_hash):
        return None
    return partner


# --- tokens ----------------------------------------------------------------------------------


def issue_token(partner: Partner, *, scope: str = "") -> tuple[str, int]:
    """Return a signed access token for `partner` and its lifetime in seconds."""
    now = _now()
    lifetime = token_lifetime()
    granted = [s for s in scope.split() if s in SCOPES] or list(SCOPES)
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": partner.client_id,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int(now.timestamp()) + lifetime,
        "jti": uuid.uuid4().hex,
        "scope": " ".join(granted),
    }
    token = jwt.encode(claims, signing_key(), algorithm=ALGORITHM, headers={"kid": key_id()})
    return token, lifetime


class TokenRefused(Exception):
    """The bearer token is missing, malformed, expired, wrongly signed or names no partner."""


def verify_token(token: str) -> Partner:
    """Return the active partner the token was issued to; raise TokenRefused otherwise."""
    try:
        claims = jwt.decode(
            token,
            signing_key().public_key(),
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "aud", "iss"]},
            leeway=0,
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenRefused("expired") from exc
    except jwt.PyJWTError as exc:
        raise TokenRefused("invalid") from exc
    partner = Partner.unscoped.filter(client_id=claims["sub"], active=True).first()
    if partner is None:
        raise TokenRefused("unknown client")
    return partner


def bearer_token(request) -> str | None:
    """Return the token of the request's `Authorization: Bearer …` header, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def verify_bearer(request) -> Partner:
    """Return the partner of the request's bearer token; raise TokenRefused if none is valid."""
    token = bearer_token(request)
    if token is None:
        raise TokenRefused("missing")
    return verify_token(token)
