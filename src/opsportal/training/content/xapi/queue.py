"""Queue xAPI statements for learning events, inside the event's own transaction.

Each function builds the whole statement (its UUID, its timestamp) and adds it to
`xapi_statements` under a dedupe key naming the event, so an event told twice is
queued once; the sender (`sender.py`) delivers it after the commit. With no LRS
configured (`OPSPORTAL_XAPI_ENDPOINT` unset) nothing is queued.

A course is completed when its quiz is passed (or, for a course played from a
package, when the package says so: `queue_course_completion`); a track when all
its counted courses are. Completions are told once per certification cycle:
after a certificate lapses (expiry, revocation), completing again is news.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.models import Certificate, Course, QuizAttempt, Track, User
from opsportal.models.base import utcnow
from opsportal.training import repository as training
from opsportal.training.certificates import CertificateStatus
from opsportal.training.content.xapi import repository
from opsportal.training.content.xapi import statements as xapi
from opsportal.training.progress import status_of, track_completed


def enabled(settings: Settings) -> bool:
    return settings.xapi_endpoint is not None


def track_iri(settings: Settings, track_id: int) -> str:
    return f"{settings.public_base_url}/training/tracks/{track_id}"


def course_iri(settings: Settings, course_id: int) -> str:
    return f"{settings.public_base_url}/training/courses/{course_id}"


def quiz_iri(settings: Settings, quiz_id: int) -> str:
    return f"{settings.public_base_url}/training/quizzes/{quiz_id}"


def _track_activity(settings: Settings, track: Track) -> dict[str, Any]:
    return xapi.activity(track_iri(settings, track.id), kind="course", name=track.name)


def _course_activity(settings: Settings, course: Course) -> dict[str, Any]:
    return xapi.activity(course_iri(settings, course.id), kind="lesson", name=course.title)


def queue(
    session: Session,
    *,
    settings: Settings,
    key: str,
    user_id: int,
    verb: xapi.Verb,
    object: dict[str, Any],  # noqa: A002 - xAPI's own name
    at: datetime,
    outcome: xapi.Outcome | None = None,
    parents: tuple[dict[str, Any], ...] = (),
    grouping: tuple[dict[str, Any], ...] = (),
) -> bool:
    """Queue one statement by `user_id`; False when disabled or `key` was queued already."""
    if not enabled(settings):
        return False
    user = session.get(User, user_id)
    if user is None:
        return False
    person = xapi.Person(user_id=user.id, email=user.email, name=user.name)
    statement_id = str(uuid.uuid4())
    body = xapi.statement(
        statement_id=statement_id,
        actor=xapi.actor(
            person,
            identity=settings.xapi_actor,
            home_page=settings.xapi_account_home_page or settings.public_base_url,
        ),
        verb=xapi.verb(verb, base_url=settings.public_base_url),
        object=object,
        timestamp=at,
        outcome=outcome,
        parents=parents,
        grouping=grouping,
    )
    return repository.add_statement(
        session,
        {
            "statement_id": statement_id,
            "dedupe_key": key[:200],
            "user_id": user_id,
            "verb": verb,
            "statement": body,
            "created_at": utcnow(),
            "next_attempt_at": utcnow(),
        },
    )


def _cycle(session: Session, *, user_id: int, track_id: int) -> int:
    """The newest lapsed certificate of the track (0 if none): completions count after it."""
    now = utcnow()
    lapsed = [
        c
        for c in training.certificates_of(session, user_id=user_id, track_id=track_id)
        if status_of(c, now=now) is not CertificateStatus.ACTIVE
    ]
    return max(lapsed, key=lambda c: c.issued_at).id if lapsed else 0


def queue_attempt_started(session: Session, *, settings: Settings, attempt: QuizAttempt) -> None:
    if not enabled(settings):  # before any query: every start comes through here
        return
    quiz = training.get_quiz(session, attempt.quiz_id)
    if quiz is None:
        return
    course = quiz.course
    queue(
        session,
        settings=settings,
        key=f"attempted:attempt:{attempt.id}",
        user_id=attempt.user_id,
        verb="attempted",
        object=xapi.activity(quiz_iri(settings, quiz.id), kind="assessment", name=quiz.title),
        at=attempt.started_at,
        parents=(_course_activity(settings, course),),
        grouping=(_track_activity(settings, course.track),),
    )


def queue_attempt_submitted(session: Session, *, settings: Settings, attempt: QuizAttempt) -> None:
    """Passed or failed for the quiz; a pass may complete its course and then its track."""
    if not enabled(settings) or attempt.submitted_at is None:  # before any query
        return
    quiz = training.get_quiz(session, attempt.quiz_id)
    if quiz is None:
        return
    course = quiz.course
    passed = bool(attempt.passed)
    outcome = xapi.Outcome(
        raw=attempt.correct_count or 0,
        maximum=attempt.total_questions or 0,
        success=passed,
        completion=True,
        duration=attempt.submitted_at - attempt.started_at,
    )
    queue(
        session,
        settings=settings,
        key=f"graded:attempt:{attempt.id}",
        user_id=attempt.user_id,
        verb="passed" if passed else "failed",
        object=xapi.activity(quiz_iri(settings, quiz.id), kind="assessment", name=quiz.title),
        at=attempt.submitted_at,
        outcome=outcome,
        parents=(_course_activity(settings, course),),
        grouping=(_track_activity(settings, course.track),),
    )
    if passed:
        queue_course_completion(
            session,
            settings=settings,
            user_id=attempt.user_id,
            course_id=course.id,
            at=attempt.submitted_at,
            outcome=outcome,
        )


def queue_course_completion(
    session: Session,
    *,
    settings: Settings,
    user_id: int,
    course_id: int,
    at: datetime | None = None,
    outcome: xapi.Outcome | None = None,
) -> bool:
    """Tell the LRS that `user_id` completed a course, once per certification cycle.

    What any completion path calls (a passed quiz, a SCORM package that reports
    completion); it also tells the track's completion when this one finished it.
    True when a course statement was queued.
    """
    course = training.get_course(session, course_id)
    if course is None or not enabled(settings):
        return False
    at = at or utcnow()
    cycle = _cycle(session, user_id=user_id, track_id=course.track_id)
    queued = queue(
        session,
        settings=settings,
        key=f"completed:course:{course.id}:user:{user_id}:cycle:{cycle}",
        user_id=user_id,
        verb="completed",
        object=_course_activity(settings, course),
        at=at,
        outcome=outcome or xapi.Outcome(completion=True),
        parents=(_track_activity(settings, course.track),),
    )
    if track_completed(session, user_id=user_id, track_id=course.track_id):
        queue(
            session,
            settings=settings,
            key=f"completed:track:{course.track_id}:user:{user_id}:cycle:{cycle}",
            user_id=user_id,
            verb="completed",
            object=_track_activity(settings, course.track),
            at=at,
            outcome=xapi.Outcome(success=True, completion=True),
        )
    return queued


def _certificate_activity(settings: Settings, certificate: Certificate) -> dict[str, Any]:
    return xapi.activity(
        f"{settings.public_base_url}/verify/{certificate.verification_code}",
        kind=xapi.CERTIFICATE_TYPE,
        name=f"{certificate.track_name} {certificate.certificate_number}",
    )


def queue_certificate_issued(
    session: Session, *, settings: Settings, certificate: Certificate
) -> None:
    queue(
        session,
        settings=settings,
        key=f"earned:certificate:{certificate.id}",
        user_id=certificate.user_id,
        verb="earned",
        object=_certificate_activity(settings, certificate),
        at=certificate.issued_at,
        grouping=(
            xapi.activity(
                track_iri(settings, certificate.track_id),
                kind="course",
                name=certificate.track_name,
            ),
        ),
    )


def queue_certificate_revoked(
    session: Session, *, settings: Settings, certificate: Certificate
) -> None:
    queue(
        session,
        settings=settings,
        key=f"revoked:certificate:{certificate.id}",
        user_id=certificate.user_id,
        verb="revoked",
        object=_certificate_activity(settings, certificate),
        at=certificate.revoked_at or utcnow(),
        grouping=(
            xapi.activity(
                track_iri(settings, certificate.track_id),
                kind="course",
                name=certificate.track_name,
            ),
        ),
    )
