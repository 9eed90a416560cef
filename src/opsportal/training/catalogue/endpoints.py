"""Catalogue routes: authoring tracks, courses and quizzes (admin), and reading them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from opsportal.auth.deps import AdminUser, CurrentUser
from opsportal.deps import ResourceId, SessionDep, SettingsDep
from opsportal.training.catalogue import authoring
from opsportal.training.catalogue import service as catalogue
from opsportal.training.schemas import (
    CourseCreate,
    CourseRead,
    CourseUpdate,
    QuizPut,
    QuizRead,
    TrackCreate,
    TrackOverview,
    TrackRead,
    TrackUpdate,
)
from opsportal.web.i18n import current_locale

router = APIRouter(prefix="/api/v1/training", tags=["training"])


# --- authoring ----------------------------------------------------------------


@router.post("/tracks", status_code=201, response_model=TrackRead)
def create_track(
    body: TrackCreate, session: SessionDep, admin: AdminUser, settings: SettingsDep
) -> TrackRead:
    """Create a certification track."""
    return catalogue.track_read(
        session, authoring.create_track(session, data=body, settings=settings, actor=admin)
    )


@router.patch("/tracks/{track_id}", response_model=TrackRead)
def update_track(
    track_id: ResourceId, body: TrackUpdate, session: SessionDep, admin: AdminUser
) -> TrackRead:
    """Change a track; raising the major version expires the certificates of earlier majors."""
    return catalogue.track_read(
        session, authoring.update_track(session, track_id=track_id, data=body, actor=admin)
    )


@router.post("/tracks/{track_id}/courses", status_code=201, response_model=CourseRead)
def create_course(
    track_id: ResourceId, body: CourseCreate, session: SessionDep, admin: AdminUser
) -> CourseRead:
    """Add a course (markdown content) to a track; it goes last unless sortOrder says otherwise."""
    course = authoring.create_course(session, track_id=track_id, data=body, actor=admin)
    return catalogue.get_course(session, principal=admin, course_id=course.id)


@router.patch("/courses/{course_id}", response_model=CourseRead)
def update_course(
    course_id: ResourceId, body: CourseUpdate, session: SessionDep, admin: AdminUser
) -> CourseRead:
    """Change a course."""
    authoring.update_course(session, course_id=course_id, data=body, actor=admin)
    return catalogue.get_course(session, principal=admin, course_id=course_id)


@router.put("/courses/{course_id}/quiz", response_model=QuizRead)
def put_quiz(
    course_id: ResourceId, body: QuizPut, session: SessionDep, admin: AdminUser
) -> QuizRead:
    """Create the course's quiz or replace it whole."""
    return catalogue.quiz_read(
        authoring.put_quiz(session, course_id=course_id, data=body, actor=admin)
    )


@router.get("/courses/{course_id}/quiz", response_model=QuizRead)
def read_quiz(course_id: ResourceId, session: SessionDep, admin: AdminUser) -> QuizRead:
    """The course's quiz with its answer key (admins only)."""
    return catalogue.get_quiz(session, principal=admin, course_id=course_id)


# --- learning -------------------------------------------------------------------


@router.get("/tracks", response_model=list[TrackOverview])
def list_tracks(
    session: SessionDep,
    user: CurrentUser,
    include_inactive: Annotated[
        bool, Query(alias="includeInactive", description="Admins only: inactive tracks too")
    ] = False,
) -> list[TrackOverview]:
    """Active tracks visible to the caller, courses in order, with the caller's progress, in
    the caller's language where the track's translation into it is complete (`locale`)."""
    return catalogue.list_tracks_for(
        session, principal=user, include_inactive=include_inactive, locale=current_locale()
    )


@router.get("/tracks/{track_id}", response_model=TrackOverview)
def read_track(track_id: ResourceId, session: SessionDep, user: CurrentUser) -> TrackOverview:
    """One track with its courses and the caller's progress, in the caller's language where
    the track's translation into it is complete (`locale`)."""
    return catalogue.get_track_overview(
        session, principal=user, track_id=track_id, locale=current_locale()
    )


@router.get("/courses/{course_id}", response_model=CourseRead)
def read_course(course_id: ResourceId, session: SessionDep, user: CurrentUser) -> CourseRead:
    """One course; `content` is markdown; in the caller's language as its track is (`locale`)."""
    return catalogue.get_course(
        session, principal=user, course_id=course_id, locale=current_locale()
    )


# --- certificates -----------------------------------------------------------------
