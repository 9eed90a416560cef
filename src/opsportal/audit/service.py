"""Recording changes, and reading the trail back for admins."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert
from sqlalchemy.orm import Session

from opsportal.audit import repository, wording
from opsportal.audit.repository import EntryFilter, EntryWithActor
from opsportal.i18n import N_, gettext
from opsportal.kit.csvsafe import csv_text
from opsportal.models import AuditEntry
from opsportal.models.base import utcnow
from opsportal.principal import Principal

# Never recorded, whatever a caller passes: secrets have no place in the trail.
_SECRET_WORDS = ("password", "token", "secret")


def _plain(value: Any) -> Any:
    """A JSON-ready copy: enums by value, times and dates in ISO-8601, decimals as text."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def _check_no_secrets(detail: Mapping[str, Any]) -> None:
    """Refuse text under a secret-sounding key (a flag like `withPassword: true` is fine)."""
    for key, value in detail.items():
        if isinstance(value, Mapping):
            _check_no_secrets(value)
        elif value is not None and not isinstance(value, bool):
            if any(word in key.lower() for word in _SECRET_WORDS):
                raise ValueError(f"audit detail {key!r} looks like a secret; never recorded")


def record(
    db: Session | Connection,
    *,
    actor: Principal | None,
    action: str,
    target_type: str,
    target_id: int | None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Add one audit row to the transaction `db` is in (a session, or a bare connection).

    `actor` None means the command line (or a job with nobody signed in). The
    row is written now, so it commits or rolls back with the change.
    """
    plain = _plain(dict(detail or {}))
    _check_no_secrets(plain)
    db.execute(
        insert(AuditEntry).values(
            at=utcnow(),
            actor_id=actor.user_id if actor is not None else None,
            action=action,
            target_type=target_type,
            target_id=target_id,
            detail=plain,
        )
    )


def changes(
    before: Mapping[str, Any], after: Mapping[str, Any], *, hidden: Iterable[str] = ()
) -> dict[str, Any]:
    """`{field: {"from": old, "to": new}}` for each field that changed.

    Fields in `hidden` (long texts) are named with `{"changed": true}` only.
    """
    hide = set(hidden)
    changed: dict[str, Any] = {}
    for field, new in after.items():
        old = before.get(field)
        if old == new:
            continue
        changed[field] = {"changed": True} if field in hide else {"from": old, "to": new}
    return changed


def record_changes(
    db: Session,
    *,
    actor: Principal | None,
    target_type: str,
    target_id: int,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    hidden: Iterable[str] = (),
) -> None:
    """A `<target_type>.update` row naming what changed (`changes`); none when nothing did."""
    changed = changes(before, after, hidden=hidden)
    if changed:
        record(
            db,
            actor=actor,
            action=f"{target_type}.update",
            target_type=target_type,
            target_id=target_id,
            detail=changed,
        )


def list_entries(
    session: Session, chosen: EntryFilter, *, limit: int, offset: int
) -> tuple[list[EntryWithActor], int]:
    """Audit rows, newest first, with the actor's email where there is one."""
    return repository.list_entries(session, chosen, limit=limit, offset=offset)


def recorded_actions(session: Session) -> list[str]:
    return repository.recorded_actions(session)


CSV_COLUMNS = (N_("When (UTC)"), N_("Who"), N_("Action"), N_("Target"), N_("Details"))


def who(row: EntryWithActor) -> str:
    """The actor as people read it: name and email, or the command line."""
    if row.entry.actor_id is None:
        return gettext("Command line")
    if row.actor_email is None:
        return gettext("User %(id)s", id=row.entry.actor_id)
    return f"{row.actor_name} <{row.actor_email}>" if row.actor_name else row.actor_email


def target(entry: AuditEntry) -> str:
    name = wording.words(entry.target_type)
    if entry.target_id is None:
        return name
    return gettext("%(kind)s %(id)s", kind=name, id=entry.target_id)


def audit_csv(session: Session, chosen: EntryFilter) -> str:
    """Every entry the filter chooses, newest first, in words; spreadsheet-safe (csvsafe)."""
    return csv_text(
        [gettext(column) for column in CSV_COLUMNS],
        (
            (
                row.entry.at.strftime("%Y-%m-%d %H:%M:%S"),
                who(row),
                wording.action_label(row.entry.action),
                target(row.entry),
                wording.detail_text(row.entry.detail),
            )
            for row in repository.iter_entries(session, chosen)
        ),
    )
