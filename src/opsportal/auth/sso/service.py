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

from sqlalchemy.orm import Session

from opsportal.audit import record
from opsportal.auth import repository as auth_repository
from opsportal.auth.service import create_user
from opsportal.auth.sso import oidc, repository, saml
from opsportal.auth.sso.errors import SignInFailed, SignInRefused
from opsportal.auth.sso.schemas import (
    OidcRead,
    SamlRead,
    SsoRead,
    SsoUpdate,
)
from opsportal.config_values import email_domain
from opsportal.db import flush_or_conflict
from opsportal.errors import Conflict, Forbidden, InvalidInput, NotFound
from opsportal.kit import sealing
from opsportal.models import Organization, OrganizationSso, Role, SsoProtocol
from opsportal.models.base import utcnow
from opsportal.principal import Principal

# Binds the derived key to this purpose: the same secret signs session cookies.
_SEAL_PURPOSE = b"opsportal sso client secrets v1"
# How long a SAML request waits for its answer.
SAML_REQUEST_TTL = timedelta(minutes=10)


# --- who may configure ----------------------------------------------------------


def _organization_for_manager(
    session: Session, *, principal: Principal, organization_id: int
) -> Organization:
    """Admins for every organisation; a customer_admin for its own (others: 404, never 'exists')."""
    principal.require_organization(organization_id)
    if not (principal.is_admin or principal.is_customer_admin):
        raise Forbidden("Single sign-on is configured by admins and the organisation's admins.")
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(f"Organization {organization_id} not found.")
    return organization


# --- sealing the client secret ----------------------------------------------------


def _seal(secret_key: str, organization_id: int, client_secret: str) -> str:
    return sealing.seal(
        secret_key,
        purpose=_SEAL_PURPOSE,
        plaintext=client_secret.encode("utf-8"),
        associated_data=f"organization:{organization_id}".encode("ascii"),
    )


def _unseal(secret_key: str, organization_id: int, sealed: str) -> str:
    try:
        return sealing.unseal(
            secret_key,
            purpose=_SEAL_PURPOSE,
            sealed=sealed,
            associated_data=f"organization:{organization_id}".encode("ascii"),
        ).decode("utf-8")
    except sealing.SealUnreadable:
        raise SignInFailed(
            "The organisation's OIDC client secret cannot be opened with this server's secret "
            "key (it changed); an admin must enter the client secret again."
        ) from None


# --- reading and changing the configuration ----------------------------------------


def view(session: Session, *, sso: OrganizationSso, base_url: str) -> SsoRead:
    organization_id = sso.organization_id
    oidc_view = None
    if sso.protocol is SsoProtocol.OIDC and sso.oidc_issuer and sso.oidc_client_id:
        oidc_view = OidcRead(
            issuer=sso.oidc_issuer,
            client_id=sso.oidc_client_id,
            client_secret_set=sso.oidc_client_secret_sealed is not None,
            redirect_uri=organization_redirect_uri(base_url, organization_id),
        )
    saml_view = None
    if sso.protocol is SsoProtocol.SAML and sso.saml_idp_metadata_xml and sso.saml_idp_entity_id:
        sp = saml.ServiceProvider(base_url, organization_id)
        saml_view = SamlRead(
            idp_entity_id=sso.saml_idp_entity_id,
            idp_metadata_xml=sso.saml_idp_metadata_xml,
            sp_entity_id=sp.entity_id,
            acs_url=sp.acs_url,
            sp_metadata_url=sp.entity_id,
        )
    return SsoRead(
        organization_id=organization_id,
        protocol=sso.protocol,
        jit_provisioning=sso.jit_provisioning,
        oidc=oidc_view,
        saml=saml_view,
        domains=repository.domains_of(session, organization_id),
        login_url=f"{base_url}{login_path(sso)}",
        updated_at=sso.updated_at,
    )


def login_path(sso: OrganizationSso) -> str:
    if sso.protocol is SsoProtocol.SAML:
        return f"/auth/saml/{sso.organization_id}/login"
    return f"/auth/oidc/{sso.organization_id}/login"


def organization_redirect_uri(base_url: str, organization_id: int) -> str:
    return f"{base_url}/auth/oidc/{organization_id}/callback"


