"""Invitations: a user made without a password is emailed a one-time link to set one.

The link is a password link (`PasswordReset`, stored as SHA-256) that lives for
`OPSPORTAL_INVITATION_DAYS`; a new invitation or password link replaces any
unused earlier one. Sent to the address, it confirms the address when used: a
user whose address is not confirmed yet (one a customer_admin created) signs in
only after that. When such a user's address already belongs to another
account, its owner is emailed a note instead, with no link (the same work, so
the creator cannot tell the two apart; see users/service.py). The email goes
through the outbox in the caller's transaction, so nothing is sent for a user
whose creation rolled back. The link is written to the outbox only: never to a
log line or the audit trail.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from opsportal.audit import record
from opsportal.auth import repository as auth_repository
from opsportal.auth.secrets import hash_token
from opsportal.config import Settings
from opsportal.errors import Conflict
from opsportal.i18n import _, format_moment, recipient_locale, using_locale
from opsportal.models import Organization, PasswordReset, User
from opsportal.models.base import utcnow
from opsportal.notifications.service import Mail, enqueue_mails
from opsportal.principal import Principal
from opsportal.users import repository

PASSWORD_LINK_PATH = "/set-password/"
# Stay well inside SQLite's bound-parameter limit in multi-row inserts.
CHUNK = 500


def new_password_link(
    session: Session, *, user_id: int, expires_at: datetime, confirms_address: bool = False
) -> str:
    """A one-time token for the user, replacing any unused earlier link; returns the token.

    `confirms_address`: the link goes by email to the address, so using it proves
    the address is the user's (an invitation); a link handed to an administrator does not.
    """
    repository.drop_unused_password_resets(session, user_id=user_id)
    token = secrets.token_urlsafe(32)
    # The caller has the user in hand (identity map): the link carries the
    # credentials epoch of the user it checked, and dies with its next change.
    user = session.get(User, user_id)
    session.add(
        PasswordReset(
            user_id=user_id,
            token_hash=hash_token(token),
            expires_at=expires_at,
            confirms_address=confirms_address,
            credentials_epoch=user.credentials_epoch if user is not None else 0,
        )
    )
    session.flush()
    return token


def link_url(settings: Settings, token: str) -> str:
    return settings.public_base_url + PASSWORD_LINK_PATH + token


def _mail(user: User, *, url: str, expires_at: datetime, token: str) -> Mail:
    """The invitation, in the current locale (the caller sets the recipient's)."""
    body = "\n\n".join(
        (
            _("Hello %(name)s,", name=user.name),
            _(
                "An opsportal account has been made for you (%(email)s): training, "
                "certificates and your organisation's benchmarks.",
                email=user.email,
            ),
            _(
                "Set your password with this link. It works once, until %(expires)s:",
                expires=format_moment(expires_at),
            ),
            url,
            _(
                "Then sign in with your email and that password. If you did not expect this "
                "email, ignore it: nothing happens until the link is used.",
            ),
        )
    )
    return Mail(
        recipient=user.email,
        subject=_("Your opsportal account: set your password"),
        body=body + "\n",
        # One message per link: a re-sent invitation is a new message, never a no-op.
        dedupe_key=f"invitation:{user.id}:{hash_token(token)[:16]}",
    )


def _in_use_note(user: User, *, inviter: str | None, token: str) -> Mail:
    """To the owner of an address another organisation typed: no link, nothing to do."""
    inviter = inviter or _("An organisation")
    body = "\n\n".join(
        (
            _("Hello,"),
            _(
                "%(inviter)s has tried to add this address to opsportal for %(name)s, "
                "but it already has an opsportal account with another organisation, and one "
                "address signs in to one account. Nothing has changed for your account. If you "
                "should have access for %(inviter)s, ask its administrator to use another "
                "address.",
                inviter=inviter,
                name=user.name,
            ),
        )
    )
    return Mail(
        recipient=user.email,
        subject=_("Your address was added to opsportal by another organisation"),
        body=body + "\n",
        dedupe_key=f"invitation:{user.id}:{hash_token(token)[:16]}",
    )


def _mail_for(
    session: Session, user: User, *, settings: Settings, expires_at: datetime, token: str
) -> Mail:
    """The invitation, or, when the unconfirmed user's address is another account's, the note;
    in the language of the address's owner (the note's: the account that owns it)."""
    if not user.email_confirmed:
        owner = auth_repository.get_user_by_email(session, user.email)
        if owner is not None:
            organization = session.get(Organization, user.organization_id)
            with using_locale(recipient_locale(owner.locale, settings.default_locale)):
                return _in_use_note(
                    user, inviter=organization.name if organization else None, token=token
                )
    with using_locale(recipient_locale(user.locale, settings.default_locale)):
        return _mail(user, url=link_url(settings, token), expires_at=expires_at, token=token)


def check_invitable(user: User) -> None:
    if not user.is_active:
        raise Conflict(f"User {user.id} is deactivated; reactivate it first.")
    if user.password_hash is not None and user.email_confirmed:
        raise Conflict(
            f"User {user.id} has set a password already; send a password link to reset it."
        )


def invite(
    session: Session, *, user: User, settings: Settings, actor: Principal | None
) -> datetime:
    """Email the user a new invitation (replacing any unused link); returns when it expires."""
    check_invitable(user)
    expires_at = utcnow() + timedelta(days=settings.invitation_days)
    token = new_password_link(
        session, user_id=user.id, expires_at=expires_at, confirms_address=True
    )
    enqueue_mails(
        session, [_mail_for(session, user, settings=settings, expires_at=expires_at, token=token)]
    )
    record(
        session,
        actor=actor,
        action="user.invite",
        target_type="user",
        target_id=user.id,
        detail={"email": user.email, "expiresAt": expires_at},
    )
    return expires_at


def invite_new_users(
    session: Session, *, users: Sequence[User], settings: Settings, actor: Principal | None
) -> int:
    """Invite users made just now (they have no link yet), in a few statements; returns how many.

    For the thousands of users of one roster: links and emails are inserted in
    batches. The caller audits them (the import's entry counts its invitations).
    """
    invited = [
        user
        for user in users
        if user.is_active and (user.password_hash is None or not user.email_confirmed)
    ]
    if not invited:
        return 0
    now = utcnow()
    expires_at = now + timedelta(days=settings.invitation_days)
    links: list[dict[str, object]] = []
    mails: list[Mail] = []
    for user in invited:
        token = secrets.token_urlsafe(32)
        links.append(
            {
                "user_id": user.id,
                "token_hash": hash_token(token),
                "created_at": now,
                "expires_at": expires_at,
                "confirms_address": True,
                "credentials_epoch": user.credentials_epoch,
            }
        )
        mails.append(
            _mail_for(session, user, settings=settings, expires_at=expires_at, token=token)
        )
    for start in range(0, len(links), CHUNK):
        session.execute(insert(PasswordReset), links[start : start + CHUNK])
    enqueue_mails(session, mails)
    return len(invited)
