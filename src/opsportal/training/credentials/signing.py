"""Signing as a VC-JWT with the current key, and reading the keys that verify."""

from __future__ import annotations

import warnings
from typing import Any

from joserfc import jwt
from joserfc.errors import SecurityWarning
from joserfc.jwk import OKPKey
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.errors import DomainError
from opsportal.models import AppSecret, CredentialKey
from opsportal.models.base import utcnow
from opsportal.training.credentials import keys, repository
from opsportal.web.secret_key import SESSION_KEY_NAME

# joserfc warns on every "EdDSA" signature since RFC 9864 named the fully
# specified "Ed25519". Open Badges 3.0 and today's verifiers (PyJWT among them)
# know "EdDSA" only; with Ed25519 keys alone the two are the same algorithm.
warnings.filterwarnings("ignore", message="EdDSA is deprecated", category=SecurityWarning)

JWT_TYPE = "vc+jwt"


class SigningUnavailable(DomainError):
    status_code = 503
    title = "Signing unavailable"
    slug = "signing-unavailable"


def secret_key(session: Session, settings: Settings) -> str:
    """The secret the private keys are sealed with: the configured one, else the generated one."""
    if settings.secret_key:
        return settings.secret_key
    stored = session.get(AppSecret, SESSION_KEY_NAME)
    if stored is None:
        raise SigningUnavailable("No secret key is configured to open the credential signing key.")
    return stored.value


def ensure_current_key(factory: SessionFactory, secret: str) -> tuple[str, str]:
    """(kid, sealed private key) of the current key, made now if there is none.

    In a transaction of its own, so a first GET can make it; when two processes
    make one at once the unique `current` lets one insert win and the other
    reads the winner's key.
    """
    with session_scope(factory) as session:
        row = repository.current_key(session)
        if row is not None:
            return row.kid, row.private_key_sealed
    try:
        with session_scope(factory) as session:
            new = keys.generate(secret)
            session.add(
                CredentialKey(
                    kid=new.kid,
                    public_jwk=new.public_jwk,
                    private_key_sealed=new.sealed_private_key,
                    current=True,
                )
            )
            session.flush()
            return new.kid, new.sealed_private_key
    except IntegrityError:
        pass  # another process's key won
    with session_scope(factory) as session:
        row = repository.current_key(session)
        if row is None:  # pragma: no cover - the winner committed before we failed
            raise SigningUnavailable("The credential signing key could not be created.")
        return row.kid, row.private_key_sealed


def current_signer(session: Session, factory: SessionFactory, secret: str) -> tuple[str, OKPKey]:
    row = repository.current_key(session)
    kid, sealed = (row.kid, row.private_key_sealed) if row else ensure_current_key(factory, secret)
    try:
        return kid, keys.signing_key(secret, kid, sealed)
    except keys.SealedKeyUnreadable as exc:
        raise SigningUnavailable(
            "The credential signing key cannot be opened with the configured secret key "
            "(was OPSPORTAL_SECRET_KEY changed?). Run `opsportal keys rotate` to make a new one; "
            "credentials signed before stay verifiable."
        ) from exc


def rotate_key(session: Session, *, secret: str) -> str:
    """Retire the current key (it stays published) and make a new one; returns the new kid."""
    from opsportal import audit
    from opsportal.errors import Conflict

    old = repository.current_key(session)
    if old is not None:
        old.current = None
        old.retired_at = utcnow()
        session.flush()
    new = keys.generate(secret)
    row = CredentialKey(
        kid=new.kid,
        public_jwk=new.public_jwk,
        private_key_sealed=new.sealed_private_key,
        current=True,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict("Another key rotation finished at the same time; nothing changed.") from exc
    audit.record(
        session,
        actor=None,
        action="credential_key.rotate",
        target_type="credential_key",
        target_id=row.id,
        detail={"kid": new.kid, "retiredKid": old.kid if old else None},
    )
    return new.kid


def sign(claims: dict[str, Any], *, kid: str, key: OKPKey) -> str:
    header = {"alg": keys.ALGORITHM, "kid": kid, "typ": JWT_TYPE}
    return jwt.encode(header, claims, key, algorithms=[keys.ALGORITHM])


def key_set(session: Session, factory: SessionFactory, secret: str) -> dict[str, Any]:
    """The JWKS: every key's public half (never an empty set: the first key is made here)."""
    rows = repository.all_keys(session)
    if not rows:
        ensure_current_key(factory, secret)
        with session_scope(factory) as fresh:
            return {"keys": [row.public_jwk for row in repository.all_keys(fresh)]}
    return {"keys": [row.public_jwk for row in rows]}
