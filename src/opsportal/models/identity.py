"""Organisations, users, their API tokens, SCIM tokens, password-reset links and failed logins."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, false, func, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opsportal.models.base import Base, utcnow


class OrganizationStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    CHURNED = "CHURNED"


class Role(enum.StrEnum):
    ADMIN = "admin"
    INTERNAL = "internal"
    CUSTOMER = "customer"
    # A customer user who also manages its own organisation's customer users.
    CUSTOMER_ADMIN = "customer_admin"

    @property
    def is_staff(self) -> bool:
        return self in STAFF_ROLES

    @property
    def is_customer(self) -> bool:
        """Customer roles belong to exactly one organisation and see only its data."""
        return not self.is_staff


STAFF_ROLES = frozenset({Role.ADMIN, Role.INTERNAL})
CUSTOMER_ROLES = frozenset({Role.CUSTOMER, Role.CUSTOMER_ADMIN})


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    industry_sector: Mapped[str | None] = mapped_column(String(100), index=True)
    employee_count: Mapped[int | None]
    status: Mapped[OrganizationStatus] = mapped_column(
        Enum(OrganizationStatus, native_enum=False, length=20),
        default=OrganizationStatus.ACTIVE,
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class User(Base):
    """An account. Its email is its own once confirmed: a user created by a customer_admin
    is confirmed when it accepts the invitation emailed to it (users/service.py).

    Confirmed addresses are unique; an unconfirmed one may also be another
    account's (a customer_admin typed an address that is in use elsewhere), and
    such a user never signs in with it and is sent no mail at it.
    """

    __tablename__ = "users"
    __table_args__ = (
        Index(
            "uq_users_confirmed_email",
            "email",
            unique=True,
            sqlite_where=text("email_confirmed"),
            postgresql_where=text("email_confirmed"),
        ),
        # The organisation's own id for a person (its HR system's, its IdP's): one per organisation.
        Index(
            "ux_users_organization_id_external_id", "organization_id", "external_id", unique=True
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Copied into the web session at sign-in and checked on every request;
    # bumping it (logout, password change) ends every session of this user.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # False until the address's owner accepts the invitation emailed to it (a user
    # created by a customer_admin); it cannot sign in with a password until then.
    email_confirmed: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Bumped by every change of role, organisation, password or active flag: an
    # API token or password link is good only while it carries the epoch its user
    # had when it was issued (see auth.sessions.end_credentials).
    credentials_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    # Set by a roster import or the organisation's directory (SCIM `externalId`).
    external_id: Mapped[str | None] = mapped_column(String(200))
    # Removed by the organisation's directory (SCIM DELETE): deactivated and gone from
    # SCIM, the row kept so that certificates stay verifiable and the audit trail whole.
    deleted_at: Mapped[datetime | None]
    # What the directory sent for the SCIM attributes without a column of their own
    # (name parts, displayName, emails), returned to it as sent; None for users it never wrote.
    scim_attributes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # When the person's name, email and free text were erased (privacy/erasure.py);
    # the row stays, for the certificates and the audit trail that refer to it.
    erased_at: Mapped[datetime | None]
    # The language the person chose for the pages and their email (a shipped locale
    # code); None: their browser's Accept-Language, else the deployment's default.
    locale: Mapped[str | None] = mapped_column(String(35))

    organization: Mapped[Organization | None] = relationship(lazy="raise")


# Emails are compared lower-cased (sign-in, creating a user, a roster's lines): one lookup,
# not a scan of every user.
Index("ix_users_lower_email", func.lower(User.email))


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the token: the token itself is 256 random bits, so a fast hash
    # is safe here and keeps every authenticated request cheap.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="cli")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    # Updated at most once a minute per token (see auth.service.authenticate_token).
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # The user's credentials_epoch when the token was issued.
    credentials_epoch: Mapped[int] = mapped_column(default=0, server_default="0")

    user: Mapped[User] = relationship(lazy="raise")


class ScimToken(Base):
    """A bearer token an organisation's directory (Okta, Entra ID) provisions users with."""

    __tablename__ = "scim_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    # SHA-256, like API tokens: 256 random bits need no slow hash.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class PasswordReset(Base):
    """A one-time link to set a password (an invitation, or a reset); stored as SHA-256."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    # An invitation emailed to the address: using it confirms the user's address.
    # A link handed to an administrator sets a password only.
    confirms_address: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The user's credentials_epoch when the link was issued.
    credentials_epoch: Mapped[int] = mapped_column(default=0, server_default="0")


class LoginFailure(Base):
    """One failed password login; the throttle counts these within its window.

    Kept in the database so that every process and replica counts the same
    failures. The email is stored as a SHA-256 of its lower-cased form.
    """

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_email_failed_at", "email_hash", "failed_at"),
        Index("ix_login_failures_address_failed_at", "address", "failed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email_hash: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(100))
    failed_at: Mapped[datetime] = mapped_column(index=True)
