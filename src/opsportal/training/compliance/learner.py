"""One learner's training, for those who oversee it: assignments, progress, attempts, certificates.

Staff see any organisation's learners, a customer_admin its own organisation's,
former users included (deactivated, or moved away: then only what they were
assigned here). Anyone else, or a user who never belonged, is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from opsportal.errors import NotFound
from opsportal.models import Organization, QuizAttempt, Track, User
from opsportal.models.base import utcnow
from opsportal.principal import Principal
from opsportal.training import repository as training_repository
from opsportal.training.compliance import repository
from opsportal.training.compliance.assignments import assignment_reads, managed_organization
from opsportal.training.compliance.report import former_reason
from opsportal.training.compliance.schemas import AssignmentRead
from opsportal.training.progress import certificate_read, progress_for_tracks
from opsportal.training.schemas import CertificateRead


@dataclass(frozen=True)
class CourseProgress:
    title: str
    has_quiz: bool
    passed: bool
    attempts: int
    best_score: int | None
    last_attempt_at: datetime | None


@dataclass(frozen=True)
class TrackProgress:
    track_id: int
    name: str
    assignment: AssignmentRead | None
    passed: int
    total: int
    courses: list[CourseProgress]


@dataclass(frozen=True)
class AttemptLine:
    track_name: str
    course_title: str
    started_at: datetime
    submitted_at: datetime | None
    score: int | None
    passed: bool | None


@dataclass(frozen=True)
class LearnerTraining:
    organization: Organization
    user: User
    former: str | None
    tracks: list[TrackProgress]
    attempts: list[AttemptLine]
    certificates: list[CertificateRead]


def _learner(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.role.is_customer:
        raise NotFound(f"User {user_id} not found.")
    return user


def learner_training(
    session: Session, *, principal: Principal, organization_id: int, user_id: int
) -> LearnerTraining:
    organization = managed_organization(session, principal, organization_id)
    user = _learner(session, user_id)
    assignments = repository.learner_assignments(
        session, organization_id=organization.id, user_id=user.id
    )
    member = user.organization_id == organization.id
    if not member and not assignments:
        raise NotFound(f"User {user_id} not found.")
    now = utcnow()
    reads = {r.track_id: r for r in assignment_reads(session, assignments, now=now)}
    certificates = training_repository.certificates_of(session, user_id=user.id)
    # What was done elsewhere stays there: a user who moved away shows this organisation's tracks.
    track_ids = set(reads) | ({c.track_id for c in certificates} if member else set())
    tracks = [
        t
        for t in (training_repository.get_track_with_courses(session, i) for i in track_ids)
        if t is not None
    ]
    tracks.sort(key=lambda t: (t.id not in reads, t.sort_order, t.name, t.id))
    progress = progress_for_tracks(session, user_id=user.id, tracks=tracks, now=now)
    quizzes = {c.quiz.id: (t, c.title) for t in tracks for c in t.courses if c.quiz is not None}
    attempts = training_repository.attempts_of(session, user_id=user.id, quiz_ids=set(quizzes))
    return LearnerTraining(
        organization=organization,
        user=user,
        former=former_reason(user, organization.id),
        tracks=[
            _track_progress(t, reads.get(t.id), progress[t.id].passed_quiz_ids, attempts)
            for t in tracks
        ],
        attempts=[
            AttemptLine(
                track_name=quizzes[a.quiz_id][0].name,
                course_title=quizzes[a.quiz_id][1],
                started_at=a.started_at,
                submitted_at=a.submitted_at,
                score=a.score,
                passed=a.passed,
            )
            for a in attempts
        ],
        certificates=[
            certificate_read(c, now=now) for c in certificates if c.track_id in track_ids
        ],
    )


def _track_progress(
    track: Track,
    assignment: AssignmentRead | None,
    passed_quiz_ids: set[int],
    attempts: list[QuizAttempt],
) -> TrackProgress:
    courses = []
    for course in track.courses:
        if not course.is_active:
            continue
        quiz_id = course.quiz.id if course.quiz is not None else None
        own = [a for a in attempts if a.quiz_id == quiz_id]
        scores = [a.score for a in own if a.score is not None]
        courses.append(
            CourseProgress(
                title=course.title,
                has_quiz=quiz_id is not None,
                passed=quiz_id in passed_quiz_ids,
                attempts=len(own),
                best_score=max(scores, default=None),
                last_attempt_at=max((a.started_at for a in own), default=None),
            )
        )
    with_quiz = [c for c in courses if c.has_quiz]
    return TrackProgress(
        track_id=track.id,
        name=track.name,
        assignment=assignment,
        passed=sum(c.passed for c in with_quiz),
        total=len(with_quiz),
        courses=courses,
    )
