"""Organisation routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from opsportal.auth.deps import CurrentUser, StaffUser
from opsportal.deps import Limit, Offset, ResourceId, SessionDep
from opsportal.schemas import Page, QueryText
from opsportal.tenants import service
from opsportal.tenants.schemas import OrganizationCreate, OrganizationRead, OrganizationUpdate

router = APIRouter(prefix="/api/v1/organizations", tags=["organizations"])


@router.post("", status_code=201, response_model=OrganizationRead)
def create_organization(
    body: OrganizationCreate, session: SessionDep, user: StaffUser
) -> OrganizationRead:
    """Create a customer organisation."""
    organization = service.create_organization(session, data=body, actor=user)
    return OrganizationRead.model_validate(organization)


@router.get("", response_model=Page[OrganizationRead])
def list_organizations(
    session: SessionDep,
    user: CurrentUser,
    search: Annotated[
        QueryText | None, Query(max_length=200, description="Part of the name")
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[OrganizationRead]:
    """List organisations by name; a customer sees only its own."""
    items, total = service.list_organizations(
        session, principal=user, search=search, limit=limit, offset=offset
    )
    return Page[OrganizationRead](
        items=[OrganizationRead.model_validate(o) for o in items],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/{organization_id}", response_model=OrganizationRead)
def get_organization(
    organization_id: ResourceId, session: SessionDep, user: CurrentUser
) -> OrganizationRead:
    """One organisation."""
    organization = service.get_organization(
        session, principal=user, organization_id=organization_id
    )
    return OrganizationRead.model_validate(organization)


@router.patch("/{organization_id}", response_model=OrganizationRead)
def update_organization(
    organization_id: ResourceId, body: OrganizationUpdate, session: SessionDep, user: StaffUser
) -> OrganizationRead:
    """Change an organisation's name, externalId, sector, size or status."""
    organization = service.update_organization(
        session, principal=user, organization_id=organization_id, data=body
    )
    return OrganizationRead.model_validate(organization)
