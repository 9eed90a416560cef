"""Single sign-on set-up: an organisation's IdP (OIDC or SAML), its email domains, its views."""

from __future__ import annotations

from sqlalchemy.orm import Session

from opsportal.audit import record
from opsportal.auth.sso import oidc, repository
from opsportal.auth.sso.schemas import (
    OidcRead,
    SamlRead,
    SsoRead,
    SsoUpdate,
)
from opsportal.auth.sso.service import login_path, organization_redirect_uri, seal_secret
from opsportal.db import flush_or_conflict
from opsportal.errors import Conflict, Forbidden, InvalidInput, NotFound
from opsportal.messages import N_
from opsportal.models import Organization, OrganizationSso, SsoProtocol
from opsportal.models.base import utcnow
from opsportal.principal import Principal


def _organization_for_manager(
    session: Session, *, principal: Principal, organization_id: int
) -> Organization:
    """Admins for every organisation; a customer_admin for its own (others: 404, never 'exists')."""
    principal.require_organization(organization_id)
    if not (principal.is_admin or principal.is_customer_admin):
        raise Forbidden(N_("Single sign-on is configured by admins and the organisation's admins."))
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(N_("Organization %(id)s not found.", id=organization_id))
    return organization


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
        from opsportal.auth.sso import saml  # pysaml2 loads when first needed (service.py)

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


def get_sso(session: Session, *, principal: Principal, organization_id: int) -> OrganizationSso:
    _organization_for_manager(session, principal=principal, organization_id=organization_id)
    sso = repository.get_sso(session, organization_id)
    if sso is None:
        raise NotFound(
            N_("Organization %(id)s has no single sign-on configured.", id=organization_id)
        )
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
        raise Forbidden(N_("An organisation's email domains are set by admins only."))
    taken = {
        domain: owner
        for domain, owner in repository.owners_of(session, domains).items()
        if owner != organization_id
    }
    if taken:
        domain, owner = sorted(taken.items())[0]
        raise Conflict(
            N_(
                "The domain %(domain)s already belongs to organization %(owner)s.",
                domain=domain,
                owner=owner,
            )
        )
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
        raise InvalidInput(N_("The issuer must be an https URL."), field="oidc.issuer")
    if (
        data.domains is not None
        and not principal.is_admin
        and data.domains != repository.domains_of(session, organization_id)
    ):
        raise Forbidden(N_("An organisation's email domains are set by admins only."))
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
                N_("oidc.clientSecret is required for a new client."), field="oidc.clientSecret"
            )
        sso.oidc_issuer = data.oidc.issuer
        sso.oidc_client_id = data.oidc.client_id
        if secret is not None:
            sso.oidc_client_secret_sealed = seal_secret(secret_key, organization_id, secret)
        sso.saml_idp_metadata_xml = None
        sso.saml_idp_entity_id = None
    else:
        assert data.saml is not None
        from opsportal.auth.sso import saml  # pysaml2 loads when first needed (service.py)

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
