"""SAML 2.0 service provider for one organisation, built on pysaml2 (signatures by xmlsec1).

Each organisation is its own service provider: entity ID
`{base}/auth/saml/{orgId}/metadata`, assertion consumer service (HTTP-POST)
`{base}/auth/saml/{orgId}/acs`. Its IdP is known from the metadata XML the
organisation's admins paste in; nothing else is trusted.

pysaml2 verifies the signature, the times (NotBefore/NotOnOrAfter of the
conditions and of the bearer confirmation) and that the answer is to our own
request. On top of that an answer is accepted only when:
- the assertion itself is signed, with RSA/ECDSA over SHA-256 or stronger (SHA-1
  and MD5 are refused wherever they appear in a signature);
- the response's Destination and the bearer confirmation's Recipient both name
  this organisation's ACS, and an AudienceRestriction names this SP;
- it comes from the one IdP of the metadata, and carries an email.
Replays are refused by the caller, which records each assertion ID until it expires.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import logging
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, time_util
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.mdstore import InMemoryMetaData
from saml2.metadata import create_metadata_string
from saml2.response import AuthnResponse
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_UNSPECIFIED

from opsportal.auth.sso.errors import SignInFailed
from opsportal.auth.sso.saml_signatures import check_signature_algorithms
from opsportal.messages import N_, Message

logger = logging.getLogger(__name__)

# Clocks of the IdP and this server may differ this much.
ACCEPTED_TIME_DIFF_SECONDS = 60
MAX_METADATA_CHARS = 500_000
MAX_RESPONSE_CHARS = 1_000_000

# Where IdPs put the email and the name (Okta and Google: their own names; Entra ID:
# the claim URIs), compared in lower case.
EMAIL_ATTRIBUTES = (
    "email",
    "mail",
    "emailaddress",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    "urn:oid:0.9.2342.19200300.100.1.3",
)
NAME_ATTRIBUTES = (
    "name",
    "displayname",
    "http://schemas.microsoft.com/identity/claims/displayname",
    "urn:oid:2.16.840.1.113730.3.1.241",
)
GIVEN_NAME_ATTRIBUTES = (
    "givenname",
    "firstname",
    "first_name",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
    "urn:oid:2.5.4.42",
)
FAMILY_NAME_ATTRIBUTES = (
    "surname",
    "sn",
    "lastname",
    "last_name",
    "familyname",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
    "urn:oid:2.5.4.4",
)


class InvalidMetadata(ValueError):
    """The IdP metadata XML is not usable; the message says why."""


def xmlsec_binary() -> str:
    found = shutil.which("xmlsec1")
    if found is None:
        raise RuntimeError("xmlsec1 is not installed (Debian: apt-get install xmlsec1)")
    return found


@dataclass(frozen=True)
class ServiceProvider:
    """This application as the service provider of one organisation."""

    base_url: str
    organization_id: int

    @property
    def entity_id(self) -> str:
        return f"{self.base_url}/auth/saml/{self.organization_id}/metadata"

    @property
    def acs_url(self) -> str:
        return f"{self.base_url}/auth/saml/{self.organization_id}/acs"

    def config(self, idp_metadata_xml: str | None) -> SPConfig:
        settings: dict[str, Any] = {
            "entityid": self.entity_id,
            "xmlsec_binary": xmlsec_binary(),
            "accepted_time_diff": ACCEPTED_TIME_DIFF_SECONDS,
            "allow_unknown_attributes": True,
            "service": {
                "sp": {
                    "endpoints": {
                        "assertion_consumer_service": [(self.acs_url, BINDING_HTTP_POST)],
                    },
                    "want_assertions_signed": True,
                    "want_response_signed": False,
                    "allow_unsolicited": False,
                    "authn_requests_signed": False,
                    "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                    "name_id_format_allow_create": False,
                },
            },
        }
        if idp_metadata_xml is not None:
            settings["metadata"] = {"inline": [idp_metadata_xml]}
        config = SPConfig()
        config.load(settings)
        return config

    def metadata_xml(self) -> str:
        """The SP metadata an IdP imports: entity ID, ACS (HTTP-POST), email NameID."""
        config = self.config(None)
        # Without it pysaml2 would list every algorithm xmlsec1 knows (MD5, SHA-1 among
        # them) as supported; the answers this SP accepts are SHA-256 or stronger.
        config.xmlsec_binary = None
        text = create_metadata_string(None, config=config, valid=None)
        return text.decode("utf-8") if isinstance(text, bytes) else str(text)


def idp_entity_id(metadata_xml: str) -> str:
    """The one IdP the metadata describes, with a signing certificate and a sign-on service."""
    if len(metadata_xml) > MAX_METADATA_CHARS:
        raise InvalidMetadata(
            N_("The metadata is over %(max)s characters.", max=MAX_METADATA_CHARS)
        )
    store = InMemoryMetaData(attrc=None, metadata=metadata_xml)
    try:
        store.parse(metadata_xml)
    except Exception as exc:  # pysaml2 raises bare Exceptions and XML errors alike
        raise InvalidMetadata(
            N_("The metadata XML could not be read (%(why)s).", why=type(exc).__name__)
        ) from exc
    idps = [entity_id for entity_id, entity in store.items() if "idpsso_descriptor" in entity]
    if len(idps) != 1:
        raise InvalidMetadata(
            N_(
                "The metadata must describe exactly one identity provider; it describes %(n)s.",
                n=len(idps),
            )
        )
    entity_id = idps[0]
    if not store.certs(entity_id, "idpsso", "signing"):
        raise InvalidMetadata(N_("The identity provider's metadata has no signing certificate."))
    services = store.service(
        entity_id, "idpsso_descriptor", "single_sign_on_service", BINDING_HTTP_REDIRECT
    )
    if not services:
        raise InvalidMetadata(
            N_(
                "The identity provider's metadata has no SingleSignOnService with the "
                "HTTP-Redirect binding."
            )
        )
    return str(entity_id)


def _client(sp: ServiceProvider, idp_metadata_xml: str) -> Saml2Client:
    return Saml2Client(config=sp.config(idp_metadata_xml))


@dataclass(frozen=True)
class Request:
    id: str
    redirect_url: str


def authn_request(
    sp: ServiceProvider, *, idp_metadata_xml: str, idp_entity_id: str, relay_state: str
) -> Request:
    """An AuthnRequest to the IdP over HTTP-Redirect, answered by HTTP-POST to our ACS."""
    client = _client(sp, idp_metadata_xml)
    request_id, info = client.prepare_for_authenticate(
        entityid=idp_entity_id,
        relay_state=relay_state,
        binding=BINDING_HTTP_REDIRECT,
        response_binding=BINDING_HTTP_POST,
    )
    location = dict(info["headers"])["Location"]
    return Request(id=str(request_id), redirect_url=str(location))


@dataclass(frozen=True)
class Assertion:
    """What a verified assertion says."""

    id: str
    email: str
    name: str | None
    expires_at: datetime


def _decoded(saml_response: str) -> str:
    if not saml_response or len(saml_response) > MAX_RESPONSE_CHARS:
        raise SignInFailed(N_("The sign-in answer is missing or too large."))
    try:
        return base64.b64decode(saml_response, validate=False).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise SignInFailed(N_("The sign-in answer is not a base64-encoded SAML response.")) from exc


def verify(
    sp: ServiceProvider,
    *,
    idp_metadata_xml: str,
    idp_entity_id: str,
    saml_response: str,
    request_id: str,
) -> Assertion:
    """The assertion of an IdP's answer to our request `request_id`, once every check passed."""
    xml = _decoded(saml_response)
    client = _client(sp, idp_metadata_xml)
    try:
        response = client.parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding={request_id: "/"}
        )
    except Exception as exc:  # pysaml2 raises many types, bare Exception among them
        logger.info("SAML response refused for organization %s: %s", sp.organization_id, exc)
        raise SignInFailed(
            N_("The SAML response was refused: %(reason)s", reason=Message.of(_reason(exc)))
        ) from exc
    if not isinstance(response, AuthnResponse) or response.assertion is None:
        raise SignInFailed(
            N_(
                "The SAML response was refused: it is not an answer to this sign-in "
                "(destination, or request)."
            )
        )
    _check_destination(response, sp)
    _check_issuer(response, idp_entity_id)
    check_signature_algorithms(xml)
    assertion = response.assertion
    _check_audience(assertion, sp)
    _check_recipient(assertion, sp)
    expires_at = _expiry(assertion)
    email, name = _email_and_name(response)
    return Assertion(id=str(assertion.id), email=email, name=name, expires_at=expires_at)


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    name = type(exc).__name__
    if "ResponseLifetimeExceed" in name or "ToEarly" in name or "too old" in text.lower():
        return N_("the assertion has expired or is not valid yet.")
    if "Signature" in name or "signature" in text.lower():
        return N_("its signature is missing or does not verify against the IdP's certificate.")
    if "Unsolicited" in name or "don't recall" in text:
        return N_("it answers no sign-in that started here.")
    if "Audience" in text:
        return N_("it is meant for another service provider (audience).")
    return text[:300]


