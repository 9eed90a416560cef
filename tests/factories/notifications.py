"""Notifications and outbox messages."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from opsportal.models import Notification, OutboxMessage, User
from opsportal.models.base import utcnow
from opsportal.notifications.service import enqueue_mail

_sequence = itertools.count(1)


def create_notification(
    session: Session,
    *,
    user: User,
    title: str | None = None,
    body: str = "Something happened.",
    kind: str = "test",
    link: str | None = "/benchmarks",
    read: bool = False,
    age: timedelta = timedelta(0),
) -> Notification:
    n = next(_sequence)
    created: datetime = utcnow() - age
    notification = Notification(
        user_id=user.id,
        kind=kind,
        title=title or f"Notification {n}",
        body=body,
        link=link,
        created_at=created,
        read_at=created if read else None,
    )
    session.add(notification)
    session.flush()
    return notification


def queue_mail(
    session: Session,
    *,
    recipient: str | None = None,
    subject: str | None = None,
    body: str = "Hello.\n",
) -> OutboxMessage:
    """One queued message, through the service other domains use."""
    n = next(_sequence)
    key = f"test:{n}"
    enqueue_mail(
        session,
        recipient=recipient or f"reader{n}@example.test",
        subject=subject or f"Message {n}",
        body=body,
        dedupe_key=key,
    )
    message = session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == key)).one()
    return message
