"""API tokens (random, shown once, stored as SHA-256) and argon2 password hashes."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TOKEN_PREFIX = "ops_"
_password_hasher = PasswordHasher()


def new_api_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _password_hasher.hash(password)


# Checked instead when there is no stored hash (an unknown email, a user without a
# password), so that every failed login costs the same argon2 verification and
# its timing does not tell which accounts exist or have a password.
_DUMMY_HASH = _password_hasher.hash(secrets.token_urlsafe(16))


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; always runs one full argon2 verification."""
    try:
        matches = _password_hasher.verify(password_hash or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return matches and password_hash is not None
