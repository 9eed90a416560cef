"""Audit queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opsportal.kit.queries import where_given
from opsportal.models import AuditEntry, User


class EntryWithActor(NamedTuple):
    entry: AuditEntry
    actor_email: str | None


@dataclass(frozen=True)
class EntryFilter:
    """Which audit rows to list: each field given narrows the list (None: any)."""

    actor_id: int | None = None
    target_type: str | None = None
    target_id: int | None = None
    action: str | None = None


def list_entries(
    session: Session, chosen: EntryFilter, *, limit: int, offset: int
) -> tuple[list[EntryWithActor], int]:
    query = where_given(
        select(AuditEntry),
        (AuditEntry.actor_id, chosen.actor_id),
        (AuditEntry.target_type, chosen.target_type),
        (AuditEntry.target_id, chosen.target_id),
        (AuditEntry.action, chosen.action),
    )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.add_columns(User.email)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .order_by(AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [EntryWithActor(row[0], row[1]) for row in rows], total
