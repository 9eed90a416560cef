"""Queries for users and tokens."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from opsportal.models import ApiToken, PasswordReset, Role, User


class TokenHolder(NamedTuple):
    """An unrevoked token and its user, as plain columns (no ORM objects to build)."""

    token_id: int
    expires_at: datetime | None
    last_used_at: datetime | None
    user_id: int
    email: str
    name: str
    role: Role
    organization_id: int | None
    user_is_active: bool
    locale: str | None


def get_user_by_email(session: Session, email: str) -> User | None:
    """The account whose address this is: a user who confirmed it (any case)."""
    return session.scalars(
        select(User).where(func.lower(User.email) == email.lower(), User.email_confirmed)
    ).first()


def get_organization_user_by_email(
    session: Session, *, organization_id: int, email: str
) -> User | None:
    """A user of one organisation with this address, confirmed or not."""
    return session.scalars(
        select(User).where(
            func.lower(User.email) == email.lower(), User.organization_id == organization_id
        )
    ).first()


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def get_active_token(session: Session, token_hash: str) -> tuple[ApiToken, User] | None:
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None))
    ).first()
    return (row[0], row[1]) if row else None


# Built once, with the hash as a parameter: every API request runs it, and
# building the statement would cost more than running it.
_TOKEN_HOLDER = (
    select(
        ApiToken.id,
        ApiToken.expires_at,
        ApiToken.last_used_at,
        User.id,
        User.email,
        User.name,
        User.role,
        User.organization_id,
        User.is_active,
        User.locale,
    )
    .join(User, User.id == ApiToken.user_id)
    .where(
        ApiToken.token_hash == bindparam("token_hash"),
        ApiToken.revoked_at.is_(None),
        # Issued before its user's last change of role, organisation, password or
        # active flag: over (see auth.sessions.end_credentials).
        ApiToken.credentials_epoch == User.credentials_epoch,
    )
)


def find_token_holder(session: Session, token_hash: str) -> TokenHolder | None:
    """The one indexed query behind every API request's authentication."""
    row = session.connection().execute(_TOKEN_HOLDER, {"token_hash": token_hash}).first()
    return TokenHolder(*row) if row else None


def list_tokens(session: Session, user_id: int) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
        )
    )


def get_token(session: Session, token_id: int) -> ApiToken | None:
    return session.get(ApiToken, token_id)


def touch_token(session: Session, *, token_id: int, now: datetime, stale_before: datetime) -> None:
    """Set a token's last use; a no-op when another request already did this minute."""
    session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= stale_before),
        )
        .values(last_used_at=now)
    )


def replace_password_hash(session: Session, *, user_id: int, old: str, new: str) -> None:
    """Store a re-made hash of the same password; a no-op if the password changed meanwhile."""
    session.execute(
        update(User)
        .where(User.id == user_id, User.password_hash == old)
        .values(password_hash=new)
        .execution_options(synchronize_session=False)
    )


def revoke_tokens(session: Session, *, user_id: int, now: datetime) -> None:
    """Mark every unrevoked token of the user revoked."""
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session="fetch")
    )


def spend_password_links(session: Session, *, user_id: int, now: datetime) -> None:
    """Mark every unused password link of the user used."""
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session="fetch")
    )


def bump_credentials(session: Session, *, user_id: int) -> None:
    """Move the user's session version and credentials epoch on, in SQL, so that
    concurrent changes each count."""
    session.execute(
        update(User)
        .where(User.id == user_id)
        .values(
            session_version=User.session_version + 1,
            credentials_epoch=User.credentials_epoch + 1,
        )
        .execution_options(synchronize_session="fetch")
    )
