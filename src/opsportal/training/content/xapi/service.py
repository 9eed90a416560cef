"""The xAPI queue for operators: its state (counts, oldest waiting, latest errors) and
"retry the failed ones", shared by the admin page and the command line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from opsportal.audit.service import record
from opsportal.models import XapiStatus
from opsportal.models.base import utcnow
from opsportal.principal import Principal
from opsportal.training.content.xapi import repository

ERRORS_SHOWN = 10


@dataclass(frozen=True)
class Problem:
    statement_id: str
    verb: str
    status: XapiStatus
    attempts: int
    error: str
    created_at: datetime


@dataclass(frozen=True)
class QueueState:
    queued: int
    sent: int
    failed: int
    oldest_queued_at: datetime | None
    problems: list[Problem]


def queue_state(session: Session, *, errors: int = ERRORS_SHOWN) -> QueueState:
    """Counts by status, the oldest statement still waiting, the latest that met an error
    (failed for good, or queued again after one)."""
    counts = repository.counts(session)
    problems = [
        Problem(
            statement_id=row.statement_id,
            verb=row.verb,
            status=row.status,
            attempts=row.attempts,
            error=row.last_error or "",
            created_at=row.created_at,
        )
        for row in repository.latest_with_error(session, limit=errors)
    ]
    return QueueState(
        queued=counts[XapiStatus.QUEUED],
        sent=counts[XapiStatus.SENT],
        failed=counts[XapiStatus.FAILED],
        oldest_queued_at=repository.oldest_queued_at(session),
        problems=problems,
    )


def retry_failed(session: Session, *, actor: Principal | None) -> int:
    """Queue every failed statement again, due now with fresh attempts; audited. Their ids
    are unchanged, so a statement the LRS holds already is not stored twice."""
    count = repository.retry_failed(session, now=utcnow())
    if count:
        record(
            session,
            actor=actor,
            action="xapi.retry_failed",
            target_type="xapi_statement",
            target_id=None,
            detail={"count": count},
        )
    return count
