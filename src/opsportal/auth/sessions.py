"""Server-side control over web sessions, and over every credential a user was given.

The signed cookie carries the user's `session_version` from the moment of
sign-in, and every page request compares it with the database. Bumping the
version (logout, password change) ends every session of that user at once, on
every device and replica; deactivating a user ends them too, since inactive
users are refused outright.

API tokens and password links carry the user's `credentials_epoch` from when
they were issued, and are good only while it is still the user's. A change of
role, organisation, password or active flag (`end_credentials`) moves both the
version and the epoch on: whatever was issued before it is over, and stays over
when the user is reactivated.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from opsportal.auth import repository
from opsportal.auth.service import principal_for_user_id
from opsportal.models import User
from opsportal.models.base import utcnow
from opsportal.principal import Principal


def session_version(session: Session, user_id: int) -> int:
    """The version a session signed in now must carry."""
    version = session.scalar(select(User.session_version).where(User.id == user_id))
    return version or 0


def session_principal(session: Session, *, user_id: int, version: int) -> Principal | None:
    """Who a session cookie speaks for, or None if it has been ended (or the user deactivated)."""
    principal = principal_for_user_id(session, user_id)
    if principal is None:
        return None
    # principal_for_user_id loaded the user: this reads the identity map, no second query.
    user = session.get(User, user_id)
    if user is None or user.session_version != version:
        return None
    return principal


def end_sessions(session: Session, *, user_id: int) -> int:
    """End every web session of the user; returns the new version (for a session to carry on).

    One conditional UPDATE, so two concurrent calls both take effect.
    """
    new_version = session.scalar(
        update(User)
        .where(User.id == user_id)
        .values(session_version=User.session_version + 1)
        .returning(User.session_version)
    )
    return int(new_version or 0)


def end_credentials(session: Session, *, user: User, now: datetime | None = None) -> None:
    """End every web session, API token and password link `user` was given before now.

    The checks rely on the epoch, not on the marks: a token issued at the same
    moment, by a request that read the user before this change, carries the old
    epoch and is refused although it was never marked. The marks (tokens
    revoked, links spent) are for whoever lists them.
    """
    now = now or utcnow()
    session.flush()  # the change itself first, in the order it was made
    repository.bump_credentials(session, user_id=user.id)
    repository.revoke_tokens(session, user_id=user.id, now=now)
    repository.spend_password_links(session, user_id=user.id, now=now)
