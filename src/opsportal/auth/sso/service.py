"""Single sign-on: configuring an organisation's IdP and domains, and who a sign-in makes.

Who may sign in through an identity provider:
- the company's OIDC provider (staff): existing admins and internal users by
  verified email, and new `internal` users of the staff domains; never a customer;
- an organisation's IdP: only emails of that organisation's domains, and among
  them only that organisation's own customer users (new ones if it creates users
  just in time). An IdP never signs anyone into another organisation, nor staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from opsportal.audit import record
from opsportal.auth import repository as auth_repository
from opsportal.auth.service import create_user
from opsportal.auth.sso import oidc, repository
from opsportal.auth.sso.errors import SignInFailed, SignInRefused
from opsportal.config_values import email_domain
from opsportal.errors import NotFound
from opsportal.kit import sealing
from opsportal.messages import N_
from opsportal.models import OrganizationSso, Role, SsoProtocol
from opsportal.models.base import utcnow
from opsportal.principal import Principal

if TYPE_CHECKING:
    # pysaml2 takes about a second to import (a third of the server's start):
    # the functions below import it when a SAML sign-in first needs it.
    from opsportal.auth.sso import saml

# Binds the derived key to this purpose: the same secret signs session cookies.
_SEAL_PURPOSE = b"opsportal sso client secrets v1"
# How long a SAML request waits for its answer.
SAML_REQUEST_TTL = timedelta(minutes=10)


# --- who may configure ----------------------------------------------------------


# --- sealing the client secret ----------------------------------------------------


def seal_secret(secret_key: str, organization_id: int, client_secret: str) -> str:
    return sealing.seal(
        secret_key,
        purpose=_SEAL_PURPOSE,
        plaintext=client_secret.encode("utf-8"),
        associated_data=f"organization:{organization_id}".encode("ascii"),
    )


def unseal_secret(secret_key: str, organization_id: int, sealed: str) -> str:
    try:
        return sealing.unseal(
            secret_key,
            purpose=_SEAL_PURPOSE,
            sealed=sealed,
            associated_data=f"organization:{organization_id}".encode("ascii"),
        ).decode("utf-8")
    except sealing.SealUnreadable:
        raise SignInFailed(
            N_(
                "The organisation's OIDC client secret cannot be opened with this server's "
                "secret key (it changed); an admin must enter the client secret again."
            )
        ) from None


# --- reading and changing the configuration ----------------------------------------


def login_path(sso: OrganizationSso) -> str:
    if sso.protocol is SsoProtocol.SAML:
        return f"/auth/saml/{sso.organization_id}/login"
    return f"/auth/oidc/{sso.organization_id}/login"


def organization_redirect_uri(base_url: str, organization_id: int) -> str:
    return f"{base_url}/auth/oidc/{organization_id}/callback"


# --- home-realm discovery ----------------------------------------------------------


def sso_for_email(session: Session, email: str) -> OrganizationSso | None:
    """The IdP an email's organisation signs in with (by its domain), if any."""
    domain = email_domain(email)
    if domain is None or "\x00" in domain:
        return None
    return repository.sso_for_domain(session, domain)


def organization_sso(session: Session, organization_id: int) -> OrganizationSso:
    """The organisation's IdP, for a sign-in to start or finish (404 if it has none)."""
    sso = repository.get_sso(session, organization_id)
    if sso is None:
        raise NotFound(N_("Organization %(id)s has no single sign-on.", id=organization_id))
    return sso


def oidc_client(sso: OrganizationSso, *, base_url: str, secret_key: str) -> oidc.Client:
    if sso.protocol is not SsoProtocol.OIDC or not sso.oidc_issuer or not sso.oidc_client_id:
        raise NotFound(
            N_(
                "Organization %(id)s does not sign in with OpenID Connect.",
                id=sso.organization_id,
            )
        )
    secret = (
        unseal_secret(secret_key, sso.organization_id, sso.oidc_client_secret_sealed)
        if sso.oidc_client_secret_sealed
        else None
    )
    return oidc.Client(
        issuer=sso.oidc_issuer,
        client_id=sso.oidc_client_id,
        client_secret=secret,
        redirect_uri=organization_redirect_uri(base_url, sso.organization_id),
    )


# --- who a sign-in makes -----------------------------------------------------------


@dataclass(frozen=True)
class Vouched:
    """An email (and name) an identity provider vouches for, after every check of its answer."""

    email: str
    name: str | None


def _name_for(vouched: Vouched) -> str:
    return (vouched.name or "").strip()[:200] or vouched.email.split("@", 1)[0][:200]


def sign_in_organization_user(
    session: Session, *, organization_id: int, vouched: Vouched, via: str
) -> Principal:
    """The customer user an organisation's IdP signs in: its own, of its domains (maybe new)."""
    sso = organization_sso(session, organization_id)
    domain = email_domain(vouched.email)
    if domain is None or domain not in repository.domains_of(session, organization_id):
        raise SignInRefused(
            N_(
                "This organisation's identity provider vouched for %(email)s, which is not "
                "of the organisation's email domains; it may sign in only its own people.",
                email=vouched.email,
            )
        )
    user = auth_repository.get_user_by_email(session, vouched.email)
    if user is None:
        # Its own user whose address was not confirmed yet: the organisation's IdP vouches for it.
        user = auth_repository.get_organization_user_by_email(
            session, organization_id=organization_id, email=vouched.email
        )
        if user is not None and user.role.is_customer:
            user.email_confirmed = True
            session.flush()
    if user is None:
        if not sso.jit_provisioning:
            raise SignInRefused(
                N_(
                    "There is no opsportal account for %(email)s; ask your organisation's "
                    "admin to add you.",
                    email=vouched.email,
                )
            )
        user = create_user(
            session,
            email=vouched.email,
            name=_name_for(vouched),
            role=Role.CUSTOMER,
            organization_id=organization_id,
        )
        record(
            session,
            actor=None,
            action="sso.jit_create",
            target_type="user",
            target_id=user.id,
            detail={"organizationId": organization_id, "email": user.email, "via": via},
        )
    elif user.organization_id != organization_id or not user.role.is_customer:
        raise SignInRefused(
            N_(
                "%(email)s belongs to another organisation; this identity provider may sign "
                "in only its own organisation's people.",
                email=vouched.email,
            )
        )
    if not user.is_active:
        raise SignInRefused(N_("The account of %(email)s is deactivated.", email=vouched.email))
    return Principal.of(user)


