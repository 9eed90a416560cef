"""What the xAPI statements plug into when the app or the command line starts.

Assessment and certification announce their events (`assessment/events.py`,
`certification/events.py`); with an LRS configured, each event queues its
statement in the event's own transaction. Without one, nothing is registered.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.models import Certificate, QuizAttempt
from opsportal.training.assessment import events as assessment
from opsportal.training.certification import events as certification
from opsportal.training.content.xapi import queue

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

    # Registered either way, so installing again with no LRS replaces earlier hooks;
    # `queue` queues nothing then.
    assessment.on_attempt_started(HOOK, started)
    assessment.on_attempt_submitted(HOOK, submitted)
    certification.on_certificate_issued(HOOK, issued)
    certification.on_certificate_revoked(HOOK, revoked)
