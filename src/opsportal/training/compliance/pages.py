"""Compliance pages: the staff overview, an organisation's report, and the assign form.

Thin like the JSON endpoints: the same services decide who may see and do what
(staff any organisation; a customer_admin its own; anyone else a 403 or 404).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from opsportal.deps import ResourceId, SessionDep
from opsportal.errors import InvalidInput
from opsportal.kit.downloads import csv_download
from opsportal.principal import Principal
from opsportal.schemas import QueryText
from opsportal.training.compliance import assignments, report, repository
from opsportal.training.compliance.schemas import AssignmentCreate
from opsportal.web.session import CheckedForm, PageTrainingOverseer, PageUser
from opsportal.web.templating import render

router = APIRouter(include_in_schema=False)

FLASH_KEY = "flash"


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _report_url(organization_id: int) -> str:
    return f"/training/compliance/organizations/{organization_id}"


@router.get("/training/compliance")
def compliance_home(
    request: Request,
    session: SessionDep,
    user: PageTrainingOverseer,
    q: Annotated[QueryText | None, Query(max_length=200)] = None,
) -> Response:
    """Staff: every organisation with assignments, most overdue first; a customer_admin: its own."""
    if not user.is_staff and user.organization_id is not None:
        return _see_other(_report_url(user.organization_id))
    overview = report.compliance_overview(session, principal=user)
    found = repository.search_organizations(session, name=q.strip()) if q and q.strip() else []
    return render(
        request,
        "training/compliance/overview.html",
        user=user,
        overview=overview,
        q=q or "",
        found=found,
    )


@router.get("/training/compliance/organizations/{org_id}")
def compliance_page(
    request: Request,
    org_id: ResourceId,
    session: SessionDep,
    user: PageUser,
    show: Annotated[report.RowFilter | None, Query()] = None,
) -> Response:
    found = report.organization_assignments(session, principal=user, organization_id=org_id)
    return render(
        request,
        "training/compliance/organization.html",
        user=user,
        organization=found.organization,
        summary=report.report_of(found),
        rows=report.filter_rows(found.rows, show, now=found.now),
        show=show.value if show else "",
        message=request.session.pop(FLASH_KEY, None),
    )


@router.get("/training/compliance/organizations/{org_id}/compliance.csv")
def compliance_csv(org_id: ResourceId, session: SessionDep, user: PageUser) -> Response:
    body = report.compliance_csv(session, principal=user, organization_id=org_id)
    return csv_download(body, filename=f"compliance-{org_id}.csv")


# --- assigning -------------------------------------------------------------------------


def _assign_page(
    request: Request,
    session: SessionDep,
    user: Principal,
    org_id: int,
    *,
    form: dict[str, object] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    organization = assignments.managed_organization(session, user, org_id)
    return render(
        request,
        "training/compliance/assign.html",
        user=user,
        organization=organization,
        tracks=repository.assignable_tracks(session),
        users=repository.customer_users(session, organization_id=organization.id),
        form=form or {"scope": "all", "user_ids": []},
        today=assignments.today_utc(),
        error=error,
        status_code=status_code,
    )


@router.get("/training/compliance/organizations/{org_id}/assign")
def assign_form(
    request: Request, org_id: ResourceId, session: SessionDep, user: PageUser
) -> Response:
    return _assign_page(request, session, user, org_id)


def _form_values(form: FormData) -> dict[str, object]:
    def text(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    return {
        "track_id": text("track_id"),
        "due_on": text("due_on"),
        "scope": text("scope") or "all",
        "user_ids": [v for v in form.getlist("user_ids") if isinstance(v, str)],
    }


def _field_label(field: str) -> str:
    return {"trackId": "Track", "dueOn": "Due date", "userIds": "Users"}.get(
        field.split(".")[0], field
    )


@router.post("/training/compliance/organizations/{org_id}/assign")
def assign(
    request: Request, org_id: ResourceId, session: SessionDep, user: PageUser, form: CheckedForm
) -> Response:
    values = _form_values(form)
    chosen = values["scope"] == "chosen"
    try:
        data = AssignmentCreate.model_validate(
            {
                "trackId": values["track_id"] or None,
                "organizationId": org_id,
                "userIds": values["user_ids"] if chosen else None,
                "dueOn": values["due_on"] or None,
            }
        )
        if chosen and not data.user_ids:
            raise InvalidInput("Choose at least one user, or assign to all users.", field="userIds")
        result = assignments.assign_track(session, principal=user, data=data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "form"
        return _assign_page(
            request,
            session,
            user,
            org_id,
            form=values,
            error=f"{_field_label(field)}: {first['msg']}",
            status_code=422,
        )
    except InvalidInput as exc:
        return _assign_page(
            request, session, user, org_id, form=values, error=exc.detail, status_code=422
        )
    moved = len(result.assignments) - result.created
    due = data.due_on.isoformat() if isinstance(data.due_on, date) else data.due_on
    request.session[FLASH_KEY] = (
        f"Assigned to {result.created} user{'' if result.created == 1 else 's'}, due {due}"
        + (f"; due date moved for {moved} already assigned." if moved else ".")
    )
    return _see_other(_report_url(org_id))
