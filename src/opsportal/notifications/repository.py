"""Notification and outbox queries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Table, and_, delete, func, literal, select, update
from sqlalchemy.orm import Session

from opsportal.db import dialect_insert
from opsportal.models import CUSTOMER_ROLES, Notification, OutboxMessage, OutboxStatus, User

# Stay within SQLite's bound-parameter limit in IN lists and multi-row inserts.
CHUNK = 500


# --- notifications ---------------------------------------------------------------------


def list_for_user(session: Session, *, user_id: int, limit: int, offset: int) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )


def get_notification(session: Session, notification_id: int) -> Notification | None:
    return session.get(Notification, notification_id)


def count_unread(session: Session, *, user_id: int, cap: int) -> int:
    """Unread notifications of a user, counted up to `cap` (one range of the (user, read) index)."""
    unread = (
        select(literal(1))
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .limit(cap)
        .subquery()
    )
    return session.scalar(select(func.count()).select_from(unread)) or 0


def mark_all_read(session: Session, *, user_id: int, now: datetime) -> int:
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


class Recipient(NamedTuple):
    user_id: int
    organization_id: int
    email: str
    locale: str | None = None


def customer_users(session: Session, organization_ids: Iterable[int]) -> list[Recipient]:
    """The active customer users of these organisations."""
    wanted = sorted(set(organization_ids))
    found: list[Recipient] = []
    for start in range(0, len(wanted), CHUNK):
        rows = session.execute(
            select(User.id, User.organization_id, User.email, User.locale)
            .where(
                User.organization_id.in_(wanted[start : start + CHUNK]),
                User.role.in_(CUSTOMER_ROLES),
                User.is_active.is_(True),
            )
            .order_by(User.id)
        )
        found.extend(
            Recipient(uid, oid, email, locale)
            for uid, oid, email, locale in rows
            if oid is not None
        )
    return found


def unconfirmed_users(session: Session, user_ids: Iterable[int]) -> set[int]:
    """Those of these users whose address is not (yet) their own: no mail goes to it."""
    wanted = sorted(set(user_ids))
    found: set[int] = set()
    for start in range(0, len(wanted), CHUNK):
        found.update(
            session.scalars(
                select(User.id).where(
                    User.id.in_(wanted[start : start + CHUNK]), User.email_confirmed.is_(False)
                )
            )
        )
    return found


def _insert_ignoring_duplicates(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], keys: list[str]
) -> None:
    """Insert rows; a row whose unique `keys` are taken already is skipped, not an error."""
    if not rows:
        return
    statement = dialect_insert(session)(table).on_conflict_do_nothing(index_elements=keys)
    for start in range(0, len(rows), CHUNK):
        session.execute(statement, list(rows[start : start + CHUNK]))


def add_notifications(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    table = Notification.__table__
    assert isinstance(table, Table)
    _insert_ignoring_duplicates(session, table, rows, ["user_id", "dedupe_key"])


def notice_keys(session: Session, *, kind: str, key_prefix: str) -> set[str]:
    """The dedupe keys of notifications of `kind` whose key starts with `key_prefix`."""
    return set(
        session.scalars(
            select(Notification.dedupe_key)
            .where(
                Notification.kind == kind,
                Notification.dedupe_key.startswith(key_prefix, autoescape=True),
            )
            .distinct()
        )
    )


def delete_notices(session: Session, *, kind: str, keys: Sequence[str]) -> int:
    """Delete every user's notification of `kind` with one of these dedupe keys."""
    deleted = 0
    for start in range(0, len(keys), CHUNK):
        result = session.execute(
            delete(Notification)
            .where(
                Notification.kind == kind, Notification.dedupe_key.in_(keys[start : start + CHUNK])
            )
            .execution_options(synchronize_session=False)
        )
        deleted += int(getattr(result, "rowcount", 0) or 0)
    return deleted


def cancel_queued(session: Session, *, key_prefix: str, reason: str) -> int:
    """Mark FAILED, with `reason`, the still-queued messages whose dedupe key starts so."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.QUEUED,
            OutboxMessage.dedupe_key.startswith(key_prefix, autoescape=True),
        )
        .values(status=OutboxStatus.FAILED, last_error=reason)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- outbox ----------------------------------------------------------------------------


def add_messages(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    table = OutboxMessage.__table__
    assert isinstance(table, Table)
    _insert_ignoring_duplicates(session, table, rows, ["dedupe_key"])


def due_message_ids(session: Session, *, now: datetime, limit: int) -> list[int]:
    """Queued messages whose time has come (never claimed, backoff over, or claim expired)."""
    return list(
        session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at <= now
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
    )


def count_queued(session: Session) -> int:
    """Messages not yet sent or failed: due now, backing off, or claimed by a sender."""
    query = select(func.count()).where(OutboxMessage.status == OutboxStatus.QUEUED)
    return int(session.scalar(query) or 0)


def claim_message(
    session: Session, *, message_id: int, token: str, now: datetime, until: datetime
) -> OutboxMessage | None:
    """Claim one message for this sender until `until`; None when it is no longer due.

    One conditional UPDATE: of two senders that try at once, the database lets
    exactly one match (the other finds it claimed, its time pushed past `now`).
    """
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == OutboxStatus.QUEUED,
            OutboxMessage.next_attempt_at <= now,
        )
        .values(
            claimed_by=token,
            next_attempt_at=until,
            attempts=OutboxMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        return None
    return session.get(OutboxMessage, message_id, populate_existing=True)


def _claimed(message_id: int, token: str) -> Any:
    return and_(
        OutboxMessage.id == message_id,
        OutboxMessage.claimed_by == token,
        OutboxMessage.status == OutboxStatus.QUEUED,
    )


def mark_sent(
    session: Session, *, message_id: int, token: str, now: datetime, transport: str
) -> bool:
    """SENT, if this sender's claim still holds."""
    result = session.execute(
        update(OutboxMessage)
        .where(_claimed(message_id, token))
        .values(status=OutboxStatus.SENT, sent_at=now, transport=transport)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def record_failure(
    session: Session, *, message_id: int, token: str, error: str, retry_at: datetime | None
) -> bool:
    """Queue the message again at `retry_at`, or mark it FAILED when that is None."""
    values: dict[str, Any] = {"last_error": error}
    if retry_at is None:
        values["status"] = OutboxStatus.FAILED
    else:
        values["next_attempt_at"] = retry_at
    result = session.execute(
        update(OutboxMessage)
        .where(_claimed(message_id, token))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)
