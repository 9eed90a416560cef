"""Training catalogue: what a caller may see, the read views, and the caller's progress."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from opsportal.errors import NotFound
from opsportal.models import Certificate, Course, Quiz, Track, TrackType
from opsportal.models.base import utcnow
from opsportal.principal import Principal
from opsportal.training import attempt_repository, repository
from opsportal.training.certificates import CertificateStatus, certificate_status
from opsportal.training.schemas import (
    CertificateRead,
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


def certificate_read(certificate: Certificate, *, now: datetime | None = None) -> CertificateRead:
    return CertificateRead(
        id=certificate.id,
        certificate_number=certificate.certificate_number,
        verification_code=certificate.verification_code,
        recipient_name=certificate.recipient_name,
        track_id=certificate.track_id,
        track_name=certificate.track_name,
        track_version=certificate.track_version,
        status=status_of(certificate, now=now),
        issued_at=certificate.issued_at,
        expires_at=certificate.expires_at,
        revoked_at=certificate.revoked_at,
        revocation_reason=certificate.revoked_reason,
    )


def status_of(certificate: Certificate, *, now: datetime | None = None) -> CertificateStatus:
    """Every status shown anywhere goes through here (its track must be loaded)."""
    return certificate_status(
        expires_at=certificate.expires_at,
        revoked_at=certificate.revoked_at,
        certificate_major=certificate.track_major,
        track_major=certificate.track.version_major,
        now=now or utcnow(),
    )


# --- progress -----------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    passed_quiz_ids: set[int]
    total: int
    started: bool
    active_certificate: Certificate | None

    @property
    def completed(self) -> bool:
        return self.total > 0 and len(self.passed_quiz_ids) >= self.total


def _quiz_courses(track: Track) -> list[Course]:
    """The courses that count towards completion: active, with a quiz."""
    return [c for c in track.courses if c.is_active and c.quiz is not None]


def progress_of(
    track: Track,
    *,
    certificates: Sequence[Certificate],
    passes: Iterable[tuple[int, datetime]],
    attempted: set[int],
    now: datetime,
) -> Progress:
    """A track is complete when every active course with a quiz has a passed attempt.

    Passes count only after the newest of the user's certificates for the track
    that is no longer active (expired or revoked). So an active certificate keeps
    the track complete, while a user whose certificate expired (by time or by a
    new major version) or was revoked takes the quizzes again before being
    certified anew.
    """
    quiz_ids = {c.quiz.id for c in _quiz_courses(track) if c.quiz is not None}
    own = [c for c in certificates if c.track_id == track.id]
    active = [c for c in own if status_of(c, now=now) is CertificateStatus.ACTIVE]
    lapsed = [c.issued_at for c in own if status_of(c, now=now) is not CertificateStatus.ACTIVE]
    since = max(lapsed, default=None)
    passed = {
        quiz_id
        for quiz_id, submitted_at in passes
        if quiz_id in quiz_ids and (since is None or submitted_at > since)
    }
    return Progress(
        passed_quiz_ids=passed,
        total=len(quiz_ids),
        started=bool(quiz_ids & attempted),
        active_certificate=max(active, key=lambda c: c.issued_at, default=None),
    )


def progress_for_tracks(
    session: Session, *, user_id: int, tracks: Sequence[Track], now: datetime
) -> dict[int, Progress]:
    quiz_ids = {c.quiz.id for t in tracks for c in t.courses if c.quiz is not None}
    passes = repository.passes(session, user_id=user_id, quiz_ids=quiz_ids)
    attempted = repository.attempted_quiz_ids(session, user_id=user_id, quiz_ids=quiz_ids)
    certificates = repository.certificates_of(session, user_id=user_id)
    return {
        t.id: progress_of(t, certificates=certificates, passes=passes, attempted=attempted, now=now)
        for t in tracks
    }


def _overview(
    track: Track, progress: Progress, *, principal: Principal, read_ids: set[int]
) -> TrackOverview:
    courses = [c for c in track.courses if c.is_active or principal.is_admin]
    percentage = (len(progress.passed_quiz_ids) * 100) // progress.total if progress.total else 0
    return TrackOverview(
        **track_read(track).model_dump(),
        courses=[
            CourseOverview(
                **course_read(c).model_dump(),
                is_passed=c.quiz is not None and c.quiz.id in progress.passed_quiz_ids,
                is_read=c.id in read_ids,
            )
            for c in courses
        ],
        user_progress=UserProgress(
            courses_passed=len(progress.passed_quiz_ids),
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
    return attempt_repository.read_course_ids(
        session, user_id=principal.user_id, course_ids=course_ids
    )


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


def track_completed(session: Session, *, user_id: int, track_id: int) -> bool:
    track = repository.get_track_with_courses(session, track_id)
    if track is None:
        return False
    return progress_for_tracks(session, user_id=user_id, tracks=[track], now=utcnow())[
        track.id
    ].completed
