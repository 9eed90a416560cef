"""Queries of the xAPI statement queue: add, claim, record; its state for the views."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, func, select, update
from sqlalchemy.orm import Session

from opsportal.db import dialect_insert
from opsportal.models import XapiStatement, XapiStatus


def add_statement(session: Session, row: dict[str, Any]) -> bool:
    """Queue one statement; False (and nothing added) when its dedupe key is taken already."""
    table = XapiStatement.__table__
    assert isinstance(table, Table)
    result = session.execute(
        dialect_insert(session)(table)
        .values(**row)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def due_ids(session: Session, *, now: datetime, limit: int) -> list[int]:
    """Queued statements whose time has come (never claimed, backoff over, or claim expired)."""
    return list(
        session.scalars(
            select(XapiStatement.id)
            .where(XapiStatement.status == XapiStatus.QUEUED, XapiStatement.next_attempt_at <= now)
            .order_by(XapiStatement.next_attempt_at, XapiStatement.id)
            .limit(limit)
        )
    )


def claim(
    session: Session, *, row_id: int, token: str, now: datetime, until: datetime
) -> XapiStatement | None:
    """Claim one statement until `until`; None when it is no longer due (one conditional UPDATE)."""
    result = session.execute(
        update(XapiStatement)
        .where(
            XapiStatement.id == row_id,
            XapiStatement.status == XapiStatus.QUEUED,
            XapiStatement.next_attempt_at <= now,
        )
        .values(claimed_by=token, next_attempt_at=until, attempts=XapiStatement.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        return None
    return session.get(XapiStatement, row_id, populate_existing=True)


def _claimed(row_id: int, token: str) -> Any:
    return and_(
        XapiStatement.id == row_id,
        XapiStatement.claimed_by == token,
        XapiStatement.status == XapiStatus.QUEUED,
    )


def mark_sent(session: Session, *, row_id: int, token: str, now: datetime) -> bool:
    """SENT, if this sender's claim still holds."""
    result = session.execute(
        update(XapiStatement)
        .where(_claimed(row_id, token))
        .values(status=XapiStatus.SENT, sent_at=now, last_error=None)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def record_failure(
    session: Session, *, row_id: int, token: str, error: str, retry_at: datetime | None
) -> bool:
    """Queue the statement again at `retry_at`, or mark it FAILED when that is None."""
    values: dict[str, Any] = {"last_error": error}
    if retry_at is None:
        values["status"] = XapiStatus.FAILED
    else:
        values["next_attempt_at"] = retry_at
    result = session.execute(
        update(XapiStatement)
        .where(_claimed(row_id, token))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def counts(session: Session) -> dict[XapiStatus, int]:
    rows = session.execute(
        select(XapiStatement.status, func.count()).group_by(XapiStatement.status)
    ).all()
    found = dict.fromkeys(XapiStatus, 0)
    found.update({status: int(n) for status, n in rows})
    return found


def oldest_queued_at(session: Session) -> datetime | None:
    return session.scalar(
        select(func.min(XapiStatement.created_at)).where(XapiStatement.status == XapiStatus.QUEUED)
    )


def latest(session: Session, *, status: XapiStatus | None, limit: int) -> list[XapiStatement]:
    query = select(XapiStatement).order_by(XapiStatement.id.desc()).limit(limit)
    if status is not None:
        query = query.where(XapiStatement.status == status)
    return list(session.scalars(query))


def retry_failed(session: Session, *, now: datetime) -> int:
    """Queue every FAILED statement again, due now, with fresh attempts (an operator's choice)."""
    result = session.execute(
        update(XapiStatement)
        .where(XapiStatement.status == XapiStatus.FAILED)
        .values(status=XapiStatus.QUEUED, attempts=0, next_attempt_at=now, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def latest_with_error(session: Session, *, limit: int) -> list[XapiStatement]:
    """The latest statements that are failed, or queued again after an error."""
    return list(
        session.scalars(
            select(XapiStatement)
            .where(XapiStatement.status != XapiStatus.SENT, XapiStatement.last_error.is_not(None))
            .order_by(XapiStatement.id.desc())
            .limit(limit)
        )
    )
