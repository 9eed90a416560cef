"""What the operations endpoints read from the database: the schema's revision, the outbox, runs."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from opsportal.models import BenchmarkRun, OutboxMessage, OutboxStatus, RunStatus


def schema_revisions(session: Session) -> set[str] | None:
    """The Alembic revisions the database says it is at; None when it has no version table."""
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        exists = session.execute(
            text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'")
        ).first()
    else:
        exists = session.execute(text("SELECT to_regclass('alembic_version')")).scalar()
    if not exists:
        return None
    return set(session.scalars(text("SELECT version_num FROM alembic_version")))


class OutboxDepth(NamedTuple):
    queued: int
    failed: int
    oldest_queued_at: datetime | None


def outbox_depth(session: Session) -> OutboxDepth:
    # A list first: a Result has keys(), which dict() would take for a mapping's.
    counted = session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.status.in_([OutboxStatus.QUEUED, OutboxStatus.FAILED]))
        .group_by(OutboxMessage.status)
    ).tuples()
    rows: dict[OutboxStatus, int] = dict(list(counted))
    oldest = session.scalar(
        select(func.min(OutboxMessage.created_at)).where(
            OutboxMessage.status == OutboxStatus.QUEUED
        )
    )
    return OutboxDepth(
        queued=int(rows.get(OutboxStatus.QUEUED, 0)),
        failed=int(rows.get(OutboxStatus.FAILED, 0)),
        oldest_queued_at=oldest,
    )


def last_finished_run(session: Session) -> BenchmarkRun | None:
    """The newest benchmark run that finished, whichever process (or command) ran it."""
    return session.scalars(
        select(BenchmarkRun)
        .where(
            BenchmarkRun.status.in_([RunStatus.SUCCEEDED, RunStatus.FAILED]),
            BenchmarkRun.finished_at.is_not(None),
        )
        .order_by(BenchmarkRun.finished_at.desc(), BenchmarkRun.id.desc())
        .limit(1)
    ).first()
