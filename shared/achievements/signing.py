"""The issuer's Ed25519 signing key, its published public keys (JWKS), and VC-JWT signing.

The key is derived from a secret setting (SHA-256 of CREDENTIAL_SIGNING_KEY is the 32-byte Ed25519
seed), so Key Vault holds a plain random string like the token key, and Bicep can generate it. Each
key's `kid` is its RFC 7638 JWK thumbprint. Rotating: move the current key's public `x` into
CREDENTIAL_RETIRED_KEYS and set a new secret; badges signed before keep verifying against the JWKS.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from dataclasses import dataclass

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from shared.errors import ServiceUnavailable
from shared.settings import get_settings

ALGORITHM = "EdDSA"
# VC-JOSE-COSE (VC data model 2.0): the payload is the credential itself.
MEDIA_TYPE = "vc+jwt"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def public_jwk(public: bytes) -> dict:
    """The JWK of an Ed25519 public key, with its thumbprint as `kid`."""
    x = _b64url(public)
    # RFC 7638: the required members in lexicographic order, no whitespace.
    thumbprint = hashlib.sha256(json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x},
                                           separators=(",", ":"), sort_keys=True).encode()).digest()
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": _b64url(thumbprint), "use": "sig", "alg": ALGORITHM}


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey
    jwk: dict

    @property
    def kid(self) -> str:
        return self.jwk["kid"]


@functools.cache
def _key_from(secret: str) -> SigningKey:
    private = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(secret.encode("utf-8")).digest())
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return SigningKey(private=private, jwk=public_jwk(public))


def current_key() -> SigningKey:
    secret = get_settings().credential_secret
    if secret is None:
        raise ServiceUnavailable("Digital badges are not set up on this service yet.")
    return _key_from(secret)


def _retired() -> list[dict]:
    out = []
    for text in get_settings().credential_retired_keys.split(","):
        text = text.strip()
        if text:
            out.append(public_jwk(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))))
    return out


def jwks() -> dict:
    """Every key a badge of ours may be signed with: the current one and the retired ones."""
    keys = [current_key().jwk, *_retired()]
    unique = {k["kid"]: k for k in keys}
    return {"keys": list(unique.values())}


def sign(payload: dict) -> str:
    key = current_key()
    return jwt.encode(payload, key.private, algorithm=ALGORITHM, headers={"kid": key.kid, "typ": MEDIA_TYPE})