def get_sso(session: Session, *, principal: Principal, organization_id: int) -> OrganizationSso:
    _organization_for_manager(session, principal=principal, organization_id=organization_id)
    sso = repository.get_sso(session, organization_id)
    if sso is None:
        raise NotFound(f"Organization {organization_id} has no single sign-on configured.")
    return sso


def find_sso(
    session: Session, *, principal: Principal, organization_id: int
) -> OrganizationSso | None:
    """The organisation's SSO for a page that shows it or an empty form (None)."""
    _organization_for_manager(session, principal=principal, organization_id=organization_id)
    return repository.get_sso(session, organization_id)


def domains(session: Session, *, principal: Principal, organization_id: int) -> list[str]:
    _organization_for_manager(session, principal=principal, organization_id=organization_id)
    return repository.domains_of(session, organization_id)


def set_domains(
    session: Session, *, principal: Principal, organization_id: int, domains: list[str]
) -> list[str]:
    """Admins only: the email domains this organisation's IdP vouches for (each in one org)."""
    _organization_for_manager(session, principal=principal, organization_id=organization_id)
    before = repository.domains_of(session, organization_id)
    if before == domains:
        return before
    if not principal.is_admin:
        raise Forbidden("An organisation's email domains are set by admins only.")
    taken = {
        domain: owner
        for domain, owner in repository.owners_of(session, domains).items()
        if owner != organization_id
    }
    if taken:
        domain, owner = sorted(taken.items())[0]
        raise Conflict(f"The domain {domain} already belongs to organization {owner}.")
    repository.replace_domains(session, organization_id, domains)
    flush_or_conflict(session, "One of these domains was just given to another organization.")
    record(
        session,
        actor=principal,
        action="organization.domains",
        target_type="organization",
        target_id=organization_id,
        detail={"before": before, "after": domains},
    )
    return domains


def put_sso(
    session: Session,
    *,
    principal: Principal,
    organization_id: int,
    data: SsoUpdate,
    secret_key: str,
    allow_http_issuer: bool = False,
) -> OrganizationSso:
    """Create or replace the organisation's IdP; domains too when an admin sends them.

    An http issuer (on this machine's loopback only) is for development and tests:
    in production the server would otherwise fetch what an organisation's admin
    names from its own loopback.
    """
    _organization_for_manager(session, principal=principal, organization_id=organization_id)
    if data.oidc is not None and data.oidc.issuer.startswith("http://") and not allow_http_issuer:
        raise InvalidInput("The issuer must be an https URL.", field="oidc.issuer")
    if (
        data.domains is not None
        and not principal.is_admin
        and data.domains != repository.domains_of(session, organization_id)
    ):
        raise Forbidden("An organisation's email domains are set by admins only.")
    sso = repository.get_sso(session, organization_id)
    created = sso is None
    if sso is None:
        sso = OrganizationSso(organization_id=organization_id)
    before = _audit_view(sso) if not created else None
    sso.protocol = data.protocol
    sso.jit_provisioning = data.jit_provisioning
    if data.protocol is SsoProtocol.OIDC:
        assert data.oidc is not None
        secret = data.oidc.client_secret
        if secret is None and (
            sso.oidc_client_secret_sealed is None
            or sso.oidc_client_id != data.oidc.client_id
            or sso.oidc_issuer != data.oidc.issuer
        ):
            raise InvalidInput(
                "oidc.clientSecret is required for a new client.", field="oidc.clientSecret"
            )
        sso.oidc_issuer = data.oidc.issuer
        sso.oidc_client_id = data.oidc.client_id
        if secret is not None:
            sso.oidc_client_secret_sealed = _seal(secret_key, organization_id, secret)
        sso.saml_idp_metadata_xml = None
        sso.saml_idp_entity_id = None
    else:
        assert data.saml is not None
        try:
            entity_id = saml.idp_entity_id(data.saml.idp_metadata_xml)
        except saml.InvalidMetadata as exc:
            raise InvalidInput(str(exc), field="saml.idpMetadataXml") from exc
        sso.saml_idp_metadata_xml = data.saml.idp_metadata_xml
        sso.saml_idp_entity_id = entity_id
        sso.oidc_issuer = None
        sso.oidc_client_id = None
        sso.oidc_client_secret_sealed = None
    sso.updated_at = utcnow()
    if created:
        session.add(sso)
    session.flush()
    if data.domains is not None:
        set_domains(
            session, principal=principal, organization_id=organization_id, domains=data.domains
        )
    after = _audit_view(sso)
    record(
        session,
        actor=principal,
        action="sso.create" if created else "sso.update",
        target_type="organization",
        target_id=organization_id,
        detail={
            **({"before": before} if before else {}),
            "after": after,
            "clientSecretChanged": data.oidc is not None and data.oidc.client_secret is not None,
        },
    )
    oidc.forget_providers()
    return sso


