"""Roster import pages: upload a CSV, see what it would change line by line, then apply it.

For admins (any organisation) and customer_admins (their own). The preview
writes nothing; it carries the file's text to the apply step in the form, and
the apply step reads and checks it again, so what is applied is what the file
says against the users as they are then.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from opsportal.deps import SessionDep, SettingsDep
from opsportal.errors import DomainError, InvalidInput
from opsportal.models import Organization
from opsportal.principal import Principal
from opsportal.users.roster import service
from opsportal.users.roster.service import Action, RosterPlan
from opsportal.web.formatting import format_number
from opsportal.web.i18n import N_, _, ngettext
from opsportal.web.session import CheckedForm, PageUserManager
from opsportal.web.templating import render

router = APIRouter(include_in_schema=False)

FLASH_KEY = "flash"
# The preview lists at most this many lines that change; every refused line is listed.
PREVIEW_LINES = 500


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _organization_id(user: Principal, form: FormData) -> int | None:
    if not user.is_admin:
        return user.organization_id
    raw = _text(form, "organization_id")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _upload_page(
    request: Request,
    user: Principal,
    *,
    organization_id: int | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "users/roster_upload.html",
        user=user,
        organization_id=organization_id,
        error=_(error) if error else None,
        status_code=status_code,
    )


@router.get("/admin/users/import")
def upload_form(request: Request, user: PageUserManager) -> Response:
    return _upload_page(request, user)


def _plan(
    session: SessionDep, user: Principal, organization_id: int | None, data: bytes, invite: bool
) -> tuple[Organization, RosterPlan]:
    if organization_id is None:
        raise InvalidInput(N_("Give the organization's id."), field="organizationId")
    organization = service.organization_for_import(
        session, principal=user, organization_id=organization_id
    )
    plan = service.plan_import(
        session,
        principal=user,
        organization=organization,
        roster=service.read_roster(data),
        invite=invite,
    )
    return organization, plan


def _preview(
    request: Request, user: Principal, organization: Organization, plan: RosterPlan, text: str
) -> Response:
    changing = service.lines_of(plan, (Action.CREATED, Action.UPDATED))
    context: dict[str, Any] = {
        "organization": organization,
        "plan": plan,
        "created": plan.count(Action.CREATED),
        "updated": plan.count(Action.UPDATED),
        "unchanged": plan.count(Action.UNCHANGED),
        "refused": plan.count(Action.REFUSED),
        "changing": changing[:PREVIEW_LINES],
        "more_changing": max(0, len(changing) - PREVIEW_LINES),
        "csv_text": text,
    }
    return render(
        request,
        "users/roster_preview.html",
        user=user,
        status_code=422 if plan.errors else 200,
        **context,
    )


@router.post("/admin/users/import")
def preview(
    request: Request, session: SessionDep, user: PageUserManager, form: CheckedForm
) -> Response:
    organization_id = _organization_id(user, form)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _upload_page(
            request,
            user,
            organization_id=organization_id,
            error=N_("Choose a CSV file to upload."),
            status_code=422,
        )
    data = upload.file.read()
    try:
        organization, plan = _plan(
            session, user, organization_id, data, invite=_text(form, "invite") == "1"
        )
    except DomainError as exc:
        return _upload_page(
            request,
            user,
            organization_id=organization_id,
            error=exc.detail,
            status_code=exc.status_code,
        )
    text = data.decode("utf-8-sig") if not plan.errors else ""
    return _preview(request, user, organization, plan, text)


@router.post("/admin/users/import/apply")
def apply(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUserManager,
    form: CheckedForm,
) -> Response:
    organization_id = _organization_id(user, form)
    text = form.get("csv_text")
    if not isinstance(text, str) or not text:
        return _upload_page(
            request, user, organization_id=organization_id, error=N_("Upload the file again.")
        )
    try:
        organization, plan = _plan(
            session, user, organization_id, text.encode(), invite=_text(form, "invite") == "1"
        )
        if plan.errors:
            # The users changed since the preview: show what stands in the way now.
            return _preview(request, user, organization, plan, text)
        summary = service.apply_import(session, principal=user, plan=plan, settings=settings)
    except DomainError as exc:
        return _upload_page(
            request,
            user,
            organization_id=organization_id,
            error=exc.detail,
            status_code=exc.status_code,
        )
    request.session[FLASH_KEY] = ngettext(
        "Roster imported into %(organization)s: %(num)s new (%(invited)s invited by email), "
        "%(updated)s updated, %(unchanged)s unchanged.",
        "Roster imported into %(organization)s: %(num)s new (%(invited)s invited by email), "
        "%(updated)s updated, %(unchanged)s unchanged.",
        summary.created,
        organization=organization.name,
        num=format_number(summary.created),
        invited=format_number(summary.invited),
        updated=format_number(summary.updated),
        unchanged=format_number(summary.unchanged),
    )
    return RedirectResponse("/admin/users", status_code=303)
