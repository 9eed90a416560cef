"""An organisation's single sign-on and email domains, in the API."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from opsportal.auth.deps import CurrentUser
from opsportal.auth.sso import configuration
from opsportal.auth.sso.schemas import DomainsRead, DomainsUpdate, SsoRead, SsoUpdate
from opsportal.config import Settings
from opsportal.deps import ResourceId, SessionDep, SettingsDep
from opsportal.web.secret_key import shared_secret_key

router = APIRouter(prefix="/api/v1/organizations", tags=["single sign-on"])


def sealing_secret(request: Request, settings: Settings) -> str:
    """The secret the client secrets are sealed with: the session signing key."""
    return settings.secret_key or shared_secret_key(request.app.state.session_factory)


@router.get("/{organization_id}/sso", response_model=SsoRead)
def read_sso(
    organization_id: ResourceId, session: SessionDep, user: CurrentUser, settings: SettingsDep
) -> SsoRead:
    """The organisation's identity provider (admins; its customer_admins). Secrets are not shown."""
    sso = configuration.get_sso(session, principal=user, organization_id=organization_id)
    return configuration.view(session, sso=sso, base_url=settings.public_base_url)


@router.put("/{organization_id}/sso", response_model=SsoRead)
def put_sso(
    organization_id: ResourceId,
    body: SsoUpdate,
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
) -> SsoRead:
    """Set the organisation's OIDC or SAML identity provider; `domains` by admins only."""
    # Before the request's session writes: reading a generated key takes a unit of work.
    secret_key = sealing_secret(request, settings)
    sso = configuration.put_sso(
        session,
        principal=user,
        organization_id=organization_id,
        data=body,
        secret_key=secret_key,
        allow_http_issuer=settings.environment != "production",
    )
    return configuration.view(session, sso=sso, base_url=settings.public_base_url)


@router.delete("/{organization_id}/sso", status_code=204)
def delete_sso(organization_id: ResourceId, session: SessionDep, user: CurrentUser) -> Response:
    """Remove the organisation's single sign-on; its email domains stay."""
    configuration.delete_sso(session, principal=user, organization_id=organization_id)
    return Response(status_code=204)


@router.get("/{organization_id}/domains", response_model=DomainsRead)
def read_domains(
    organization_id: ResourceId, session: SessionDep, user: CurrentUser
) -> DomainsRead:
    """The email domains the organisation's identity provider vouches for."""
    found = configuration.domains(session, principal=user, organization_id=organization_id)
    return DomainsRead(organization_id=organization_id, domains=found)


@router.put(
    "/{organization_id}/domains",
    response_model=DomainsRead,
    responses={409: {"description": "A domain belongs to another organisation"}},
)
def put_domains(
    organization_id: ResourceId, body: DomainsUpdate, session: SessionDep, user: CurrentUser
) -> DomainsRead:
    """Set the organisation's email domains (admins only; a domain belongs to one organisation)."""
    found = configuration.set_domains(
        session, principal=user, organization_id=organization_id, domains=body.domains
    )
    return DomainsRead(organization_id=organization_id, domains=found)
