"""Notification routes: the caller's own, and marking one read."""

from __future__ import annotations

from fastapi import APIRouter

from opsportal.auth.deps import CurrentUser
from opsportal.deps import Limit, Offset, ResourceId, SessionDep
from opsportal.notifications import service
from opsportal.notifications.schemas import NotificationRead

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"])


@router.get("", response_model=list[NotificationRead])
def list_notifications(
    session: SessionDep, user: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> list[NotificationRead]:
    """The caller's notifications, newest first."""
    return service.list_notifications(session, principal=user, limit=limit, offset=offset)


@router.post("/{notification_id}/read", response_model=NotificationRead)
def mark_notification_read(
    notification_id: ResourceId, session: SessionDep, user: CurrentUser
) -> NotificationRead:
    """Mark one of the caller's notifications read; anyone else's is a 404."""
    return service.mark_read(session, principal=user, notification_id=notification_id)
