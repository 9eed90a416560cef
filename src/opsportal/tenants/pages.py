"""The organisation list page (staff)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from opsportal.db import SessionDep
from opsportal.schemas import QueryText
from opsportal.tenants import service as tenant_service
from opsportal.web.session import PageStaff
from opsportal.web.templating import render

router = APIRouter(include_in_schema=False)

ORGANIZATIONS_PER_PAGE = 50


@router.get("/organizations")
def organization_list(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    q: Annotated[QueryText | None, Query(max_length=200)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    organizations, total = tenant_service.list_organizations(
        session,
        principal=user,
        search=q,
        limit=ORGANIZATIONS_PER_PAGE,
        offset=(page - 1) * ORGANIZATIONS_PER_PAGE,
    )
    pages = max(1, -(-total // ORGANIZATIONS_PER_PAGE))
    return render(
        request,
        "organizations.html",
        user=user,
        organizations=organizations,
        total=total,
        q=q or "",
        page=page,
        pages=pages,
    )
