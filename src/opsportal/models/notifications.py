"""In-app notifications and the mail outbox."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opsportal.models.base import Base, utcnow


class Notification(Base):
    """One message to one user, shown in the app until it is read."""

    __tablename__ = "notifications"
    __table_args__ = (
        # The unread count on every page: one COUNT over this index.
        Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
        # A sender that says the same thing twice (a re-run of a day) adds nothing.
        UniqueConstraint("user_id", "dedupe_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # A path inside opsportal, e.g. /benchmarks/organizations/7.
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    dedupe_key: Mapped[str | None] = mapped_column(String(200))


class OutboxStatus(enum.StrEnum):
    QUEUED = "QUEUED"  # waiting for its first or next attempt
    SENT = "SENT"  # handed to the SMTP server, or written to the log (transport says which)
    FAILED = "FAILED"  # refused for good, or out of attempts; kept, never deleted


class OutboxMessage(Base):
    """One email, written in the transaction that decided to send it, sent afterwards.

    A sender claims a row by a conditional UPDATE that sets `claimed_by` and
    pushes `next_attempt_at` to the end of its lease, so no other process takes
    it meanwhile; it marks the row SENT only while its claim still holds.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The same message is enqueued once, however often its sender decides to send it.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(
        Enum(OutboxStatus, native_enum=False, length=20), default=OutboxStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Not before this time: the backoff after a failure, or the end of a sender's claim.
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    sent_at: Mapped[datetime | None]
    # "smtp", or "log" when no SMTP server was configured.
    transport: Mapped[str | None] = mapped_column(String(10))
