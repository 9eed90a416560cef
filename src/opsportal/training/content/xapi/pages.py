"""The admins' page of the xAPI queue: how many statements wait, went, failed; the
oldest waiting; the latest errors; a button that queues the failed ones again."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from opsportal.deps import SessionDep, SettingsDep
from opsportal.training.admin.tracks import flash, see_other
from opsportal.training.content.xapi import service
from opsportal.web.i18n import _, ngettext
from opsportal.web.session import CheckedForm, PageAdmin
from opsportal.web.templating import render

router = APIRouter(include_in_schema=False)

PAGE = "/admin/xapi"


@router.get(PAGE)
def queue_page(
    request: Request, session: SessionDep, settings: SettingsDep, user: PageAdmin
) -> Response:
    return render(
        request,
        "admin/xapi.html",
        user=user,
        state=service.queue_state(session),
        endpoint=settings.xapi_endpoint,
        actor=settings.xapi_actor,
        message=flash(request),
    )


@router.post(f"{PAGE}/retry-failed")
def retry_failed(
    request: Request, session: SessionDep, user: PageAdmin, form: CheckedForm
) -> Response:
    count = service.retry_failed(session, actor=user)
    said = (
        ngettext(
            "%(num)d failed statement queued again: the sender tries them on its next pass.",
            "%(num)d failed statements queued again: the sender tries them on its next pass.",
            count,
        )
        if count
        else _("No statement had failed: nothing to retry.")
    )
    return see_other(request, PAGE, said)
