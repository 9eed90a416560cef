"""API tokens (random, shown once, stored as SHA-256) and argon2 password hashes.

The cost of new password hashes is a setting (`password_hash_time_cost`,
`password_hash_memory_kib`), applied to the whole process by
`use_password_hash_cost` when the app or the command line starts; until then it
is argon2-cffi's default. Every hash records the cost it was made at, so a hash
verifies whatever the cost now is.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import replace

from argon2 import Parameters, PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

TOKEN_PREFIX = "ops_"


class _Argon2:
    """A hasher at one cost, and a hash of nothing at the same cost.

    The dummy hash is checked instead when there is no stored hash (an unknown
    email, a user without a password), so that every failed login costs the same
    argon2 verification as a wrong password, and its timing does not tell which
    accounts exist or have a password. It is made on first use.
    """

    def __init__(self, parameters: Parameters) -> None:
        self.parameters = parameters
        self.hasher = PasswordHasher.from_parameters(parameters)
        self._dummy_hash: str | None = None

    @property
    def dummy_hash(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))
        return self._dummy_hash


_argon2 = _Argon2(RFC_9106_LOW_MEMORY)


def use_password_hash_cost(*, time_cost: int, memory_kib: int) -> None:
    """Make new password hashes at this argon2 cost, in this whole process."""
    global _argon2
    parameters = replace(RFC_9106_LOW_MEMORY, time_cost=time_cost, memory_cost=memory_kib)
    if parameters != _argon2.parameters:
        _argon2 = _Argon2(parameters)


def new_api_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _argon2.hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; always runs one full argon2 verification."""
    current = _argon2
    try:
        matches = current.hasher.verify(password_hash or current.dummy_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    return matches and password_hash is not None


def is_below_current_cost(password_hash: str) -> bool:
    """True when the hash was made at a lower cost than new hashes are now.

    Only ever upward: a hash made at a higher cost (the setting was lowered since)
    is kept as it is.
    """
    try:
        made_at = extract_parameters(password_hash)
    except InvalidHashError:
        return False
    now = _argon2.parameters
    return made_at.time_cost < now.time_cost or made_at.memory_cost < now.memory_cost
