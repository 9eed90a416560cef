"""Demo training for `opsportal demo`: tracks loaded once (found by slug afterwards), and
assignments for the demo organisations (see `assignments.py`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.training import repository
from opsportal.training.catalogue import authoring
from opsportal.training.demo.assignments import load_assignment_demo
from opsportal.training.demo.customer_track import CUSTOMER_TRACK
from opsportal.training.demo.internal_track import INTERNAL_TRACK
from opsportal.training.demo.track_languages import load_track_languages
from opsportal.training.schemas import CourseCreate, QuizPut, TrackCreate

Say = Callable[[str], object]

__all__ = ["load_assignment_demo", "load_training_demo"]


def _load_track(session: Session, *, spec: dict[str, Any], settings: Settings, say: Say) -> None:
    slug = spec["track"]["slug"]
    if repository.get_track_by_slug(session, slug) is not None:
        return
    track = authoring.create_track(
        session, data=TrackCreate.model_validate(spec["track"]), settings=settings
    )
    for order, item in enumerate(spec["courses"]):
        course = authoring.create_course(
            session,
            track_id=track.id,
            data=CourseCreate.model_validate({**item["course"], "sortOrder": order}),
        )
        authoring.put_quiz(
            session,
            course_id=course.id,
            data=QuizPut.model_validate({"questions": item["questions"]}),
        )
    say(f"training track ready: {track.name}")


def load_training_demo(session: Session, *, settings: Settings, say: Say) -> None:
    """A CUSTOMER track of three courses, in four languages, and an INTERNAL track; existing
    slugs are left alone, and only languages the customer track lacks are added."""
    for spec in (CUSTOMER_TRACK, INTERNAL_TRACK):
        _load_track(session, spec=spec, settings=settings, say=say)
    load_track_languages(session)
