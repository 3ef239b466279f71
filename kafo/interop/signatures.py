"""Message signatures of the SPDCI envelope (`signature`: "Signature of {header}+{message}").

The standard gives only the shape of the string (`MsgSignature`'s example); Kafo reads and
writes that shape:

    Signature: namespace="spdci", kidId="{sender_id}|{key_id}|{algorithm}", algorithm="ed25519",
    created="1606970629", expires="1607030629", headers="(created) (expires) digest",
    signature="Base64(signature of the signing string)"

and signs the string

    (created): {created}
    (expires): {expires}
    digest: BLAKE-512={Base64(BLAKE2b-512 of the canonical JSON of {"header", "message"})}

where the canonical JSON has sorted keys, no spaces and UTF-8 text. A partner's key (PEM) may
be Ed25519 (`ed25519`), EC P-256 (`ecdsa-p256-sha256`) or RSA (`rsa-sha256`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

_PARAM = re.compile(r'(\w+)="([^"]*)"')


class SignatureRefused(Exception):
    """The signature is missing, unreadable, expired or does not match."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def canonical(header: dict, message) -> bytes:
    return json.dumps(
        {"header": header, "message": message},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()


def signing_string(header: dict, message, created: int, expires: int) -> bytes:
    digest = base64.b64encode(hashlib.blake2b(canonical(header, message)).digest()).decode()
    return f"(created): {created}\n(expires): {expires}\ndigest: BLAKE-512={digest}".encode()


def algorithm_of(key) -> str:
    if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        return "ed25519"
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        return "ecdsa-p256-sha256"
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return "rsa-sha256"
    raise ValueError("unsupported key type")


def load_public_key(pem: str):
    """Return the public key of a PEM text; raise ValueError when it is not a supported key."""
    try:
        key = serialization.load_pem_public_key(pem.strip().encode())
    except (ValueError, TypeError) as exc:
        raise ValueError("not a PEM public key") from exc
    if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name != "secp256r1":
        raise ValueError("EC keys must be P-256")
    algorithm_of(key)
    return key


def sign(
    private_key,
    *,
    header: dict,
    message,
    key_owner: str,
    key_id: str,
    now: int,
    lifetime: int = 300,
) -> str:
    """Return the `signature` string of the envelope {header, message}."""
    created, expires = now, now + lifetime
    data = signing_string(header, message, created, expires)
    alg = algorithm_of(private_key)
    if alg == "ed25519":
        raw = private_key.sign(data)
    elif alg == "ecdsa-p256-sha256":
        raw = private_key.sign(data, ec.ECDSA(hashes.SHA256()))
    else:
        raw = private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    return (
        f'Signature: namespace="spdci", kidId="{key_owner}|{key_id}|{alg}", '
        f'algorithm="{alg}", created="{created}", expires="{expires}", '
        f'headers="(created) (expires) digest", '
        f'signature="{base64.b64encode(raw).decode()}"'
    )


def verify(
    public_key_pem: str, signature: str | None, *, header: dict, message, now: int, skew: int = 300
) -> None:
    """Check `signature` against {header, message} with the partner's key; raise if refused."""
    if not signature:
        raise SignatureRefused("err.signature.missing", "signature absente")
    params = dict(_PARAM.findall(signature))
    try:
        created = int(params["created"])
        expires = int(params["expires"])
        raw = base64.b64decode(params["signature"], validate=True)
    except (KeyError, ValueError) as exc:
        raise SignatureRefused("err.signature.invalid", "signature illisible") from exc
    if created > now + skew or expires < now:
        raise SignatureRefused("err.signature.invalid", "signature expirée")
    key = load_public_key(public_key_pem)
    data = signing_string(header, message, created, expires)
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(raw, data)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(raw, data, ec.ECDSA(hashes.SHA256()))
        else:
            key.verify(raw, data, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise SignatureRefused("err.signature.invalid", "signature invalide") from exc