def _check_destination(response: AuthnResponse, sp: ServiceProvider) -> None:
    if response.response.destination != sp.acs_url:
        raise SignInFailed(N_("The SAML response is addressed to another service (Destination)."))


def _check_issuer(response: AuthnResponse, idp_entity_id: str) -> None:
    issuers = {
        issuer.text.strip()
        for issuer in (response.response.issuer, response.assertion.issuer)
        if issuer is not None and issuer.text
    }
    if issuers != {idp_entity_id}:
        raise SignInFailed(N_("The SAML response comes from another identity provider (Issuer)."))


def _check_audience(assertion: Any, sp: ServiceProvider) -> None:
    conditions = assertion.conditions
    audiences = [
        audience.text.strip()
        for restriction in (conditions.audience_restriction if conditions else [])
        for audience in restriction.audience
        if audience.text
    ]
    if sp.entity_id not in audiences:
        raise SignInFailed(N_("The assertion is meant for another service provider (Audience)."))


def _check_recipient(assertion: Any, sp: ServiceProvider) -> None:
    confirmations = assertion.subject.subject_confirmation if assertion.subject else []
    recipients = [
        c.subject_confirmation_data.recipient
        for c in confirmations
        if c.subject_confirmation_data is not None
    ]
    if not recipients or any(recipient != sp.acs_url for recipient in recipients):
        raise SignInFailed(N_("The assertion is meant for another recipient (Recipient)."))


