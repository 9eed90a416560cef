"""Compliance pages: the staff overview, an organisation's report, and the assign form.

Thin like the JSON endpoints: the same services decide who may see and do what
(staff any organisation; a customer_admin its own; anyone else a 403 or 404).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from opsportal.deps import ResourceId, SessionDep, SettingsDep
from opsportal.errors import InvalidInput
from opsportal.kit.downloads import csv_download
from opsportal.principal import Principal
from opsportal.schemas import MAX_ID, QueryText
from opsportal.training.compliance import (
    assignments,
    export,
    learner,
    reminding,
    report,
    repository,
)
from opsportal.training.compliance.schemas import AssignmentCreate
from opsportal.training.compliance.status import AssignmentStatus
from opsportal.training.formatting import page_date
from opsportal.web.i18n import _, ngettext
from opsportal.web.session import CheckedForm, PageTrainingOverseer, PageUser
from opsportal.web.templating import render

router = APIRouter(include_in_schema=False)

E = TypeVar("E", bound=StrEnum)

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


def _view_query(view: report.ReportView) -> str:
    """The page's filter as a query string ("" for the defaults)."""
    params = {}
    if view.show is not None:
        params["show"] = view.show.value
    if not view.with_former:
        params["former"] = view.former.value
    return urlencode(params)


ShowQuery = Annotated[report.RowFilter | None, Query()]
FormerQuery = Annotated[report.FormerUsers, Query()]


@router.get("/training/compliance/organizations/{org_id}")
def compliance_page(
    request: Request,
    org_id: ResourceId,
    session: SessionDep,
    user: PageUser,
    show: ShowQuery = None,
    former: FormerQuery = report.FormerUsers.INCLUDE,
) -> Response:
    view = report.ReportView(show, former)
    found, rows = report.shown_rows(session, principal=user, organization_id=org_id, view=view)
    return render(
        request,
        "training/compliance/organization.html",
        user=user,
        organization=found.organization,
        summary=report.report_of(found),
        rows=rows,
        show=show.value if show else "",
        former=former.value,
        query=_view_query(view),
        remindable=any(
            r.former is None and r.assignment.status is not AssignmentStatus.COMPLETED for r in rows
        ),
        status_words=export.status_words(),
        former_user=export.former_user,
        message=request.session.pop(FLASH_KEY, None),
    )


@router.get("/training/compliance/organizations/{org_id}/compliance.csv")
def compliance_csv(
    org_id: ResourceId,
    session: SessionDep,
    user: PageUser,
    show: ShowQuery = None,
    former: FormerQuery = report.FormerUsers.INCLUDE,
) -> Response:
    """The rows the page shows under the same filter, for people (the API's CSV is for programs)."""
    view = report.ReportView(show, former)
    found, rows = report.shown_rows(session, principal=user, organization_id=org_id, view=view)
    suffix = f"-{show.value}" if show else ""
    return csv_download(
        export.report_csv(rows),
        filename=f"training-compliance-{found.organization.id}{suffix}-{found.now.date()}.csv",
    )


@router.get("/training/compliance/organizations/{org_id}/users/{user_id}")
def learner_page(
    request: Request, org_id: ResourceId, user_id: ResourceId, session: SessionDep, user: PageUser
) -> Response:
    """One learner's training: assignments, progress per course, attempts, certificates."""
    found = learner.learner_training(
        session, principal=user, organization_id=org_id, user_id=user_id
    )
    return render(
        request,
        "training/compliance/learner.html",
        user=user,
        found=found,
        status_words=export.status_words(),
        former_user=export.former_user,
    )


def _form_enum(form: FormData, name: str, choices: type[E]) -> E | None:
    """A posted choice among `choices`; None when left out or empty; a 422 when unknown."""
    value = form.get(name)
    if value is None or value == "":
        return None
    allowed = {c.value for c in choices}
    if not isinstance(value, str) or value not in allowed:
        raise InvalidInput(f"{name} must be one of: {', '.join(sorted(allowed))}.", field=name)
    return choices(value)


