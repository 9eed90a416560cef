"""SCIM queries: tokens, and an organisation's users as its directory sees them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session

from opsportal.models import CUSTOMER_ROLES, ScimToken, User


def list_tokens(session: Session, organization_id: int) -> list[ScimToken]:
    return list(
        session.scalars(
            select(ScimToken)
            .where(ScimToken.organization_id == organization_id)
            .order_by(ScimToken.id.desc())
        )
    )


def get_token(session: Session, token_id: int) -> ScimToken | None:
    return session.get(ScimToken, token_id)


def active_token(session: Session, token_hash: str) -> ScimToken | None:
    return session.scalars(
        select(ScimToken).where(ScimToken.token_hash == token_hash, ScimToken.revoked_at.is_(None))
    ).first()


def touch_token(session: Session, *, token_id: int, now: datetime, stale_before: datetime) -> None:
    session.execute(
        update(ScimToken)
        .where(
            ScimToken.id == token_id,
            or_(ScimToken.last_used_at.is_(None), ScimToken.last_used_at <= stale_before),
        )
        .values(last_used_at=now)
    )


def _visible(organization_id: int) -> Select[tuple[User]]:
    """The organisation's customer users its directory may see: not deleted by it."""
    return select(User).where(
        User.organization_id == organization_id,
        User.role.in_(CUSTOMER_ROLES),
        User.deleted_at.is_(None),
    )


def get_user(session: Session, *, organization_id: int, user_id: int) -> User | None:
    return session.scalars(_visible(organization_id).where(User.id == user_id)).first()


def find_users(
    session: Session,
    *,
    organization_id: int,
    email: str | None = None,
    external_id: str | None = None,
    user_id: int | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[list[User], int]:
    """A page of the organisation's visible users by id, optionally one attribute's matches."""
    query = _visible(organization_id)
    if email is not None:
        query = query.where(func.lower(User.email) == email.lower())
    if external_id is not None:
        query = query.where(User.external_id == external_id)
    if user_id is not None:
        query = query.where(User.id == user_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if limit == 0:
        return [], total
    page = query.order_by(User.id).offset(offset)
    if limit is not None:
        page = page.limit(limit)
    return list(session.scalars(page)), total


def user_by_email(session: Session, *, organization_id: int, email: str) -> User | None:
    """The organisation's user with this email (deleted ones too), if any.

    Other organisations' are not the directory's to learn of (users/service.py).
    """
    return session.scalars(
        select(User).where(
            func.lower(User.email) == email.lower(), User.organization_id == organization_id
        )
    ).first()


def user_by_external_id(session: Session, *, organization_id: int, external_id: str) -> User | None:
    return session.scalars(
        select(User).where(User.organization_id == organization_id, User.external_id == external_id)
    ).first()