def _expiry(assertion: Any) -> datetime:
    """When the assertion stops being valid: the earliest NotOnOrAfter it states."""
    times = []
    if assertion.conditions is not None and assertion.conditions.not_on_or_after:
        times.append(assertion.conditions.not_on_or_after)
    for confirmation in assertion.subject.subject_confirmation:
        data = confirmation.subject_confirmation_data
        if data is not None and data.not_on_or_after:
            times.append(data.not_on_or_after)
    if not times:
        raise SignInFailed(N_("The assertion states no NotOnOrAfter: it would never expire."))
    stamps = [calendar.timegm(time_util.str_to_time(t)) for t in times]
    return datetime.fromtimestamp(min(stamps), tz=UTC) + timedelta(
        seconds=ACCEPTED_TIME_DIFF_SECONDS
    )


def _first(values: dict[str, list[str]], names: tuple[str, ...]) -> str | None:
    for name in names:
        for value in values.get(name, []):
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


def _email_and_name(response: AuthnResponse) -> tuple[str, str | None]:
    attributes: dict[str, list[str]] = {}
    for key, values in (response.ava or {}).items():
        attributes.setdefault(str(key).lower(), []).extend(v for v in values if isinstance(v, str))
    email = _first(attributes, EMAIL_ATTRIBUTES)
    name_id = response.name_id
    if email is None and name_id is not None and name_id.text:
        if name_id.format in (NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_UNSPECIFIED, None):
            email = name_id.text.strip()
    if email is None or "@" not in email:
        raise SignInFailed(
            N_(
                "The assertion carries no email address (NameID in emailAddress format, or an "
                "`email` attribute)."
            )
        )
    name = _first(attributes, NAME_ATTRIBUTES)
    if name is None:
        given = _first(attributes, GIVEN_NAME_ATTRIBUTES) or ""
        family = _first(attributes, FAMILY_NAME_ATTRIBUTES) or ""
        name = f"{given} {family}".strip() or None
    return email, name


def in_response_to(saml_response: str) -> str | None:
    """The request an answer claims to answer (read before any check; verified afterwards)."""
    from defusedxml import ElementTree

    try:
        root = ElementTree.fromstring(_decoded(saml_response))
    except SignInFailed:
        raise
    except Exception as exc:
        raise SignInFailed(N_("The SAML response is not well-formed XML.")) from exc
    value = root.get("InResponseTo")
    return value if value and len(value) <= 100 else None
