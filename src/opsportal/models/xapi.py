"""The xAPI statement queue: statements for a Learning Record Store, sent after their commit."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from opsportal.models.base import Base, utcnow


class XapiStatus(enum.StrEnum):
    QUEUED = "QUEUED"  # waiting for its first or next attempt
    SENT = "SENT"  # stored by the LRS (204), or already there under its id (409)
    FAILED = "FAILED"  # refused for good (another 4xx), or out of attempts; kept


class XapiStatement(Base):
    """One xAPI statement, written in the transaction of the event it tells, sent afterwards.

    The statement is built whole when it is queued, its `id` (a UUID) included, and
    every attempt sends the same bytes: an LRS that already holds that id answers
    409 (or 204 for an identical one), so a retry after an unknown outcome cannot
    store it twice. Claiming works as in the mail outbox (`claimed_by`, a lease
    in `next_attempt_at`).
    """

    __tablename__ = "xapi_statements"
    __table_args__ = (
        Index("ix_xapi_statements_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The statement's own id, sent as `id` and as ?statementId=.
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    # One statement per event, however often the event's code runs.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The verb's last path segment ("passed"), for the queue's views.
    verb: Mapped[str] = mapped_column(String(40))
    statement: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[XapiStatus] = mapped_column(
        Enum(XapiStatus, native_enum=False, length=20), default=XapiStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Not before this time: the backoff after a failure, or the end of a sender's claim.
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    sent_at: Mapped[datetime | None]
