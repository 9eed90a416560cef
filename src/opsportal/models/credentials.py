"""Portable credentials: the issuer's signing keys and each certificate's status-list bit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opsportal.models.base import Base, utcnow


class CredentialKey(Base):
    """An Ed25519 signing key; its public half stays published after rotation.

    `current` is True on exactly one row and NULL on the others: the unique
    constraint (NULLs never collide) makes "one current key" a fact the
    database enforces, so two processes creating or rotating at once cannot
    both win.
    """

    __tablename__ = "credential_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The RFC 7638 thumbprint of the public key: the JWT header's `kid`.
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    # AES-GCM with a key derived from the application's secret key (see
    # training/credentials/keys.py); base64url of nonce + ciphertext.
    private_key_sealed: Mapped[str] = mapped_column(Text)
    current: Mapped[bool | None] = mapped_column(unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]


class CredentialStatusEntry(Base):
    """A certificate's place in a Bitstring Status List, and its identity-hash salt.

    Assigned once (at issue, or on the first credential download of an older
    certificate) and never moved, so every credential issued for the
    certificate points at the same bit.
    """

    __tablename__ = "credential_status_entries"
    __table_args__ = (UniqueConstraint("list_id", "list_index"),)

    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("training_certificates.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )
    list_id: Mapped[int] = mapped_column(Integer)
    list_index: Mapped[int] = mapped_column(Integer)
    salt: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
