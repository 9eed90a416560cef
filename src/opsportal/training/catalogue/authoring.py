"""Training authoring: tracks, courses and quizzes, with the quiz rules they must meet."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from pydantic.alias_generators import to_camel
from sqlalchemy.orm import Session

from opsportal import audit
from opsportal.config import Settings
from opsportal.db import flush_or_conflict
from opsportal.errors import Conflict, InvalidInput, NotFound
from opsportal.i18n import N_, SHIPPED_LOCALES
from opsportal.models import Course, Quiz, Track
from opsportal.principal import Principal
from opsportal.training import repository
from opsportal.training.catalogue.quiz_rules import validate_questions, validate_quiz_policy
from opsportal.training.progress import counted_courses, unfinished_courses
from opsportal.training.schemas import (
    CourseCreate,
    CourseUpdate,
    QuizPolicy,
    QuizPut,
    TrackCreate,
    TrackUpdate,
)
from opsportal.training.translations import repository as translations
from opsportal.web.translatable import Translatable

# --- tracks -------------------------------------------------------------------


def _parse_version(version: str) -> tuple[int, int]:
    major, minor = version.split(".")
    return int(major), int(minor)


def _slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:100].strip("-")
    return slug or "track"


def _slug_taken(slug: str) -> Translatable:
    return Translatable(N_("A track with slug %(slug)s already exists."), slug=repr(slug))


def _track(session: Session, track_id: int) -> Track:
    track = repository.get_track(session, track_id)
    if track is None:
        raise NotFound(f"Track {track_id} not found.")
    return track


def get_course(session: Session, course_id: int) -> Course:
    """A course, hidden ones included."""
    course = repository.get_course(session, course_id)
    if course is None:
        raise NotFound(f"Course {course_id} not found.")
    return course


def _changes(data: TrackUpdate | CourseUpdate) -> dict[str, Any]:
    """The fields an update sets: one left out is kept, but none may be emptied."""
    changes = data.model_dump(exclude_unset=True)
    for field, value in changes.items():
        if value is None:
            raise InvalidInput(f"{field} cannot be null.", field=to_camel(field))
    return changes


def _check_default_locale(locale: str) -> str:
    if locale not in SHIPPED_LOCALES:
        known = ", ".join(SHIPPED_LOCALES)
        raise InvalidInput(f"defaultLocale must be one of {known}.", field="defaultLocale")
    return locale


def create_track(
    session: Session, *, data: TrackCreate, settings: Settings, actor: Principal | None = None
) -> Track:
    # A new track is written in the deployment's default language unless it says otherwise.
    default_locale = _check_default_locale(data.default_locale or settings.default_locale)
    slug = data.slug or _slugify(data.name)
    if repository.get_track_by_slug(session, slug) is not None:
        raise Conflict(_slug_taken(slug))
    major, minor = _parse_version(data.version)
    sort_order = data.sort_order
    if sort_order is None:  # after every existing track: a new one never jumps the queue
        sort_order = repository.next_track_sort_order(session)
    track = Track(
        name=data.name,
        slug=slug,
        description=data.description,
        type=data.type,
        level=data.level,
        is_required=data.is_required,
        estimated_minutes=data.estimated_minutes,
        version_major=major,
        version_minor=minor,
        validity_days=data.validity_days or settings.certificate_validity_days,
        is_active=data.is_active,
        sort_order=sort_order,
        default_locale=default_locale,
    )
    session.add(track)
    flush_or_conflict(session, _slug_taken(slug))
    audit.record(
        session,
        actor=actor,
        action="track.create",
        target_type="track",
        target_id=track.id,
        detail=_track_fields(track),
    )
    return track


def _track_fields(track: Track) -> dict[str, object]:
    return {
        "name": track.name,
        "slug": track.slug,
        "type": track.type,
        "level": track.level,
        "version": track.version,
        "validityDays": track.validity_days,
        "isActive": track.is_active,
        "isRequired": track.is_required,
        "estimatedMinutes": track.estimated_minutes,
        "sortOrder": track.sort_order,
        "defaultLocale": track.default_locale,
    }


def update_track(
    session: Session, *, track_id: int, data: TrackUpdate, actor: Principal | None = None
) -> Track:
    track = _track(session, track_id)
    before = _track_fields(track) | {"description": track.description}
    changes = _changes(data)
    if changes.get("is_active") is True and not track.is_active:
        with_courses = repository.get_track_with_courses(session, track.id)
        assert with_courses is not None
        check_publishable(with_courses)
    if "slug" in changes and changes["slug"] != track.slug:
        if repository.get_track_by_slug(session, changes["slug"]) is not None:
            raise Conflict(_slug_taken(changes["slug"]))
    if "version" in changes:
        major, minor = _parse_version(changes.pop("version"))
        if (major, minor) < (track.version_major, track.version_minor):
            raise InvalidInput(
                Translatable(
                    N_("version cannot go back from %(old)s to %(new)s."),
                    old=track.version,
                    new=f"{major}.{minor}",
                ),
                field="version",
            )
        track.version_major, track.version_minor = major, minor
    if changes.get("default_locale", track.default_locale) != track.default_locale:
        locale = _check_default_locale(changes["default_locale"])
        if translations.get_translation(session, track_id=track.id, locale=locale) is not None:
            raise Conflict(
                f"The track has a translation into {locale!r}: delete it before making "
                f"{locale!r} the language of the track's own texts.",
                extra={"field": "defaultLocale"},
            )
    for field, value in changes.items():
        setattr(track, field, value)
    flush_or_conflict(session, _slug_taken(track.slug))
    audit.record_changes(
        session,
        actor=actor,
        target_type="track",
        target_id=track.id,
        before=before,
        after=_track_fields(track) | {"description": track.description},
        hidden=("description",),
    )
    return track


def check_publishable(track: Track) -> None:
    """Publishing a draft needs a track learners can complete: at least one active course,
    each with a quiz or a SCORM package (409 naming the courses with neither in `courseIds`)."""
    if not counted_courses(track):
        raise Conflict(
            Translatable(
                N_("Add a course with a quiz or a SCORM package before publishing the track.")
            ),
            extra={"courseIds": []},
        )
    missing = unfinished_courses(track)
    if missing:
        names = ", ".join(f"“{c.title}”" for c in missing)
        raise Conflict(
            Translatable.ngettext(
                "Add a quiz to every course before publishing the track: %(names)s has none "
                "(nor a SCORM package), and learners could not complete the track without it.",
                "Add a quiz to every course before publishing the track: %(names)s have none "
                "(nor a SCORM package), and learners could not complete the track without it.",
                len(missing),
                names=names,
            ),
            extra={"courseIds": [c.id for c in missing]},
        )


# --- courses ------------------------------------------------------------------


def create_course(
    session: Session, *, track_id: int, data: CourseCreate, actor: Principal | None = None
) -> Course:
    track = _track(session, track_id)
    fields = data.model_dump()
    if "sort_order" not in data.model_fields_set:
        fields["sort_order"] = repository.next_course_sort_order(session, track_id)
    course = Course(track_id=track.id, **fields)
    session.add(course)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="course.create",
        target_type="course",
        target_id=course.id,
        detail={"trackId": track.id, "title": course.title, "isActive": course.is_active},
    )
    return course


def _course_fields(course: Course) -> dict[str, object]:
    return {
        "title": course.title,
        "content": course.content,
        "sortOrder": course.sort_order,
        "isActive": course.is_active,
    }


def update_course(
    session: Session, *, course_id: int, data: CourseUpdate, actor: Principal | None = None
) -> Course:
    course = get_course(session, course_id)
    before = _course_fields(course)
    for field, value in _changes(data).items():
        setattr(course, field, value)
    session.flush()
    audit.record_changes(
        session,
        actor=actor,
        target_type="course",
        target_id=course.id,
        before=before,
        after=_course_fields(course),
        hidden=("content",),
    )
    return course


# --- quizzes ------------------------------------------------------------------


def put_quiz(
    session: Session, *, course_id: int, data: QuizPut, actor: Principal | None = None
) -> Quiz:
    """Create the course's quiz, or replace it whole (same quiz id; started attempts keep
    the questions they were given)."""
    course = get_course(session, course_id)
    validate_questions(data.questions)
    validate_quiz_policy(data)
    questions = [q.model_dump(mode="json") for q in data.questions]
    title = data.title or course.title
    quiz = course.quiz
    replaced = quiz is not None
    if quiz is None:
        quiz = Quiz(
            course_id=course.id,
            title=title,
            pass_threshold=data.pass_threshold,
            questions=questions,
        )
        session.add(quiz)
    else:
        quiz.title = title
        quiz.pass_threshold = data.pass_threshold
        quiz.questions = questions
    apply_quiz_policy(quiz, data)
    # Two first PUTs racing on the unique course_id: the loser retries as a replace.
    flush_or_conflict(session, "The quiz was created concurrently; send the PUT again.")
    audit.record(
        session,
        actor=actor,
        action="quiz.replace" if replaced else "quiz.create",
        target_type="quiz",
        target_id=quiz.id,
        detail={
            "courseId": course.id,
            "title": quiz.title,
            "passThreshold": quiz.pass_threshold,
            "questions": len(questions),
        }
        | quiz_policy_fields(quiz),
    )
    return quiz


POLICY_FIELDS = tuple(QuizPolicy.model_fields)


def apply_quiz_policy(quiz: Quiz, data: QuizPolicy) -> None:
    for field in POLICY_FIELDS:
        setattr(quiz, field, getattr(data, field))


def quiz_policy_fields(quiz: Quiz) -> dict[str, object]:
    """The policy as the audit trail records it (camelCase, like the API)."""
    return {QuizPolicy.model_fields[f].alias or f: getattr(quiz, f) for f in POLICY_FIELDS}
