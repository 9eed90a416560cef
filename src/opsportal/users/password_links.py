"""One-time links that set a password: issued by a manager (a reset, or an invitation's
link shown to an administrator), and used on the public page that sets it.

A new link replaces any unused earlier one; the current password keeps working
until the link is used; using it ends every session, token and link from before.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from opsportal.audit import record
from opsportal.auth import repository as auth_repository
from opsportal.auth import throttle
from opsportal.auth.secrets import hash_password, hash_token
from opsportal.auth.service import check_password
from opsportal.auth.sessions import end_credentials
from opsportal.config import Settings
from opsportal.errors import Conflict, NotFound
from opsportal.messages import N_
from opsportal.models import PasswordReset, User
from opsportal.models.base import utcnow
from opsportal.principal import Principal
from opsportal.users import invitations, repository
from opsportal.users.service import managed_user


def issue_password_link(
    session: Session, *, principal: Principal, user_id: int, settings: Settings
) -> tuple[str, datetime]:
    """A one-time link for the user to set a password: (url, expiry), shown once.

    It serves both as the invitation of a new user and as a password reset; a
    new link replaces any unused earlier one, and the current password keeps
    working until the link is used.
    """
    user = managed_user(session, principal, user_id)
    if not user.is_active:
        raise Conflict(N_("User %(id)s is deactivated; reactivate it first.", id=user.id))
    if not user.email_confirmed:
        # A link handed to an administrator proves nothing about the address.
        raise Conflict(
            N_(
                "User %(id)s has not accepted its invitation yet; send a new invitation "
                "(POST /api/v1/users/%(id)s/invitation).",
                id=user.id,
            )
        )
    expires_at = utcnow() + timedelta(hours=settings.password_link_hours)
    token = invitations.new_password_link(session, user_id=user.id, expires_at=expires_at)
    record(
        session,
        actor=principal,
        action="user.password_link",
        target_type="user",
        target_id=user.id,
        detail={"expiresAt": expires_at},
    )
    return invitations.link_url(settings, token), expires_at


def _usable_link(session: Session, token: str, now: datetime) -> tuple[PasswordReset, User] | None:
    if not token or len(token) > 100 or "\x00" in token:
        return None
    link = repository.get_password_reset(session, hash_token(token))
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    user = auth_repository.get_user(session, link.user_id)
    if user is None or not user.is_active or link.credentials_epoch != user.credentials_epoch:
        return None
    return link, user


INVALID_LINK = N_("This link is not valid: it was used already, replaced, or has expired.")


def user_for_password_link(session: Session, *, token: str) -> User:
    """The user a valid, unused link is for (404 otherwise)."""
    found = _usable_link(session, token, utcnow())
    if found is None:
        raise NotFound(INVALID_LINK)
    return found[1]


def set_password_with_link(session: Session, *, token: str, password: str) -> User:
    """Use a one-time link: set the password, end the user's sessions, spend every link."""
    now = utcnow()
    found = _usable_link(session, token, now)
    if found is None:
        raise NotFound(INVALID_LINK)
    link, user = found
    check_password(password)
    if link.confirms_address and not user.email_confirmed:
        if auth_repository.get_user_by_email(session, user.email) is not None:
            raise NotFound(INVALID_LINK)  # someone confirmed the address first
        user.email_confirmed = True
    user.password_hash = hash_password(password)
    link.used_at = now
    # Like any password change: every session, token and link from before it ends.
    end_credentials(session, user=user, now=now)
    throttle.clear(session, email=user.email)
    session.flush()
    record(
        session,
        actor=Principal.of(user),
        action="user.password_set",
        target_type="user",
        target_id=user.id,
        detail={"via": "one-time link"},
    )
    return user
