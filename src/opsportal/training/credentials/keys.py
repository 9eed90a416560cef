"""Ed25519 signing keys: made, sealed with the application's secret key, rotated, published.

The private key is stored encrypted with AES-GCM under a key derived (HKDF-SHA256)
from the session secret key, so a database dump alone cannot sign credentials.
The public half is stored in the clear: after a rotation, or if the secret key
changes and an old private key can no longer be opened, every credential ever
issued still verifies against `/.well-known/jwks.json`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc.jwk import OKPKey

from opsportal.kit import sealing

ALGORITHM = "EdDSA"
# Binds the derived key to this one purpose: the same secret signs session cookies.
_HKDF_INFO = b"opsportal credential signing keys v1"


class SealedKeyUnreadable(Exception):
    """The stored private key does not open with this secret key (it changed, or was tampered)."""


@dataclass(frozen=True)
class NewKey:
    kid: str
    public_jwk: dict[str, Any]
    sealed_private_key: str


def seal(secret_key: str, kid: str, private_key: bytes) -> str:
    """Encrypt the raw private key; the kid is authenticated with it, so rows cannot be swapped."""
    return sealing.seal(
        secret_key, purpose=_HKDF_INFO, plaintext=private_key, associated_data=kid.encode("ascii")
    )


def unseal(secret_key: str, kid: str, sealed: str) -> bytes:
    try:
        return sealing.unseal(
            secret_key, purpose=_HKDF_INFO, sealed=sealed, associated_data=kid.encode("ascii")
        )
    except sealing.SealUnreadable as exc:
        raise SealedKeyUnreadable(kid) from exc


def public_jwk(key: OKPKey, kid: str) -> dict[str, Any]:
    jwk = dict(key.as_dict(private=False))
    jwk.update(kid=kid, alg=ALGORITHM, use="sig")
    return jwk


def generate(secret_key: str) -> NewKey:
    private = Ed25519PrivateKey.generate()
    key = OKPKey.import_key(private)
    kid = key.thumbprint()  # RFC 7638: stable, and derived from the key alone
    return NewKey(
        kid=kid,
        public_jwk=public_jwk(key, kid),
        sealed_private_key=seal(secret_key, kid, private.private_bytes_raw()),
    )


def signing_key(secret_key: str, kid: str, sealed: str) -> OKPKey:
    raw = unseal(secret_key, kid, sealed)
    return OKPKey.import_key(Ed25519PrivateKey.from_private_bytes(raw))
