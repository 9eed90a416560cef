"""Audit queries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, distinct, func, or_, select
from sqlalchemy.orm import Session

from opsportal.kit.queries import where_given
from opsportal.models import AuditEntry, User


class EntryWithActor(NamedTuple):
    entry: AuditEntry
    actor_email: str | None
    actor_name: str | None = None


@dataclass(frozen=True)
class EntryFilter:
    """Which audit rows to list: each field given narrows the list (None: any)."""

    actor_id: int | None = None
    target_type: str | None = None
    target_id: int | None = None
    action: str | None = None
    # Recorded at or after `since`, and before `before`.
    since: datetime | None = None
    before: datetime | None = None
    # Part of the actor's name or email, any case.
    person: str | None = None


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered(chosen: EntryFilter) -> Select[tuple[AuditEntry]]:
    query = where_given(
        select(AuditEntry),
        (AuditEntry.actor_id, chosen.actor_id),
        (AuditEntry.target_type, chosen.target_type),
        (AuditEntry.target_id, chosen.target_id),
        (AuditEntry.action, chosen.action),
    )
    if chosen.since is not None:
        query = query.where(AuditEntry.at >= chosen.since)
    if chosen.before is not None:
        query = query.where(AuditEntry.at < chosen.before)
    if chosen.person:
        pattern = _like(chosen.person)
        actors = select(User.id).where(
            or_(
                func.lower(User.email).like(pattern, escape="\\"),
                func.lower(User.name).like(pattern, escape="\\"),
            )
        )
        query = query.where(AuditEntry.actor_id.in_(actors))
    return query


def _with_actor(query: Select[Any]) -> Select[Any]:
    return (
        query.add_columns(User.email, User.name)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .order_by(AuditEntry.id.desc())
    )


def list_entries(
    session: Session, chosen: EntryFilter, *, limit: int, offset: int
) -> tuple[list[EntryWithActor], int]:
    """One page of the chosen rows, newest first, and how many there are in all."""
    query = _filtered(chosen)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(_with_actor(query).limit(limit).offset(offset))
    return [EntryWithActor(row[0], row[1], row[2]) for row in rows], total


def iter_entries(
    session: Session, chosen: EntryFilter, *, batch: int = 1000
) -> Iterator[EntryWithActor]:
    """Every chosen row, newest first, read a batch at a time (keyset on the id)."""
    after: int | None = None
    while True:
        query = _filtered(chosen)
        if after is not None:
            query = query.where(AuditEntry.id < after)
        rows = session.execute(_with_actor(query).limit(batch)).all()
        for row in rows:
            yield EntryWithActor(row[0], row[1], row[2])
        if len(rows) < batch:
            return
        after = rows[-1][0].id


def recorded_actions(session: Session) -> list[str]:
    """Every action code the trail holds, for the page's chooser."""
    return sorted(session.scalars(select(distinct(AuditEntry.action))))