def sign_in_staff(
    session: Session, *, vouched: Vouched, staff_domains: frozenset[str]
) -> Principal:
    """The staff member the company's OIDC provider signs in (new ones: internal, staff domains)."""
    user = auth_repository.get_user_by_email(session, vouched.email)
    if user is None:
        domain = email_domain(vouched.email)
        if domain is None or domain not in staff_domains:
            raise SignInRefused(
                N_(
                    "%(email)s is not of a staff domain; there is no staff account for it.",
                    email=vouched.email,
                )
            )
        user = create_user(
            session, email=vouched.email, name=_name_for(vouched), role=Role.INTERNAL
        )
        record(
            session,
            actor=None,
            action="sso.jit_create",
            target_type="user",
            target_id=user.id,
            detail={"email": user.email, "role": Role.INTERNAL, "via": "staff-oidc"},
        )
    elif not user.role.is_staff:
        raise SignInRefused(
            N_(
                "%(email)s is a customer account; the staff sign-in is for staff only.",
                email=vouched.email,
            )
        )
    if not user.is_active:
        raise SignInRefused(N_("The account of %(email)s is deactivated.", email=vouched.email))
    return Principal.of(user)


# --- SAML requests and answers ------------------------------------------------------


def saml_service_provider(base_url: str, organization_id: int) -> saml.ServiceProvider:
    from opsportal.auth.sso import saml

    return saml.ServiceProvider(base_url, organization_id)


def saml_settings(sso: OrganizationSso) -> tuple[str, str]:
    """(IdP metadata XML, IdP entity ID) of an organisation that signs in with SAML."""
    if (
        sso.protocol is not SsoProtocol.SAML
        or not sso.saml_idp_metadata_xml
        or not sso.saml_idp_entity_id
    ):
        raise NotFound(
            N_("Organization %(id)s does not sign in with SAML.", id=sso.organization_id)
        )
    return sso.saml_idp_metadata_xml, sso.saml_idp_entity_id


def start_saml(session: Session, *, organization_id: int, base_url: str, next_path: str) -> str:
    """Send an AuthnRequest: remember it (until answered or expired) and return the IdP's URL."""
    sso = organization_sso(session, organization_id)
    metadata_xml, entity_id = saml_settings(sso)
    sp = saml_service_provider(base_url, organization_id)
    from opsportal.auth.sso import saml

    request = saml.authn_request(
        sp, idp_metadata_xml=metadata_xml, idp_entity_id=entity_id, relay_state=""
    )
    now = utcnow()
    repository.forget_expired(session, now=now)
    repository.add_saml_request(
        session,
        request_id=request.id,
        organization_id=organization_id,
        next_path=next_path,
        expires_at=now + SAML_REQUEST_TTL,
    )
    return request.redirect_url


def verify_saml_answer(
    session: Session, *, organization_id: int, base_url: str, saml_response: str
) -> tuple[str, saml.Assertion]:
    """(request id, assertion) of an IdP's answer, once its signature, times, audience,
    recipient and issuer are right. Reads only: the answer is accepted by `accept_saml`."""
    sso = organization_sso(session, organization_id)
    metadata_xml, entity_id = saml_settings(sso)
    from opsportal.auth.sso import saml

    request_id = saml.in_response_to(saml_response)
    if request_id is None:
        raise SignInFailed(
            N_(
                "This answer names no sign-in request; sign-ins start here (IdP-initiated "
                "sign-in is not accepted)."
            )
        )
    assertion = saml.verify(
        saml_service_provider(base_url, organization_id),
        idp_metadata_xml=metadata_xml,
        idp_entity_id=entity_id,
        saml_response=saml_response,
        request_id=request_id,
    )
    return request_id, assertion


def accept_saml(
    session: Session,
    *,
    organization_id: int,
    request_id: str,
    assertion: saml.Assertion,
    now: datetime | None = None,
) -> tuple[Principal, str]:
    """(who signed in, where to go): the request is used up and the assertion recorded, so
    neither is accepted again, by this process or any other."""
    now = now or utcnow()
    next_path = repository.take_saml_request(
        session, request_id=request_id, organization_id=organization_id, now=now
    )
    if next_path is None:
        raise SignInFailed(
            N_(
                "This answer is to no sign-in that is waiting for one here (it was used "
                "already, or expired). Start signing in again."
            )
        )
    if not repository.use_assertion(
        session,
        assertion_id=assertion.id,
        organization_id=organization_id,
        expires_at=assertion.expires_at,
    ):
        raise SignInFailed(N_("This assertion was used already; a replay is refused."))
    principal = sign_in_organization_user(
        session,
        organization_id=organization_id,
        vouched=Vouched(email=assertion.email, name=assertion.name),
        via="saml",
    )
    return principal, next_path
