"""Notifications: each user's list, and telling users and organisations what other domains say.

Other domains tell this one what to send (`notify_organizations`,
`enqueue_mail`); it writes the in-app notifications and the outbox rows in the
caller's transaction, and the sender (`mail.py`) delivers the mail after it
commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from opsportal.errors import NotFound
from opsportal.i18n import DEFAULT_LOCALE, recipient_locale, using_locale
from opsportal.models import OutboxStatus
from opsportal.models.base import utcnow
from opsportal.notifications import mail, repository
from opsportal.notifications.schemas import NotificationRead
from opsportal.principal import Principal

logger = logging.getLogger(__name__)

# The navigation counts unread notifications up to here and shows "99+" beyond.
UNREAD_CAP = 100
_WAKE_PENDING = "opsportal_wake_outbox_sender"


# --- a user's notifications ------------------------------------------------------------


def list_notifications(
    session: Session, *, principal: Principal, limit: int = 50, offset: int = 0
) -> list[NotificationRead]:
    """The caller's notifications, newest first."""
    rows = repository.list_for_user(session, user_id=principal.user_id, limit=limit, offset=offset)
    return [NotificationRead.model_validate(row) for row in rows]


def mark_read(session: Session, *, principal: Principal, notification_id: int) -> NotificationRead:
    """Mark one of the caller's notifications read (again: no change); others' are a 404."""
    notification = repository.get_notification(session, notification_id)
    if notification is None or notification.user_id != principal.user_id:
        raise NotFound(f"Notification {notification_id} not found.")
    if notification.read_at is None:
        notification.read_at = utcnow()
        session.flush()
    return NotificationRead.model_validate(notification)


def mark_all_read(session: Session, *, principal: Principal) -> int:
    return repository.mark_all_read(session, user_id=principal.user_id, now=utcnow())


def unread_count(session: Session, user_id: int) -> int:
    """Unread notifications, up to UNREAD_CAP: one indexed COUNT, cheap enough for every page."""
    return repository.count_unread(session, user_id=user_id, cap=UNREAD_CAP)


# --- telling an organisation's users ---------------------------------------------------


@dataclass(frozen=True)
class NoticeWords:
    """What a notice says: in the app (title, body) and by email (subject, body)."""

    title: str
    body: str
    email_subject: str
    email_body: str


@dataclass(frozen=True)
class OrganizationNotice:
    """Something every customer user of one organisation is told, in the app and by email."""

    organization_id: int
    kind: str
    # A path inside opsportal.
    link: str | None
    # Unique per organisation and event; each user's notification and email derive theirs.
    dedupe_key: str
    # The words, called once per language among the recipients, inside `using_locale`:
    # each user reads the notice in their own language.
    words: Callable[[], NoticeWords]
    # Told for the record, not as news (an event long past): listed as read, no email.
    already_read: bool = False


def notify_organizations(
    session: Session,
    notices: Sequence[OrganizationNotice],
    *,
    default_locale: str = DEFAULT_LOCALE,
) -> int:
    """Notify each organisation's active customer users and queue their emails.

    Each user is told in their language (users.locale), else `default_locale`.
    Idempotent: a notice whose dedupe key was used already adds nothing.
    Returns how many (notice, user) pairs were addressed.
    """
    if not notices:
        return 0
    recipients: dict[int, list[repository.Recipient]] = {}
    for recipient in repository.customer_users(session, {n.organization_id for n in notices}):
        recipients.setdefault(recipient.organization_id, []).append(recipient)
    user_notices = []
    for notice in notices:
        in_language: dict[str, NoticeWords] = {}
        for user in recipients.get(notice.organization_id, []):
            locale = recipient_locale(user.locale, default_locale)
            if locale not in in_language:
                with using_locale(locale):
                    in_language[locale] = notice.words()
            words = in_language[locale]
            user_notices.append(
                UserNotice(
                    user_id=user.user_id,
                    email=user.email,
                    kind=notice.kind,
                    title=words.title,
                    body=words.body,
                    link=notice.link,
                    dedupe_key=notice.dedupe_key,
                    email_subject=words.email_subject,
                    email_body=words.email_body,
                    already_read=notice.already_read,
                )
            )
    return notify_users(session, user_notices)


