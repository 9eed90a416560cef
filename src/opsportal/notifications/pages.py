"""The notifications page: the signed-in user's list, marking them read."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from opsportal.deps import ResourceId, SessionDep
from opsportal.notifications import service
from opsportal.web.session import CheckedForm, PageUser
from opsportal.web.templating import render

router = APIRouter(include_in_schema=False)

NOTIFICATIONS_SHOWN = 100


def _back_to_list() -> RedirectResponse:
    return RedirectResponse("/notifications", status_code=303)


@router.get("/notifications")
def notification_list(request: Request, session: SessionDep, user: PageUser) -> Response:
    notifications = service.list_notifications(session, principal=user, limit=NOTIFICATIONS_SHOWN)
    return render(
        request,
        "notifications/list.html",
        user=user,
        notifications=notifications,
        any_unread=any(n.read_at is None for n in notifications),
    )


@router.post("/notifications/{notification_id}/read")
def mark_read(
    notification_id: ResourceId, session: SessionDep, user: PageUser, form: CheckedForm
) -> Response:
    service.mark_read(session, principal=user, notification_id=notification_id)
    return _back_to_list()


@router.post("/notifications/read")
def mark_all_read(session: SessionDep, user: PageUser, form: CheckedForm) -> Response:
    service.mark_all_read(session, principal=user)
    return _back_to_list()
