"""The audit trail page (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from opsportal.audit import service
from opsportal.audit.repository import EntryFilter
from opsportal.deps import SessionDep
from opsportal.schemas import QueryText
from opsportal.web.session import PageAdmin
from opsportal.web.templating import page_count, render

router = APIRouter(include_in_schema=False)

ENTRIES_PER_PAGE = 100


@router.get("/admin/audit")
def audit_log(
    request: Request,
    session: SessionDep,
    user: PageAdmin,
    action: Annotated[QueryText | None, Query(max_length=50)] = None,
    target: Annotated[QueryText | None, Query(max_length=50)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    entries, total = service.list_entries(
        session,
        EntryFilter(target_type=target or None, action=action or None),
        limit=ENTRIES_PER_PAGE,
        offset=(page - 1) * ENTRIES_PER_PAGE,
    )
    return render(
        request,
        "audit/log.html",
        user=user,
        entries=entries,
        total=total,
        action=action or "",
        target=target or "",
        page=page,
        pages=page_count(total, ENTRIES_PER_PAGE),
    )
