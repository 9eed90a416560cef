"""The reminders' queries: what is due, who was reminded when, and claiming a reminder as sent."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from opsportal.db import dialect_insert
from opsportal.models import Certificate, ReminderSent, User
from opsportal.training.compliance.repository import IN_CHUNK, chunks


def expiring_certificates(session: Session, *, now: datetime, until: datetime) -> list[Certificate]:
    """Unrevoked certificates of active users expiring after `now`, by `until`."""
    return list(
        session.scalars(
            select(Certificate)
            .join(User, User.id == Certificate.user_id)
            .where(
                User.is_active.is_(True),
                Certificate.revoked_at.is_(None),
                Certificate.expires_at > now,
                Certificate.expires_at <= until,
            )
            .options(selectinload(Certificate.track))
            .order_by(Certificate.expires_at, Certificate.id)
        )
    )


def users_by_id(session: Session, user_ids: Collection[int]) -> dict[int, User]:
    found: dict[int, User] = {}
    for chunk in chunks(user_ids):
        found.update((u.id, u) for u in session.scalars(select(User).where(User.id.in_(chunk))))
    return found


def claim_reminder(
    session: Session, *, kind: str, item_key: str, threshold_days: int, user_id: int, now: datetime
) -> bool:
    """Record a reminder as sent; False when it was already (a concurrent run waits, then skips)."""
    inserted = session.scalar(
        dialect_insert(session)(ReminderSent)
        .values(
            kind=kind,
            item_key=item_key,
            threshold_days=threshold_days,
            user_id=user_id,
            sent_at=now,
        )
        .on_conflict_do_nothing(index_elements=["kind", "item_key", "threshold_days"])
        .returning(ReminderSent.user_id)
    )
    return inserted is not None


def reminders_sent(session: Session, *, item_keys: Collection[str]) -> set[tuple[str, str, int]]:
    """(kind, item key, threshold) of the reminders already sent about these items."""
    found: set[tuple[str, str, int]] = set()
    keys = sorted(set(item_keys))
    for start in range(0, len(keys), IN_CHUNK):
        rows = session.execute(
            select(ReminderSent.kind, ReminderSent.item_key, ReminderSent.threshold_days).where(
                ReminderSent.item_key.in_(keys[start : start + IN_CHUNK])
            )
        )
        found.update((kind, key, days) for kind, key, days in rows)
    return found


def lock_users(session: Session, user_ids: Collection[int]) -> None:
    """Hold these users' rows to the transaction's end (PostgreSQL; SQLite holds its write lock)."""
    for chunk in chunks(user_ids):
        session.execute(select(User.id).where(User.id.in_(chunk)).with_for_update())


def last_reminded(
    session: Session, *, user_ids: Collection[int], kinds: Collection[str], since: datetime
) -> dict[int, datetime]:
    """user id -> when the newest reminder of these kinds went to that user after `since`."""
    found: dict[int, datetime] = {}
    for chunk in chunks(user_ids):
        rows = session.execute(
            select(ReminderSent.user_id, func.max(ReminderSent.sent_at))
            .where(
                ReminderSent.user_id.in_(chunk),
                ReminderSent.kind.in_(list(kinds)),
                ReminderSent.sent_at > since,
            )
            .group_by(ReminderSent.user_id)
        )
        found.update((user_id, at) for user_id, at in rows if at is not None)
    return found


def record_reminder(
    session: Session, *, kind: str, item_key: str, user_id: int, now: datetime
) -> None:
    session.add(
        ReminderSent(kind=kind, item_key=item_key, threshold_days=0, user_id=user_id, sent_at=now)
    )
