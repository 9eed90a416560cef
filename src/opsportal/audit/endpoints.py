"""The audit trail, for admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from opsportal.audit import service
from opsportal.audit.repository import EntryFilter
from opsportal.audit.schemas import AuditEntryRead
from opsportal.auth.deps import AdminUser
from opsportal.deps import IdQuery, Limit, Offset, SessionDep
from opsportal.schemas import Page, QueryText

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])

TargetType = Annotated[QueryText | None, Query(alias="targetType", max_length=50)]
Action = Annotated[QueryText | None, Query(max_length=50, description="e.g. user.update")]


@router.get("", response_model=Page[AuditEntryRead])
def list_audit_entries(
    session: SessionDep,
    admin: AdminUser,
    actor_id: Annotated[IdQuery | None, Query(alias="actorId")] = None,
    target_type: TargetType = None,
    target_id: Annotated[IdQuery | None, Query(alias="targetId")] = None,
    action: Action = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[AuditEntryRead]:
    """Every recorded change, newest first: who, what, which target, when, and how."""
    chosen = EntryFilter(actor_id, target_type, target_id, action)
    entries, total = service.list_entries(session, chosen, limit=limit, offset=offset)
    return Page[AuditEntryRead](
        items=[AuditEntryRead.model_validate(e.entry) for e in entries],
        total=total,
        limit=limit,
        offset=offset,
    )
