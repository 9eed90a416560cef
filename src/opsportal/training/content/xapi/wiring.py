"""What the xAPI statements plug into when the app or the command line starts.

Assessment, certification and the SCORM player announce their events
(`assessment/events.py`, `certification/events.py`, `content/events.py`); with
an LRS configured, each event queues its statement in the event's own
transaction. Without one, nothing is registered.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.models import Certificate, QuizAttempt
from opsportal.training.assessment import events as assessment
from opsportal.training.certification import events as certification
from opsportal.training.content import events as content
from opsportal.training.content.xapi import queue
from opsportal.training.content.xapi import statements as xapi

HOOK = "xapi.statements"


def install(settings: Settings) -> None:
    def started(session: Session, attempt: QuizAttempt) -> None:
        queue.queue_attempt_started(session, settings=settings, attempt=attempt)

    def submitted(session: Session, attempt: QuizAttempt) -> None:
        queue.queue_attempt_submitted(session, settings=settings, attempt=attempt)

    def issued(session: Session, certificate: Certificate) -> None:
        queue.queue_certificate_issued(session, settings=settings, certificate=certificate)

    def revoked(session: Session, certificate: Certificate) -> None:
        queue.queue_certificate_revoked(session, settings=settings, certificate=certificate)

    def scorm_completed(session: Session, event: content.CourseCompleted) -> None:
        outcome = xapi.Outcome(
            raw=event.score_raw,
            maximum=100 if event.score_raw is not None else None,
            success=event.passed,
            completion=True,
            duration=timedelta(seconds=event.total_seconds),
        )
        queue.queue_course_completion(
            session,
            settings=settings,
            user_id=event.user_id,
            course_id=event.course_id,
            at=event.at,
            outcome=outcome,
        )

    # Registered either way, so installing again with no LRS replaces earlier hooks;
    # `queue` queues nothing then.
    assessment.on_attempt_started(HOOK, started)
    assessment.on_attempt_submitted(HOOK, submitted)
    certification.on_certificate_issued(HOOK, issued)
    certification.on_certificate_revoked(HOOK, revoked)
    content.on_course_completed(HOOK, scorm_completed)
