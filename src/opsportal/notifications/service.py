"""Notifications: each user's list, telling an organisation's users, and the benchmark drop alerts.

Other domains tell this one what to send (`notify_organizations`,
`enqueue_mail`); it writes the in-app notifications and the outbox rows in the
caller's transaction, and the sender (`mail.py`) delivers the mail after it
commits.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from opsportal.auth.service import Principal
from opsportal.benchmarks.verdicts import VERDICT_TEXT, Verdict, dropped, verdict_for
from opsportal.config import Settings
from opsportal.errors import NotFound
from opsportal.metrics.registry import get_metric
from opsportal.models import OutboxStatus
from opsportal.models.base import utcnow
from opsportal.notifications import mail, repository
from opsportal.notifications.schemas import NotificationRead

logger = logging.getLogger(__name__)

BENCHMARK_DROP = "benchmark_drop"
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


def unread_count(session: Session, *, user_id: int) -> int:
    """Unread notifications, up to UNREAD_CAP: one indexed COUNT, cheap enough for every page."""
    return repository.count_unread(session, user_id=user_id, cap=UNREAD_CAP)


# --- telling an organisation's users ---------------------------------------------------


@dataclass(frozen=True)
class OrganizationNotice:
    """Something every customer user of one organisation is told, in the app and by email."""

    organization_id: int
    kind: str
    title: str
    body: str
    # A path inside opsportal.
    link: str | None
    # Unique per organisation and event; each user's notification and email derive theirs.
    dedupe_key: str
    email_subject: str
    email_body: str


def notify_organizations(session: Session, notices: Sequence[OrganizationNotice]) -> int:
    """Notify each organisation's active customer users and queue their emails.

    Idempotent: a notice whose dedupe key was used already adds nothing.
    Returns how many (notice, user) pairs were addressed.
    """
    if not notices:
        return 0
    recipients: dict[int, list[repository.Recipient]] = {}
    for recipient in repository.customer_users(session, {n.organization_id for n in notices}):
        recipients.setdefault(recipient.organization_id, []).append(recipient)
    return notify_users(
        session,
        [
            UserNotice(
                user_id=user.user_id,
                email=user.email,
                kind=notice.kind,
                title=notice.title,
                body=notice.body,
                link=notice.link,
                dedupe_key=notice.dedupe_key,
                email_subject=notice.email_subject,
                email_body=notice.email_body,
            )
            for notice in notices
            for user in recipients.get(notice.organization_id, [])
        ],
    )


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
                "dedupe_key": notice.dedupe_key,
            }
        )
        if notice.user_id in unconfirmed:
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
    _queue(
        session,
        [
            _message_row(
                recipient=recipient,
                subject=subject,
                body=body,
                dedupe_key=dedupe_key,
                now=utcnow(),
            )
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


# --- benchmark drop alerts -------------------------------------------------------------


def benchmark_drops(session: Session, *, day: date, settings: Settings) -> int:
    """After a successful run for `day`, in its transaction: alert organisations whose verdict fell.

    Compares each organisation's stored all-customers percentile with the
    previous calculated day's, as verdicts (`benchmarks.verdicts`); a worse
    verdict is a `benchmark_drop` for its customer users, plus an email. Only
    groups shown to customers on both days count, and a day is alerted once per
    organisation and metric however often it is re-run. A run for a day older
    than the newest calculated one alerts nobody: that news is old.

    Never raises: a failure here is logged and leaves the run published.
    """
    try:
        with session.begin_nested():
            return _benchmark_drops(session, day=day, base_url=settings.public_base_url)
    except Exception:
        logger.exception("benchmark drop alerts for %s failed; the run stays published", day)
        return 0


def _benchmark_drops(session: Session, *, day: date, base_url: str) -> int:
    if repository.later_day_exists(session, after=day):
        return 0
    previous = repository.previous_calculated_day(session, before=day)
    if previous is None:
        return 0
    notices = []
    for fall in repository.percentile_falls(session, day=day, previous=previous):
        before, after = verdict_for(fall.previous), verdict_for(fall.current)
        if dropped(before, after):
            notices.append(
                drop_notice(
                    organization_id=fall.organization_id,
                    metric=fall.metric,
                    before=before,
                    after=after,
                    day=day,
                    base_url=base_url,
                )
            )
    addressed = notify_organizations(session, notices)
    if notices:
        logger.info(
            "benchmark drop alerts for %s: %s drops, %s users told",
            day,
            len(notices),
            addressed,
        )
    return addressed


def drop_notice(
    *,
    organization_id: int,
    metric: str,
    before: Verdict,
    after: Verdict,
    day: date,
    base_url: str,
) -> OrganizationNotice:
    """What a customer is told: the metric and its verdict before and after, nothing more."""
    known = get_metric(metric)
    label = known.label if known else metric
    old, new = VERDICT_TEXT[before], VERDICT_TEXT[after]
    link = f"/benchmarks/organizations/{organization_id}"
    body = (
        f"Your organisation's place on {label.lower()} moved from “{old}” to “{new}” "
        f"among all customers in the benchmarks of {day.isoformat()}."
    )
    return OrganizationNotice(
        organization_id=organization_id,
        kind=BENCHMARK_DROP,
        title=f"{label}: now “{new}”",
        body=body,
        link=link,
        dedupe_key=f"{BENCHMARK_DROP}:{organization_id}:{metric}:{day.isoformat()}",
        email_subject=f"opsportal: {label} dropped to “{new}”",
        email_body=f"{body}\n\nYour scorecard: {base_url}{link}\n",
    )
