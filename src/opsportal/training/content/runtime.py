"""A learner's SCORM runtime on the server: launches, the state a launch resumes from, commits.

A launch is a random key (shown once to the learner's page, stored as a
SHA-256) scoped to one learner's attempt at one course. The runtime frame on
the content origin reads the attempt's state and commits with it; it never
holds the learner's session cookie, and the key opens nothing else: no page,
no API, no other course. A new launch replaces the attempt's key, so only the
newest window commits.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from opsportal.errors import InvalidInput, NotFound
from opsportal.models import Course, ScormAttempt, ScormPackage, User
from opsportal.principal import Principal
from opsportal.training import repository as training
from opsportal.training.catalogue.service import visible_course
from opsportal.training.content import cmi, repository
from opsportal.training.content.events import CourseCompleted, course_completed
from opsportal.training.content.schemas import CommitResult
from opsportal.training.progress import progress_for_tracks, track_completed

# How long a launch's key opens the content and takes commits.
LAUNCH_HOURS = 12


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Launch:
    token: str
    attempt_id: int
    expires_at: datetime


def scorm_course(session: Session, principal: Principal, course_id: int) -> Course:
    course = visible_course(session, principal, course_id)
    if course.scorm_package_id is None:
        raise NotFound(f"Course {course_id} is not a SCORM course.")
    return course


def _attempt_to_play(
    session: Session, *, principal: Principal, course: Course, now: datetime
) -> ScormAttempt:
    """The latest attempt, unless it completed and no longer counts (its certificate lapsed)."""
    assert course.scorm_package_id is not None
    latest = repository.latest_attempt(session, user_id=principal.user_id, course_id=course.id)
    if latest is not None and latest.package_id == course.scorm_package_id:
        if latest.completed_at is None:
            return latest
        track = course.track
        loaded = training.get_track_with_courses(session, track.id)
        progress = progress_for_tracks(
            session, user_id=principal.user_id, tracks=[loaded] if loaded else [], now=now
        )
        if loaded is not None and course.id in progress[loaded.id].passed_course_ids:
            return latest
    attempt = ScormAttempt(
        user_id=principal.user_id,
        course_id=course.id,
        package_id=course.scorm_package_id,
        number=(latest.number + 1) if latest is not None else 1,
        started_at=now,
    )
    session.add(attempt)
    session.flush()
    return attempt


def launch(session: Session, *, principal: Principal, course_id: int, now: datetime) -> Launch:
    """A new launch of the caller's attempt at a SCORM course (resumed where it was left)."""
    course = scorm_course(session, principal, course_id)
    attempt = _attempt_to_play(session, principal=principal, course=course, now=now)
    token = secrets.token_urlsafe(32)
    if attempt.launch_token_hash is not None:
        # A launch before this one: its time so far is now the attempt's earlier time.
        attempt.earlier_seconds += attempt.session_seconds
        attempt.session_seconds = 0.0
    attempt.launch_token_hash = hash_token(token)
    attempt.launch_expires_at = now + timedelta(hours=LAUNCH_HOURS)
    session.flush()
    return Launch(token=token, attempt_id=attempt.id, expires_at=attempt.launch_expires_at)


def attempt_for(session: Session, token: str, *, now: datetime, lock: bool = False) -> ScormAttempt:
    """The attempt a live launch key opens; 404 for an unknown, replaced or expired key."""
    attempt = repository.attempt_by_token_hash(session, hash_token(token), lock=lock)
    expires = attempt.launch_expires_at if attempt is not None else None
    if attempt is None or expires is None or expires <= now:
        raise NotFound("This launch has ended; open the course again from the portal.")
    return attempt


def package_of(session: Session, attempt: ScormAttempt) -> ScormPackage:
    package = repository.get_package(session, attempt.package_id)
    if package is None:
        raise NotFound("This course's package is gone.")
    return package


def runtime_state(session: Session, attempt: ScormAttempt) -> dict[str, Any]:
    """What the runtime frame starts from: the version, the SCO to open, the stored CMI data."""
    package = package_of(session, attempt)
    user = session.get(User, attempt.user_id)
    stored = cmi.Stored(
        learner_id=str(attempt.user_id),
        learner_name=user.name if user is not None else "",
        completion_status=attempt.completion_status,
        success_status=attempt.success_status,
        score_raw=attempt.score_raw,
        score_scaled=attempt.score_scaled,
        location=attempt.location,
        suspend_data=attempt.suspend_data,
        total_seconds=attempt.earlier_seconds,
        exit=attempt.exit,
        resumed=attempt.earlier_seconds > 0 or attempt.exit is not None,
    )
    return {
        "version": package.version,
        "launchPath": package.launch_path,
        "cmi": cmi.initial_state(package.version, stored),
    }


def commit(session: Session, *, token: str, data: Any, now: datetime) -> CommitResult:
    """Store a commit of the runtime's data; 422 naming the element (and nothing stored) when
    a value is not one the standard allows."""
    attempt = attempt_for(session, token, now=now, lock=True)
    package = package_of(session, attempt)
    try:
        update = cmi.parse_commit(package.version, data)
    except cmi.CmiError as exc:
        raise InvalidInput(str(exc), extra={"field": "cmi"}) from exc
    for field in (
        "completion_status",
        "success_status",
        "score_raw",
        "score_scaled",
        "location",
        "suspend_data",
        "exit",
    ):
        value = getattr(update, field)
        if value is not None:
            setattr(attempt, field, value)
    if update.session_seconds is not None:
        attempt.session_seconds = update.session_seconds
    result = cmi.outcome(
        package.version,
        completion_status=attempt.completion_status,
        success_status=attempt.success_status,
    )
    if result.passed is not None:
        attempt.passed = result.passed
    attempt.updated_at = now
    newly_completed = result.completed and attempt.completed_at is None
    if newly_completed:
        attempt.completed_at = now
    session.flush()
    course = session.get(Course, attempt.course_id)
    track_id = course.track_id if course is not None else 0
    if newly_completed:
        course_completed(
            session,
            CourseCompleted(
                user_id=attempt.user_id,
                course_id=attempt.course_id,
                track_id=track_id,
                attempt_id=attempt.id,
                version=package.version,
                passed=attempt.passed,
                score_raw=attempt.score_raw,
                score_scaled=attempt.score_scaled,
                total_seconds=attempt.total_seconds,
                at=now,
            ),
        )
    return CommitResult(
        result=True,
        error_code=0,
        completed=attempt.completed_at is not None,
        track_completed=track_completed(session, user_id=attempt.user_id, track_id=track_id),
    )