def withdraw_notices(session: Session, *, kind: str, key_prefix: str, keep: set[str]) -> int:
    """Take back the notices of `kind` whose dedupe key starts with `key_prefix`, but `keep`.

    Their in-app notifications go; their emails not yet sent are not sent (FAILED,
    "withdrawn"); an email already sent stays sent. Returns notifications removed.
    """
    gone = sorted(repository.notice_keys(session, kind=kind, key_prefix=key_prefix) - keep)
    for key in gone:
        repository.cancel_queued(
            session, key_prefix=f"{key}:user:", reason="Withdrawn before it was sent."
        )
    return repository.delete_notices(session, kind=kind, keys=gone)


@dataclass(frozen=True)
class UserNotice:
    """Something one user is told, in the app and by email (a training reminder)."""

    user_id: int
    email: str
    kind: str
    title: str
    body: str
    link: str | None
    # Unique per event and user; the email's key derives from it.
    dedupe_key: str
    email_subject: str
    email_body: str
    already_read: bool = False  # for the record only: listed as read, and no email


def notify_users(session: Session, notices: Sequence[UserNotice]) -> int:
    """Write each user's notification and queue its email; idempotent per dedupe key.

    A user whose address is not confirmed as its own gets the notification but no
    email: the address may be another account's (users/service.py).
    """
    now = utcnow()
    notifications: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    unconfirmed = repository.unconfirmed_users(session, (n.user_id for n in notices))
    for notice in notices:
        if notice.link is not None and not notice.link.startswith("/"):
            raise ValueError("a notification links to a path inside opsportal")
        notifications.append(
            {
                "user_id": notice.user_id,
                "kind": notice.kind,
                "title": notice.title,
                "body": notice.body,
                "link": notice.link,
                "created_at": now,
                "read_at": now if notice.already_read else None,
                "dedupe_key": notice.dedupe_key,
            }
        )
        if notice.user_id in unconfirmed or notice.already_read:
            continue
        messages.append(
            _message_row(
                recipient=notice.email,
                subject=notice.email_subject,
                body=notice.email_body,
                dedupe_key=f"{notice.dedupe_key}:user:{notice.user_id}",
                now=now,
            )
        )
    repository.add_notifications(session, notifications)
    _queue(session, messages)
    return len(notifications)


def enqueue_mail(
    session: Session, *, recipient: str, subject: str, body: str, dedupe_key: str
) -> None:
    """Queue one email in the caller's transaction; sent after it commits, once per dedupe key."""
    enqueue_mails(
        session, [Mail(recipient=recipient, subject=subject, body=body, dedupe_key=dedupe_key)]
    )


@dataclass(frozen=True)
class Mail:
    """One email to queue; its dedupe key makes queueing it again a no-op."""

    recipient: str
    subject: str
    body: str
    dedupe_key: str


def enqueue_mails(session: Session, mails: Sequence[Mail]) -> None:
    """Queue many emails at once (a roster's invitations), in the caller's transaction."""
    now = utcnow()
    _queue(
        session,
        [
            _message_row(
                recipient=mail.recipient,
                subject=mail.subject,
                body=mail.body,
                dedupe_key=mail.dedupe_key,
                now=now,
            )
            for mail in mails
        ],
    )


def _message_row(
    *, recipient: str, subject: str, body: str, dedupe_key: str, now: datetime
) -> dict[str, Any]:
    # A line break in a header would start another header.
    subject = " ".join(subject.split())
    return {
        "dedupe_key": dedupe_key,
        "recipient": recipient.strip(),
        "subject": subject,
        "body": body,
        "created_at": now,
        "next_attempt_at": now,
        "attempts": 0,
        "status": OutboxStatus.QUEUED,
    }


def _queue(session: Session, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    repository.add_messages(session, rows)
    # Send soon after this transaction commits, not at the next minute.
    if not session.info.get(_WAKE_PENDING):
        session.info[_WAKE_PENDING] = True
        event.listen(session, "after_commit", _wake_sender, once=True)


def _wake_sender(session: Session) -> None:
    session.info.pop(_WAKE_PENDING, None)
    mail.wake_sender()
