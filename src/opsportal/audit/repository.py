"""Audit queries."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opsportal.models import AuditEntry, User


class EntryWithActor(NamedTuple):
    entry: AuditEntry
    actor_email: str | None


def list_entries(
    session: Session,
    *,
    actor_id: int | None,
    target_type: str | None,
    target_id: int | None,
    action: str | None,
    limit: int,
    offset: int,
) -> tuple[list[EntryWithActor], int]:
    query = select(AuditEntry)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if target_type is not None:
        query = query.where(AuditEntry.target_type == target_type)
    if target_id is not None:
        query = query.where(AuditEntry.target_id == target_id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.add_columns(User.email)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .order_by(AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [EntryWithActor(row[0], row[1]) for row in rows], total
