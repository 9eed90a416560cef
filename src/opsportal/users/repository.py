"""User management queries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from opsportal.models import Organization, PasswordReset, Role, User


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_users(
    session: Session,
    *,
    search: str | None,
    organization_id: int | None,
    limit: int,
    offset: int,
    role: Role | None = None,
) -> tuple[list[User], int]:
    query = select(User)
    if organization_id is not None:
        query = query.where(User.organization_id == organization_id)
    if role is not None:
        query = query.where(User.role == role)
    if search:
        pattern = _like(search)
        query = query.where(
            or_(
                func.lower(User.name).like(pattern, escape="\\"),
                func.lower(User.email).like(pattern, escape="\\"),
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(func.lower(User.name), User.id).limit(limit).offset(offset)
    )
    return list(rows), total


def organization_names(session: Session, ids: set[int]) -> dict[int, str]:
    """The names of these organisations (a page of users' worth), by id."""
    if not ids:
        return {}
    rows = session.execute(
        select(Organization.id, Organization.name).where(Organization.id.in_(sorted(ids)))
    )
    return {row.id: row.name for row in rows}


def organizations_with_users(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every organisation that has a user, by name: the list's filter."""
    has_users = select(User.id).where(User.organization_id == Organization.id).exists()
    rows = session.execute(
        select(Organization.id, Organization.name)
        .where(has_users)
        .order_by(func.lower(Organization.name), Organization.id)
    )
    return [(row.id, row.name) for row in rows]


def get_password_reset(session: Session, token_hash: str) -> PasswordReset | None:
    return session.scalars(
        select(PasswordReset).where(PasswordReset.token_hash == token_hash)
    ).first()


def drop_unused_password_resets(session: Session, *, user_id: int) -> None:
    """A new link replaces any earlier one that was not used."""
    session.execute(
        delete(PasswordReset).where(
            PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None)
        )
    )


# Stay within SQLite's bound-parameter limit in IN lists.
CHUNK = 500


def users_by_email(
    session: Session, emails: Sequence[str], *, prefer_organization_id: int | None = None
) -> dict[str, User]:
    """The users with these emails, by lower-cased email, whatever their organisation.

    An address can be several users' (one confirmed, others not yet); then the
    one of `prefer_organization_id` is returned, else a confirmed one.
    """
    wanted = sorted({email.lower() for email in emails})
    found: dict[str, User] = {}
    for start in range(0, len(wanted), CHUNK):
        for user in session.scalars(
            select(User).where(func.lower(User.email).in_(wanted[start : start + CHUNK]))
        ):
            key = user.email.lower()
            if key not in found or _rank(user, prefer_organization_id) < _rank(
                found[key], prefer_organization_id
            ):
                found[key] = user
    return found


def _rank(user: User, organization_id: int | None) -> int:
    if organization_id is not None and user.organization_id == organization_id:
        return 0
    return 1 if user.email_confirmed else 2


def users_by_external_id(
    session: Session, *, organization_id: int, external_ids: Sequence[str]
) -> dict[str, User]:
    """The organisation's users with these external ids, by external id."""
    wanted = sorted(set(external_ids))
    found: dict[str, User] = {}
    for start in range(0, len(wanted), CHUNK):
        for user in session.scalars(
            select(User).where(
                User.organization_id == organization_id,
                User.external_id.in_(wanted[start : start + CHUNK]),
            )
        ):
            if user.external_id is not None:
                found[user.external_id] = user
    return found


def organization_by_key(session: Session, key: str) -> Organization | None:
    """An organisation by its externalId, else by its id (the command line's `--org`)."""
    found = session.scalars(select(Organization).where(Organization.external_id == key)).first()
    if found is None and key.isdigit() and len(key) < 10:
        found = session.get(Organization, int(key))
    return found
