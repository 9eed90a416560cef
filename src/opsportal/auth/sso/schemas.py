"""An organisation's single sign-on, as the API reads and writes it (secrets are never read)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator, model_validator

from opsportal.config_values import check_issuer_url, normalise_domain
from opsportal.models import SsoProtocol
from opsportal.schemas import ApiModel, InputModel

MAX_DOMAINS = 50
Issuer = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
ClientId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
ClientSecret = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
MetadataXml = Annotated[str, StringConstraints(min_length=1, max_length=500_000)]
Domain = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=253)]


class OidcSettings(InputModel):
    issuer: Issuer
    client_id: ClientId
    # Omitted: the stored secret stays (it is never read back to be sent again).
    client_secret: ClientSecret | None = None

    @field_validator("issuer")
    @classmethod
    def _issuer_url(cls, value: str) -> str:
        return check_issuer_url(value)


class SamlSettings(InputModel):
    idp_metadata_xml: MetadataXml


def _domains(values: list[str]) -> list[str]:
    found = sorted({normalise_domain(value) for value in values})
    if len(found) > MAX_DOMAINS:
        raise ValueError(f"at most {MAX_DOMAINS} domains")
    return found


class SsoUpdate(InputModel):
    """The whole single sign-on of an organisation; `oidc` or `saml` as `protocol` says."""

    protocol: SsoProtocol
    jit_provisioning: bool = False
    oidc: OidcSettings | None = None
    saml: SamlSettings | None = None
    # The email domains its IdP vouches for: admins only (a customer_admin may send
    # them unchanged). Omitted: they stay as they are.
    domains: list[Domain] | None = Field(default=None, max_length=MAX_DOMAINS)

    @field_validator("domains")
    @classmethod
    def _normalised(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _domains(value)

    @model_validator(mode="after")
    def _settings_for_protocol(self) -> SsoUpdate:
        if self.protocol is SsoProtocol.OIDC and self.oidc is None:
            raise ValueError("protocol oidc needs `oidc: {issuer, clientId, clientSecret}`")
        if self.protocol is SsoProtocol.SAML and self.saml is None:
            raise ValueError("protocol saml needs `saml: {idpMetadataXml}`")
        return self


class DomainsUpdate(InputModel):
    domains: list[Domain] = Field(max_length=MAX_DOMAINS)

    @field_validator("domains")
    @classmethod
    def _normalised(cls, value: list[str]) -> list[str]:
        return _domains(value)


class DomainsRead(ApiModel):
    organization_id: int
    domains: list[str]


class OidcRead(ApiModel):
    issuer: str
    client_id: str
    # Whether a secret is stored; the secret itself is never read back.
    client_secret_set: bool
    # What to register at the IdP as the redirect (sign-in) URI.
    redirect_uri: str


class SamlRead(ApiModel):
    idp_entity_id: str
    idp_metadata_xml: str
    # What to give the IdP: the SP's entity ID (its metadata URL) and its ACS URL.
    sp_entity_id: str
    acs_url: str
    sp_metadata_url: str


class SsoRead(ApiModel):
    organization_id: int
    protocol: SsoProtocol
    jit_provisioning: bool
    oidc: OidcRead | None
    saml: SamlRead | None
    domains: list[str]
    # Where a person of the organisation starts signing in (the login page sends them here).
    login_url: str
    updated_at: datetime
