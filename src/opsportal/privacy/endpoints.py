"""A person's data over the API: their export (theirs, or a managed user's) and their erasure."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from opsportal.auth.deps import AdminUser, CurrentUser, UserManager
from opsportal.deps import ResourceId, SessionDep, SessionFactoryDep, SettingsDep
from opsportal.kit.downloads import attachment
from opsportal.privacy import erasure, export
from opsportal.privacy.schemas import ErasureRead

router = APIRouter(prefix="/api/v1", tags=["privacy"])

ZIP = "application/zip"
_ZIP_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {ZIP: {}}, "description": "A ZIP of JSON files, PDFs and JWTs"}
}


@router.get("/me/export", response_class=Response, responses=_ZIP_RESPONSE)
def export_me(
    session: SessionDep, user: CurrentUser, factory: SessionFactoryDep, settings: SettingsDep
) -> Response:
    """Everything opsportal holds about you, as a ZIP (JSON, certificate PDFs, credentials)."""
    filename, body = export.export_for(
        session, principal=user, user_id=user.user_id, factory=factory, settings=settings
    )
    return attachment(body, filename=filename, media_type=ZIP)


@router.get("/users/{user_id}/export", response_class=Response, responses=_ZIP_RESPONSE)
def export_user(
    user_id: ResourceId,
    session: SessionDep,
    manager: UserManager,
    factory: SessionFactoryDep,
    settings: SettingsDep,
) -> Response:
    """A user's data as a ZIP (admins; customer_admins for their organisation's users)."""
    filename, body = export.export_for(
        session, principal=manager, user_id=user_id, factory=factory, settings=settings
    )
    return attachment(body, filename=filename, media_type=ZIP)


@router.post("/users/{user_id}/erase", response_model=ErasureRead)
def erase_user(user_id: ResourceId, session: SessionDep, admin: AdminUser) -> ErasureRead:
    """Erase a person's name, email, answers and free text from every table (admins).

    Their certificates stay verifiable by number and code, with the holder's name
    withheld; their sessions and tokens end; the audit trail records the erasure.
    """
    done = erasure.erase_user(session, principal=admin, user_id=user_id)
    return ErasureRead(id=done.user_id, erased_at=done.erased_at, rows=done.rows)
