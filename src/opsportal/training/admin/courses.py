"""Admin pages: a track's courses (markdown with a server-rendered preview, order, active)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from opsportal.deps import ResourceId, SessionDep
from opsportal.errors import InvalidInput
from opsportal.models import Course, Track
from opsportal.principal import Principal
from opsportal.training.admin import service
from opsportal.training.admin.forms import (
    FieldErrors,
    checked,
    collecting_errors,
    raw_text,
    text,
)
from opsportal.training.admin.tracks import see_other
from opsportal.training.catalogue import authoring
from opsportal.training.markdown import render_course_content
from opsportal.training.schemas import CourseCreate, CourseUpdate
from opsportal.web.i18n import N_, _
from opsportal.web.session import CheckedForm, PageAdmin
from opsportal.web.templating import render

router = APIRouter(include_in_schema=False)

Data = TypeVar("Data", bound=BaseModel)


def _course_form(
    request: Request,
    user: Principal,
    *,
    track: Track,
    course: Course | None,
    values: dict[str, Any],
    errors: FieldErrors,
    preview: bool = False,
) -> Response:
    return render(
        request,
        "admin/course_form.html",
        user=user,
        track=track,
        course=course,
        values=values,
        errors=errors,
        # Sanitised exactly as the learner's course page will show it.
        preview_html=render_course_content(values.get("content", "")) if preview else None,
        status_code=422 if errors else 200,
    )


def _values(form: FormData) -> dict[str, Any]:
    return {
        "title": text(form, "title"),
        "description": text(form, "description"),
        "content": raw_text(form, "content"),
        "isActive": checked(form, "isActive"),
    }


def _submit(
    request: Request,
    session: Session,
    user: Principal,
    form: FormData,
    *,
    track: Track,
    course: Course | None,
    schema: type[Data],
    save: Callable[[Data], object],
    done: str,
) -> Response:
    """Check the posted course and `save` it, unless a preview was asked for: then, or with
    errors, the form again (nothing kept); once saved, the track's page saying `done` (a
    message with the course's `%(title)s`)."""
    values = _values(form)
    preview = form.get("action") == "preview"
    errors: FieldErrors = {}
    with collecting_errors(errors, InvalidInput):
        data = schema.model_validate(values)
        if not preview:
            save(data)
    if errors or preview:
        session.rollback()
        return _course_form(
            request, user, track=track, course=course, values=values, errors=errors, preview=True
        )
    return see_other(request, f"/admin/tracks/{track.id}", _(done, title=values["title"]))


@router.get("/admin/tracks/{track_id}/courses/new")
def new_course(
    request: Request, track_id: ResourceId, session: SessionDep, user: PageAdmin
) -> Response:
    track = service.get_track(session, track_id)
    values = {"title": "", "description": "", "content": "", "isActive": True}
    return _course_form(request, user, track=track, course=None, values=values, errors={})


@router.post("/admin/tracks/{track_id}/courses")
def create_course(
    request: Request, track_id: ResourceId, session: SessionDep, user: PageAdmin, form: CheckedForm
) -> Response:
    track = service.get_track(session, track_id)
    return _submit(
        request,
        session,
        user,
        form,
        track=track,
        course=None,
        schema=CourseCreate,
        save=lambda data: authoring.create_course(
            session, track_id=track.id, data=data, actor=user
        ),
        done=N_("Course “%(title)s” added."),
    )


@router.get("/admin/courses/{course_id}/edit")
def edit_course(
    request: Request, course_id: ResourceId, session: SessionDep, user: PageAdmin
) -> Response:
    course = authoring.get_course(session, course_id)
    values = {
        "title": course.title,
        "description": course.description,
        "content": course.content,
        "isActive": course.is_active,
    }
    return _course_form(request, user, track=course.track, course=course, values=values, errors={})


@router.post("/admin/courses/{course_id}")
def update_course(
    request: Request, course_id: ResourceId, session: SessionDep, user: PageAdmin, form: CheckedForm
) -> Response:
    course = authoring.get_course(session, course_id)
    return _submit(
        request,
        session,
        user,
        form,
        track=course.track,
        course=course,
        schema=CourseUpdate,
        save=lambda data: authoring.update_course(
            session, course_id=course.id, data=data, actor=user
        ),
        done=N_("Course “%(title)s” saved."),
    )


@router.post("/admin/courses/{course_id}/move")
def move_course(
    request: Request, course_id: ResourceId, session: SessionDep, user: PageAdmin, form: CheckedForm
) -> Response:
    direction: Literal["up", "down"]
    match form.get("direction"):
        case "up":
            direction = "up"
        case "down":
            direction = "down"
        case _:
            raise InvalidInput("direction must be up or down.", field="direction")
    course = service.move_course(session, principal=user, course_id=course_id, direction=direction)
    return see_other(request, f"/admin/tracks/{course.track_id}#course-{course.id}")
