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
    TranslationStatus,
    UserProgress,
)
from opsportal.training.translations import serving
from opsportal.training.translations.status import Served, course_key

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


def _track_read(track: Track, languages: list[serving.LanguageSummary]) -> TrackRead:
    read = TrackRead.model_validate(track)
    read.translations = [TranslationStatus(locale=s.locale, status=s.status) for s in languages]
    return read


def track_read(session: Session, track: Track) -> TrackRead:
    """A track as its author wrote it, with the status of each of its languages."""
    loaded = repository.get_track_with_courses(session, track.id)
    assert loaded is not None
    return _track_read(loaded, serving.summarise_tracks(session, [loaded])[loaded.id])


def course_read(course: Course, served: Served) -> CourseRead:
    """A course in the language `served` says."""

    def text(field: str, source: str) -> str:
        return served.text(course_key(course.id, field), source)

    return CourseRead(
        id=course.id,
        track_id=course.track_id,
        title=text("title", course.title),
        description=text("description", course.description),
        content=text("content", course.content),
        sort_order=course.sort_order,
        is_active=course.is_active,
        quiz_id=course.quiz.id if course.quiz is not None else None,
        scorm_package_id=course.scorm_package_id,
        locale=served.locale,
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
    track: Track,
    progress: Progress,
    *,
    principal: Principal,
    read_ids: set[int],
    served: Served,
    languages: list[serving.LanguageSummary],
) -> TrackOverview:
    courses = [c for c in track.courses if c.is_active or principal.is_admin]
    percentage = (len(progress.passed_course_ids) * 100) // progress.total if progress.total else 0
    read = _track_read(track, languages)
    read.name = served.text("name", track.name)
    read.description = served.text("description", track.description)
    return TrackOverview(
        **read.model_dump(),
        locale=served.locale,
        courses=[
            CourseOverview(
                **course_read(c, served).model_dump(),
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


def _overviews(
    session: Session, principal: Principal, tracks: Sequence[Track], locale: str | None
) -> list[TrackOverview]:
    """The tracks with the caller's progress, in the language `locale` asks for where each
    track's translation into it is complete (the author's texts without one)."""
    progress = progress_for_tracks(session, user_id=principal.user_id, tracks=tracks, now=utcnow())
    read_ids = _read_ids(session, principal, tracks)
    languages = serving.summarise_tracks(session, tracks)
    served = serving.served(session, tracks, requested=locale)
    return [
        _overview(
            t,
            progress[t.id],
            principal=principal,
            read_ids=read_ids,
            served=served[t.id],
            languages=languages[t.id],
        )
        for t in tracks
    ]


def list_tracks_for(
    session: Session,
    *,
    principal: Principal,
    include_inactive: bool = False,
    locale: str | None = None,
) -> list[TrackOverview]:
    """Active tracks the caller may take, courses in order, with the caller's progress."""
    tracks = repository.list_tracks(
        session,
        types=visible_types(principal),
        include_inactive=include_inactive and principal.is_admin,
    )
    return _overviews(session, principal, tracks, locale)


def _read_ids(session: Session, principal: Principal, tracks: Sequence[Track]) -> set[int]:
    course_ids = [c.id for t in tracks for c in t.courses]
    return repository.read_course_ids(session, user_id=principal.user_id, course_ids=course_ids)


def get_track_overview(
    session: Session, *, principal: Principal, track_id: int, locale: str | None = None
) -> TrackOverview:
    track = visible_track(session, principal, track_id)
    return _overviews(session, principal, [track], locale)[0]


def get_course_and_track(
    session: Session, *, principal: Principal, course_id: int, locale: str | None = None
) -> tuple[CourseRead, TrackOverview]:
    """A course the caller may see and its track with the caller's progress, both in the
    language `locale` asks for if the track's translation into it is complete."""
    course = visible_course(session, principal, course_id)
    track = get_track_overview(
        session, principal=principal, track_id=course.track_id, locale=locale
    )
    return next(c for c in track.courses if c.id == course.id), track


def get_course(
    session: Session, *, principal: Principal, course_id: int, locale: str | None = None
) -> CourseRead:
    """One course the caller may see (its `content` is markdown; see training.markdown), in
    the language `locale` asks for if its track's translation into it is complete."""
    course = visible_course(session, principal, course_id)
    served = serving.served_track(session, track_id=course.track_id, requested=locale)
    return course_read(course, served)


def get_quiz(session: Session, *, principal: Principal, course_id: int) -> QuizRead:
    """The quiz of a course with its answer key (admins only: endpoints enforce the role)."""
    course = visible_course(session, principal, course_id)
    if course.quiz is None:
        raise NotFound(f"Course {course_id} has no quiz.")
    return quiz_read(course.quiz)
