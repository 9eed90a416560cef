"""Secrets sealed at rest: AES-GCM under a key derived (HKDF-SHA256) from the secret key.

A database dump alone then opens nothing. Each use names its own `purpose` (the
HKDF info), so a value sealed for one purpose never opens as another, and binds
the sealed value to its row with `associated_data`, so two rows cannot be swapped.
The text form is base64url (no padding) of the 12-byte nonce and the ciphertext.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12


class SealUnreadable(Exception):
    """The sealed value does not open with this secret key (it changed, or was tampered)."""


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _aead(secret_key: str, purpose: bytes) -> AESGCM:
    derived = HKDF(algorithm=SHA256(), length=32, salt=None, info=purpose).derive(
        secret_key.encode("utf-8")
    )
    return AESGCM(derived)


def seal(secret_key: str, *, purpose: bytes, plaintext: bytes, associated_data: bytes) -> str:
    nonce = os.urandom(NONCE_BYTES)
    return b64(nonce + _aead(secret_key, purpose).encrypt(nonce, plaintext, associated_data))


def unseal(secret_key: str, *, purpose: bytes, sealed: str, associated_data: bytes) -> bytes:
    try:
        blob = unb64(sealed)
        return _aead(secret_key, purpose).decrypt(
            blob[:NONCE_BYTES], blob[NONCE_BYTES:], associated_data
        )
    except (InvalidTag, ValueError) as exc:
        raise SealUnreadable("the sealed value does not open with this secret key") from exc
