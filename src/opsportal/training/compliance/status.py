"""An assignment's status, derived when read (pure: facts in, status out).

Nothing here is stored, so a status can never be stale: a certificate that
expires or is revoked reopens its assignment the moment it stops being active.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime


class AssignmentStatus(enum.StrEnum):
    NOT_STARTED = "NOT_STARTED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    OVERDUE = "OVERDUE"


@dataclass(frozen=True)
class TrackFacts:
    """What one user has done on one track, as of now."""

    # The user's active certificate for the track (issued, expires), if any.
    certified_at: datetime | None = None
    certificate_expires_at: datetime | None = None
    # The newest quiz attempt on the track that counts: after the newest
    # certificate that stopped being active (a lapsed certificate starts over).
    started: bool = False


def derive_status(*, due_on: date, today: date, facts: TrackFacts) -> AssignmentStatus:
    """Completed while an active certificate is held; otherwise overdue after the due day."""
    if facts.certified_at is not None:
        return AssignmentStatus.COMPLETED
    if today > due_on:
        return AssignmentStatus.OVERDUE
    return AssignmentStatus.IN_PROGRESS if facts.started else AssignmentStatus.NOT_STARTED


def completion_rate(completed: int, assigned: int) -> float | None:
    """Percent of assignments completed, one decimal; None without assignments (not 0)."""
    if assigned == 0:
        return None
    return round(100.0 * completed / assigned, 1)
