"""User management queries."""

from __future__ import annotations

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from opsportal.models import PasswordReset, User


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
) -> tuple[list[User], int]:
    query = select(User)
    if organization_id is not None:
        query = query.where(User.organization_id == organization_id)
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