def _audit_view(sso: OrganizationSso) -> dict[str, object]:
    """What the trail keeps of a configuration: never the secret, nor the whole metadata."""
    return {
        "protocol": sso.protocol,
        "jitProvisioning": sso.jit_provisioning,
        "oidcIssuer": sso.oidc_issuer,
        "oidcClientId": sso.oidc_client_id,
        "samlIdpEntityId": sso.saml_idp_entity_id,
    }


def delete_sso(session: Session, *, principal: Principal, organization_id: int) -> None:
    """Remove the organisation's IdP (its people sign in with a password again); domains stay."""
    sso = get_sso(session, principal=principal, organization_id=organization_id)
    before = _audit_view(sso)
    session.delete(sso)
    session.flush()
    record(
        session,
        actor=principal,
        action="sso.delete",
        target_type="organization",
        target_id=organization_id,
        detail={"before": before},
    )


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
        raise NotFound(f"Organization {organization_id} has no single sign-on.")
    return sso


def oidc_client(sso: OrganizationSso, *, base_url: str, secret_key: str) -> oidc.Client:
    if sso.protocol is not SsoProtocol.OIDC or not sso.oidc_issuer or not sso.oidc_client_id:
        raise NotFound(f"Organization {sso.organization_id} does not sign in with OpenID Connect.")
    secret = (
        _unseal(secret_key, sso.organization_id, sso.oidc_client_secret_sealed)
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
            f"This organisation's identity provider vouched for {vouched.email}, which is not "
            "of the organisation's email domains; it may sign in only its own people."
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
                f"There is no opsportal account for {vouched.email}; ask your organisation's "
                "admin to add you."
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
            f"{vouched.email} belongs to another organisation; this identity provider may sign "
            "in only its own organisation's people."
        )
    if not user.is_active:
        raise SignInRefused(f"The account of {vouched.email} is deactivated.")
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
                f"{vouched.email} is not of a staff domain; there is no staff account for it."
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
            f"{vouched.email} is a customer account; the staff sign-in is for staff only."
        )
    if not user.is_active:
        raise SignInRefused(f"The account of {vouched.email} is deactivated.")
    return Principal.of(user)


# --- SAML requests and answers ------------------------------------------------------


def saml_service_provider(base_url: str, organization_id: int) -> saml.ServiceProvider:
    return saml.ServiceProvider(base_url, organization_id)


def saml_settings(sso: OrganizationSso) -> tuple[str, str]:
    """(IdP metadata XML, IdP entity ID) of an organisation that signs in with SAML."""
    if (
        sso.protocol is not SsoProtocol.SAML
        or not sso.saml_idp_metadata_xml
        or not sso.saml_idp_entity_id
    ):
        raise NotFound(f"Organization {sso.organization_id} does not sign in with SAML.")
    return sso.saml_idp_metadata_xml, sso.saml_idp_entity_id


def start_saml(session: Session, *, organization_id: int, base_url: str, next_path: str) -> str:
    """Send an AuthnRequest: remember it (until answered or expired) and return the IdP's URL."""
    sso = organization_sso(session, organization_id)
    metadata_xml, entity_id = saml_settings(sso)
    sp = saml_service_provider(base_url, organization_id)
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
    request_id = saml.in_response_to(saml_response)
    if request_id is None:
        raise SignInFailed(
            "This answer names no sign-in request; sign-ins start here (IdP-initiated "
            "sign-in is not accepted)."
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
            "This answer is to no sign-in that is waiting for one here (it was used already, "
            "or expired). Start signing in again."
        )
    if not repository.use_assertion(
        session,
        assertion_id=assertion.id,
        organization_id=organization_id,
        expires_at=assertion.expires_at,
    ):
        raise SignInFailed("This assertion was used already; a replay is refused.")
    principal = sign_in_organization_user(
        session,
        organization_id=organization_id,
        vouched=Vouched(email=assertion.email, name=assertion.name),
        via="saml",
    )
    return principal, next_path
