"""Training catalogue: what a caller may see, the read views, and the caller's progress."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from opsportal.errors import NotFound
from opsportal.models import Course, Quiz, Track, TrackType
from opsportal.models.base import utcnow
from opsportal.principal import Principal
from opsportal.training import repository
from opsportal.training.progress import Progress, certificate_read, progress_for_tracks
from opsportal.training.schemas import (
    CourseOverview,
    CourseRead,
    QuestionRead,
    QuizRead,
    TrackOverview,
    TrackRead,
    UserProgress,
)

# --- visibility -------------------------------------------------------------


def visible_types(principal: Principal) -> set[TrackType] | None:
    """Customers see only CUSTOMER tracks; staff see every type (None means no filter)."""
    return None if principal.is_staff else {TrackType.CUSTOMER}


def can_see_track(principal: Principal, track: Track) -> bool:
    if principal.is_admin:
        return True
    if not track.is_active:
        return False
    return principal.is_staff or track.type is TrackType.CUSTOMER


def visible_track(session: Session, principal: Principal, track_id: int) -> Track:
    track = repository.get_track_with_courses(session, track_id)
    if track is None or not can_see_track(principal, track):
        raise NotFound(f"Track {track_id} not found.")
    return track


def visible_course(session: Session, principal: Principal, course_id: int) -> Course:
    course = repository.get_course(session, course_id)
    if course is None or not can_see_track(principal, course.track):
        raise NotFound(f"Course {course_id} not found.")
    if not course.is_active and not principal.is_admin:
        raise NotFound(f"Course {course_id} not found.")
    return course


# --- reading views ------------------------------------------------------------


def track_read(track: Track) -> TrackRead:
    return TrackRead.model_validate(track)


def course_read(course: Course) -> CourseRead:
    return CourseRead(
        id=course.id,
        track_id=course.track_id,
        title=course.title,
        description=course.description,
        content=course.content,
        sort_order=course.sort_order,
        is_active=course.is_active,
        quiz_id=course.quiz.id if course.quiz is not None else None,
        scorm_package_id=course.scorm_package_id,
    )


def quiz_read(quiz: Quiz) -> QuizRead:
    return QuizRead(
        id=quiz.id,
        course_id=quiz.course_id,
        title=quiz.title,
        pass_threshold=float(quiz.pass_threshold),
        questions=[QuestionRead.model_validate(q) for q in quiz.questions],
        reveal_answers=quiz.reveal_answers,
        max_attempts=quiz.max_attempts,
        cooldown_minutes=quiz.cooldown_minutes,
        time_limit_minutes=quiz.time_limit_minutes,
        questions_per_attempt=quiz.questions_per_attempt,
        shuffle_questions=quiz.shuffle_questions,
        shuffle_options=quiz.shuffle_options,
    )


# --- progress -----------------------------------------------------------------


def _overview(
    track: Track, progress: Progress, *, principal: Principal, read_ids: set[int]
) -> TrackOverview:
    courses = [c for c in track.courses if c.is_active or principal.is_admin]
    percentage = (len(progress.passed_course_ids) * 100) // progress.total if progress.total else 0
    return TrackOverview(
        **track_read(track).model_dump(),
        courses=[
            CourseOverview(
                **course_read(c).model_dump(),
                is_passed=c.id in progress.passed_course_ids,
                is_read=c.id in read_ids,
            )
            for c in courses
        ],
        user_progress=UserProgress(
            courses_passed=len(progress.passed_course_ids),
            total_courses=progress.total,
            percentage=percentage,
        )
        if progress.started
        else None,
        is_completed=progress.completed,
        certificate=certificate_read(progress.active_certificate)
        if progress.active_certificate is not None
        else None,
    )


# --- catalogue ----------------------------------------------------------------


def list_tracks_for(
    session: Session, *, principal: Principal, include_inactive: bool = False
) -> list[TrackOverview]:
    """Active tracks the caller may take, courses in order, with the caller's progress."""
    tracks = repository.list_tracks(
        session,
        types=visible_types(principal),
        include_inactive=include_inactive and principal.is_admin,
    )
    now = utcnow()
    progress = progress_for_tracks(session, user_id=principal.user_id, tracks=tracks, now=now)
    read_ids = _read_ids(session, principal, tracks)
    return [_overview(t, progress[t.id], principal=principal, read_ids=read_ids) for t in tracks]


def _read_ids(session: Session, principal: Principal, tracks: Sequence[Track]) -> set[int]:
    course_ids = [c.id for t in tracks for c in t.courses]
    return repository.read_course_ids(session, user_id=principal.user_id, course_ids=course_ids)


def get_track_overview(session: Session, *, principal: Principal, track_id: int) -> TrackOverview:
    track = visible_track(session, principal, track_id)
    progress = progress_for_tracks(session, user_id=principal.user_id, tracks=[track], now=utcnow())
    return _overview(
        track,
        progress[track.id],
        principal=principal,
        read_ids=_read_ids(session, principal, [track]),
    )


def get_course(session: Session, *, principal: Principal, course_id: int) -> CourseRead:
    """One course the caller may see (its `content` is markdown; see training.markdown)."""
    return course_read(visible_course(session, principal, course_id))


def get_quiz(session: Session, *, principal: Principal, course_id: int) -> QuizRead:
    """The quiz of a course with its answer key (admins only: endpoints enforce the role)."""
    course = visible_course(session, principal, course_id)
    if course.quiz is None:
        raise NotFound(f"Course {course_id} has no quiz.")
    return quiz_read(course.quiz)
