"""Single sign-on: an organisation's email domains, its IdP, and the SAML exchanges in flight."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from opsportal.models.base import Base, utcnow


class SsoProtocol(enum.StrEnum):
    OIDC = "oidc"
    SAML = "saml"


class OrganizationDomain(Base):
    """An email domain of one organisation (lower case): its IdP vouches for this domain only.

    The domain is the primary key, so no domain can belong to two organisations.
    """

    __tablename__ = "organization_domains"

    domain: Mapped[str] = mapped_column(String(253), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrganizationSso(Base):
    """An organisation's identity provider: OpenID Connect or SAML 2.0, one per organisation."""

    __tablename__ = "organization_sso"

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    protocol: Mapped[SsoProtocol] = mapped_column(Enum(SsoProtocol, native_enum=False, length=10))
    # Unknown users of the organisation's domains are created on their first sign-in.
    jit_provisioning: Mapped[bool] = mapped_column(default=False)
    oidc_issuer: Mapped[str | None] = mapped_column(String(500))
    oidc_client_id: Mapped[str | None] = mapped_column(String(500))
    # AES-GCM under a key derived from the secret key (kit/sealing.py), bound to the
    # organisation's id; never read back through the API.
    oidc_client_secret_sealed: Mapped[str | None] = mapped_column(Text)
    saml_idp_metadata_xml: Mapped[str | None] = mapped_column(Text)
    saml_idp_entity_id: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SamlRequest(Base):
    """An authentication request sent to an organisation's SAML IdP, awaiting its answer.

    In the database, not the session cookie: the IdP's answer is a cross-site POST,
    which a SameSite=Lax cookie does not come with. Used once, then deleted.
    """

    __tablename__ = "saml_requests"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    next_path: Mapped[str] = mapped_column(String(2000), default="/")
    expires_at: Mapped[datetime] = mapped_column(index=True)


class SamlAssertionUse(Base):
    """An assertion already accepted: kept until it expires, so a replay is refused everywhere."""

    __tablename__ = "saml_assertion_uses"

    assertion_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime] = mapped_column(index=True)
