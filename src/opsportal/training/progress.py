"""A learner's progress through a track, and the one rule of what completes a track.

A track is complete when every active course is done: its quiz passed, or its SCORM
package's SCO completed. An active course with neither a quiz nor a package is not
skipped: it keeps the track from being completed until it gets one (a certificate
attests a passed assessment of every course), and a draft with one cannot be
published (`unfinished_courses`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from opsportal.models import Certificate, Course, Track
from opsportal.models.base import utcnow
from opsportal.training import repository
from opsportal.training.certificates import CertificateStatus, certificate_status
from opsportal.training.schemas import (
    CertificateRead,
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


@dataclass(frozen=True)
class Progress:
    passed_course_ids: set[int]
    total: int
    started: bool
    active_certificate: Certificate | None

    @property
    def completed(self) -> bool:
        return self.total > 0 and len(self.passed_course_ids) >= self.total


def counted_courses(track: Track) -> list[Course]:
    """The courses that count towards completion: every active one (its quiz loaded)."""
    return [c for c in track.courses if c.is_active]


def assessed(course: Course) -> bool:
    """Whether a learner can complete the course: it has a quiz or a SCORM package."""
    return course.quiz is not None or course.scorm_package_id is not None


def unfinished_courses(track: Track) -> list[Course]:
    """Active courses with neither quiz nor package: while there is one, nobody can
    complete the track."""
    return [c for c in counted_courses(track) if not assessed(c)]


class QuizLike(Protocol):
    @property
    def id(self) -> int: ...


class CourseLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def is_active(self) -> bool: ...
    @property
    def scorm_package_id(self) -> int | None: ...
    @property
    def quiz(self) -> QuizLike | None: ...


class TrackLike(Protocol):
    """What the progress rule reads of a track: a `Track`, or its outline
    (`repository.track_outline`, without the courses' texts and the quizzes' questions)."""

    @property
    def id(self) -> int: ...
    @property
    def courses(self) -> Sequence[CourseLike]: ...


def progress_of(
    track: TrackLike,
    *,
    certificates: Sequence[Certificate],
    passes: Iterable[tuple[int, datetime]],
    attempted: set[int],
    now: datetime,
    completions: Iterable[tuple[int, datetime]] = (),
    opened: Collection[int] = frozenset(),
) -> Progress:
    """A track is complete when every counted course is done: its quiz passed, and its
    SCORM package's SCO completed (passed, or completed and not failed).

    `passes` are (quiz id, latest pass); `completions` (course id, first completion
    of the latest SCORM attempt); `attempted` quiz ids and `opened` SCORM course ids
    say the track is started. Passes and completions count only after the newest of
    the user's certificates for the track that is no longer active (expired or
    revoked). So an active certificate keeps the track complete, while a user whose
    certificate expired (by time or by a new major version) or was revoked takes
    the quizzes, and the SCORM courses, again before being certified anew.
    """
    courses = [c for c in track.courses if c.is_active]  # counted_courses
    own = [c for c in certificates if c.track_id == track.id]
    active = [c for c in own if status_of(c, now=now) is CertificateStatus.ACTIVE]
    lapsed = [c.issued_at for c in own if status_of(c, now=now) is not CertificateStatus.ACTIVE]
    since = max(lapsed, default=None)

    def counting(events: Iterable[tuple[int, datetime]]) -> set[int]:
        return {key for key, at in events if since is None or at > since}

    passed_quizzes = counting(passes)
    completed_courses = counting(completions)
    done = {
        c.id
        for c in courses
        if (c.quiz is not None or c.scorm_package_id is not None)  # assessed
        and (c.quiz is None or c.quiz.id in passed_quizzes)
        and (c.scorm_package_id is None or c.id in completed_courses)
    }
    quiz_ids = {c.quiz.id for c in courses if c.quiz is not None}
    return Progress(
        passed_course_ids=done,
        # Counting the courses: one with neither quiz nor package is never done.
        total=len(courses),
        started=bool(quiz_ids & attempted) or any(c.id in opened for c in courses),
        active_certificate=max(active, key=lambda c: c.issued_at, default=None),
    )


def progress_for_tracks(
    session: Session, *, user_id: int, tracks: Sequence[TrackLike], now: datetime
) -> dict[int, Progress]:
    quiz_ids = {c.quiz.id for t in tracks for c in t.courses if c.quiz is not None}
    scorm_ids = {c.id for t in tracks for c in t.courses if c.scorm_package_id is not None}
    passes = repository.passes(session, user_id=user_id, quiz_ids=quiz_ids)
    attempted = repository.attempted_quiz_ids(session, user_id=user_id, quiz_ids=quiz_ids)
    completions, opened = repository.scorm_activity(session, user_id=user_id, course_ids=scorm_ids)
    certificates = repository.certificates_of(session, user_id=user_id)
    return {
        t.id: progress_of(
            t,
            certificates=certificates,
            passes=passes,
            attempted=attempted,
            completions=completions,
            opened=opened,
            now=now,
        )
        for t in tracks
    }


def track_completed(session: Session, *, user_id: int, track_id: int) -> bool:
    # The outline: a missing track has no courses, so it is not complete either.
    track = repository.track_outline(session, track_id)
    return progress_for_tracks(session, user_id=user_id, tracks=[track], now=utcnow())[
        track.id
    ].completed