def _remind_message(outcome: reminding.RemindOutcome) -> str:
    """What the page tells the manager, in a sentence or two."""
    parts = []
    if outcome.reminded:
        if len(outcome.reminded) == 1:
            parts.append(
                ngettext(
                    "Reminder sent to %(name)s about %(num)d open assignment.",
                    "Reminder sent to %(name)s about %(num)d open assignments.",
                    outcome.reminders,
                    name=outcome.reminded[0],
                )
            )
        else:
            parts.append(
                ngettext(
                    "Reminder sent to %(learners)d learners about %(num)d open assignment.",
                    "Reminder sent to %(learners)d learners about %(num)d open assignments.",
                    outcome.reminders,
                    learners=len(outcome.reminded),
                )
            )
    if len(outcome.waiting) == 1 and not outcome.reminded:
        waiting = outcome.waiting[0]
        parts.append(
            _(
                "%(name)s was already reminded on %(last)s; to avoid sending too many emails, "
                "you can remind them again from %(again)s.",
                name=waiting.name,
                last=page_date(waiting.last),
                again=page_date(waiting.again),
            )
        )
    elif outcome.waiting:
        parts.append(
            ngettext(
                "Not sent to %(num)d learner already reminded in the last 24 hours: %(names)s.",
                "Not sent to %(num)d learners already reminded in the last 24 hours: %(names)s.",
                len(outcome.waiting),
                names=", ".join(w.name for w in outcome.waiting),
            )
        )
    return " ".join(parts) or _("Nobody shown has an open assignment to be reminded about.")


@router.post("/training/compliance/organizations/{org_id}/remind")
def remind(
    request: Request,
    org_id: ResourceId,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    form: CheckedForm,
) -> Response:
    """Remind one learner (`user_id`), or every learner with an open row the filter shows."""
    view = report.ReportView(
        _form_enum(form, "show", report.RowFilter),
        _form_enum(form, "former", report.FormerUsers) or report.FormerUsers.INCLUDE,
    )
    learner_id = form.get("user_id")
    if learner_id is not None:
        if not isinstance(learner_id, str) or not learner_id.isdigit() or int(learner_id) > MAX_ID:
            raise InvalidInput("user_id must be a user's id.", field="user_id")
        outcome = reminding.remind_learner(
            session,
            principal=user,
            organization_id=org_id,
            user_id=int(learner_id),
            settings=settings,
        )
    else:
        outcome = reminding.remind_shown(
            session, principal=user, organization_id=org_id, view=view, settings=settings
        )
    request.session[FLASH_KEY] = _remind_message(outcome)
    query = _view_query(view)
    return _see_other(_report_url(org_id) + (f"?{query}" if query else ""))


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
    return {"trackId": _("Track"), "dueOn": _("Due date"), "userIds": _("Users")}.get(
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
            raise InvalidInput(
                _("Choose at least one user, or assign to all users."), field="userIds"
            )
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
            # Pydantic's own words stay English; the field's name is the page's.
            error=_("%(field)s: %(problem)s", field=_field_label(field), problem=first["msg"]),
            status_code=422,
        )
    except InvalidInput as exc:
        return _assign_page(
            request, session, user, org_id, form=values, error=exc.detail, status_code=422
        )
    moved = len(result.assignments) - result.created
    due = page_date(data.due_on) if isinstance(data.due_on, date) else str(data.due_on)
    request.session[FLASH_KEY] = (
        ngettext(
            "Assigned to %(num)d user, due %(date)s; due date moved for %(moved)d already "
            "assigned.",
            "Assigned to %(num)d users, due %(date)s; due date moved for %(moved)d already "
            "assigned.",
            result.created,
            date=due,
            moved=moved,
        )
        if moved
        else ngettext(
            "Assigned to %(num)d user, due %(date)s.",
            "Assigned to %(num)d users, due %(date)s.",
            result.created,
            date=due,
        )
    )
    return _see_other(_report_url(org_id))
