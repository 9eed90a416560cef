"""A learner's progress through a track, and the one rule of what completes a track.

A track is complete when every active course has a quiz and the learner passed it. An
active course without a quiz is not skipped: it keeps the track from being completed
until its quiz is added (a certificate attests a passed assessment of every course), and
a draft with one cannot be published (`unfinished_courses`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

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
    passed_quiz_ids: set[int]
    total: int
    started: bool
    active_certificate: Certificate | None

    @property
    def completed(self) -> bool:
        return self.total > 0 and len(self.passed_quiz_ids) >= self.total


def counted_courses(track: Track) -> list[Course]:
    """The courses that count towards completion: every active one (its quiz loaded)."""
    return [c for c in track.courses if c.is_active]


def unfinished_courses(track: Track) -> list[Course]:
    """Active courses without a quiz: while there is one, nobody can complete the track."""
    return [c for c in counted_courses(track) if c.quiz is None]


def progress_of(
    track: Track,
    *,
    certificates: Sequence[Certificate],
    passes: Iterable[tuple[int, datetime]],
    attempted: set[int],
    now: datetime,
) -> Progress:
    """A track is complete when every active course has a quiz with a passed attempt.

    Passes count only after the newest of the user's certificates for the track
    that is no longer active (expired or revoked). So an active certificate keeps
    the track complete, while a user whose certificate expired (by time or by a
    new major version) or was revoked takes the quizzes again before being
    certified anew.
    """
    courses = counted_courses(track)
    quiz_ids = {c.quiz.id for c in courses if c.quiz is not None}
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
        # Counting the courses, not their quizzes: one without a quiz is never passed.
        total=len(courses),
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


def track_completed(session: Session, *, user_id: int, track_id: int) -> bool:
    track = repository.get_track_with_courses(session, track_id)
    if track is None:
        return False
    return progress_for_tracks(session, user_id=user_id, tracks=[track], now=utcnow())[
        track.id
    ].completed
