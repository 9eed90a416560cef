"""Training assignments (who must hold which track's certificate, by when) and sent reminders."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opsportal.models.base import Base, utcnow
from opsportal.models.identity import User
from opsportal.models.training import Track


class Assignment(Base):
    """One user's obligation to complete one track by a day.

    Its status is never stored: it is derived at read time from the user's
    certificates and attempts, so an expired or revoked certificate reopens it
    without anything having to update this row. One row per user and track
    (the unique constraint): assigning again moves the due day, and two
    concurrent assigns cannot both insert.
    """

    __tablename__ = "training_assignments"
    __table_args__ = (
        UniqueConstraint("user_id", "track_id"),
        Index("ix_training_assignments_organization_id_due_on", "organization_id", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(
        ForeignKey("training_tracks.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    due_on: Mapped[date] = mapped_column(Date)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    track: Mapped[Track] = relationship(lazy="raise")
    user: Mapped[User] = relationship(lazy="raise", foreign_keys=[user_id])


class ReminderSent(Base):
    """One reminder sent: the row is inserted in the transaction that queues its email.

    Its primary key is the item and threshold, so a second run — a retry, or a
    replica running at the same moment — finds it taken and sends nothing.
    """

    __tablename__ = "training_reminders_sent"

    # "assignment_due", "assignment_overdue" or "certificate_expiring".
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    # What it is about, e.g. "assignment:12:2026-12-01" (the due day is part of
    # it, so moving the due day earns a fresh reminder) or "certificate:7".
    item_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    # Days before the due day or expiry; 0 for overdue.
    threshold_days: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
