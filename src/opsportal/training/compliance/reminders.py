"""Training reminders: assignments due soon or overdue, certificates about to expire.

Each reminder is an in-app notification and an email (through the outbox),
sent at most once per item and threshold: its `training_reminders_sent` row is
inserted in the same transaction as the outbox message, and a second run —
the same day again, or another replica at the same moment — finds the row
taken and sends nothing. The thresholds come from the settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.i18n import (
    DEFAULT_LOCALE,
    _,
    format_day,
    ngettext,
    recipient_locale,
    using_locale,
)
from opsportal.models import Certificate
from opsportal.models.base import utcnow
from opsportal.notifications.service import UserNotice, notify_users
from opsportal.training.certificates import CertificateStatus
from opsportal.training.compliance import reminder_repository, repository
from opsportal.training.compliance.assignments import assignment_reads
from opsportal.training.compliance.schemas import AssignmentRead
from opsportal.training.compliance.status import AssignmentStatus
from opsportal.training.progress import status_of

ASSIGNMENT_DUE = "assignment_due"
ASSIGNMENT_OVERDUE = "assignment_overdue"
CERTIFICATE_EXPIRING = "certificate_expiring"


@dataclass(frozen=True)
class Reminder:
    kind: str
    item_key: str
    threshold_days: int
    user_id: int
    email: str
    title: str
    body: str
    link: str
    # The locale the words are in (the learner's): the email's subject follows it.
    locale: str = DEFAULT_LOCALE

    @property
    def dedupe_key(self) -> str:
        return f"reminder:{self.kind}:{self.item_key}:{self.threshold_days}"

    def notice(self, *, base_url: str) -> UserNotice:
        with using_locale(self.locale):
            subject = _("opsportal: %(title)s", title=self.title)
        return UserNotice(
            user_id=self.user_id,
            email=self.email,
            kind=self.kind,
            title=self.title,
            body=self.body,
            link=self.link,
            dedupe_key=self.dedupe_key,
            email_subject=subject,
            email_body=f"{self.body}\n\n{base_url}{self.link}\n",
        )


def assignment_reminder(
    read: AssignmentRead, *, email: str, today: date, window: int, locale: str = DEFAULT_LOCALE
) -> Reminder:
    """The reminder about one open assignment: "Overdue: …" or "Due in N days: …", in `locale`.

    The daily job sends it once per due day; a manager's **Remind** sends the same words now.
    """
    key = f"assignment:{read.id}:{read.due_on.isoformat()}"
    track = read.track_name
    with using_locale(locale):
        due = format_day(read.due_on)
        if read.status is AssignmentStatus.OVERDUE:
            kind, threshold = ASSIGNMENT_OVERDUE, 0
            title = _("Overdue: %(track)s", track=track)
            body = _(
                "Your training “%(track)s” was due on %(due)s and is not complete yet.",
                track=track,
                due=due,
            )
        else:
            kind, threshold = ASSIGNMENT_DUE, window
            left = (read.due_on - today).days
            if left == 0:
                title = _("Due today: %(track)s", track=track)
                body = _(
                    "Your training “%(track)s” is due on %(due)s (today).", track=track, due=due
                )
            else:
                title = ngettext(
                    "Due in %(num)d day: %(track)s",
                    "Due in %(num)d days: %(track)s",
                    left,
                    track=track,
                )
                body = ngettext(
                    "Your training “%(track)s” is due on %(due)s (in %(num)d day).",
                    "Your training “%(track)s” is due on %(due)s (in %(num)d days).",
                    left,
                    track=track,
                    due=due,
                )
    return Reminder(kind, key, threshold, read.user_id, email, title, body, "/training", locale)


def assignment_reminders(session: Session, *, settings: Settings, now: datetime) -> list[Reminder]:
    """Open assignments due within the threshold (once per due day), and overdue ones (once)."""
    today = now.date()
    window = settings.reminder_due_days
    assignments = repository.open_assignments_due_by(session, until=today + timedelta(days=window))
    users = {a.user_id: a.user for a in assignments}
    return [
        assignment_reminder(
            read,
            email=users[read.user_id].email,
            today=today,
            window=window,
            locale=recipient_locale(users[read.user_id].locale, settings.default_locale),
        )
        for read in assignment_reads(session, assignments, now=now)
        if read.status is not AssignmentStatus.COMPLETED
    ]


def _threshold(days_left: int, thresholds: tuple[int, ...]) -> int | None:
    """The smallest threshold reached: a run that missed the 60-day one sends the 30-day one."""
    reached = [t for t in thresholds if days_left <= t]
    return min(reached) if reached else None


def certificate_reminders(session: Session, *, settings: Settings, now: datetime) -> list[Reminder]:
    """Active certificates expiring within a threshold, unless the holder renewed already."""
    thresholds = settings.certificate_reminder_days
    expiring = reminder_repository.expiring_certificates(
        session, now=now, until=now + timedelta(days=max(thresholds))
    )
    if not expiring:
        return []
    holders = {c.user_id for c in expiring}
    users = reminder_repository.users_by_id(session, holders)
    # The newest expiry of each holder's active certificate per track: a renewal
    # supersedes the certificate about to expire.
    newest: dict[tuple[int, int], datetime] = {}
    for certificate in repository.certificates_of_users(session, holders):
        if status_of(certificate, now=now) is CertificateStatus.ACTIVE:
            pair = (certificate.user_id, certificate.track_id)
            newest[pair] = max(newest.get(pair, certificate.expires_at), certificate.expires_at)
    found = []
    for certificate in expiring:
        if status_of(certificate, now=now) is not CertificateStatus.ACTIVE:
            continue
        if newest.get((certificate.user_id, certificate.track_id), now) > certificate.expires_at:
            continue
        days_left = (certificate.expires_at.date() - now.date()).days
        threshold = _threshold(days_left, thresholds)
        if threshold is None:
            continue
        holder = users[certificate.user_id]
        locale = recipient_locale(holder.locale, settings.default_locale)
        found.append(_certificate_reminder(certificate, holder.email, threshold, days_left, locale))
    return found


def _certificate_reminder(
    certificate: Certificate, email: str, threshold: int, days_left: int, locale: str
) -> Reminder:
    number, track = certificate.certificate_number, certificate.track_name
    with using_locale(locale):
        expires = format_day(certificate.expires_at)
        if days_left <= 0:
            title = _("Certificate expires today: %(track)s", track=track)
            body = _(
                "Your certificate %(number)s for “%(track)s” expires on %(expires)s (today). "
                "Take the track again to renew it.",
                number=number,
                track=track,
                expires=expires,
            )
        else:
            title = ngettext(
                "Certificate expires in %(num)d day: %(track)s",
                "Certificate expires in %(num)d days: %(track)s",
                days_left,
                track=track,
            )
            body = ngettext(
                "Your certificate %(number)s for “%(track)s” expires on %(expires)s "
                "(in %(num)d day). Take the track again to renew it.",
                "Your certificate %(number)s for “%(track)s” expires on %(expires)s "
                "(in %(num)d days). Take the track again to renew it.",
                days_left,
                number=number,
                track=track,
                expires=expires,
            )
    return Reminder(
        CERTIFICATE_EXPIRING,
        f"certificate:{certificate.id}",
        threshold,
        certificate.user_id,
        email,
        title,
        body,
        "/certificates",
        locale,
    )


def due_reminders(
    session: Session, *, settings: Settings, now: datetime | None = None
) -> list[Reminder]:
    """Every reminder due now and not sent yet (nothing is written)."""
    now = now or utcnow()
    candidates = assignment_reminders(session, settings=settings, now=now)
    candidates += certificate_reminders(session, settings=settings, now=now)
    sent = reminder_repository.reminders_sent(session, item_keys={r.item_key for r in candidates})
    return [r for r in candidates if (r.kind, r.item_key, r.threshold_days) not in sent]


def send_reminders(
    session: Session, *, settings: Settings, now: datetime | None = None
) -> list[Reminder]:
    """Send the due reminders in the caller's transaction; returns those this call sent.

    Flushes, never commits. Each reminder's "sent" row is claimed first: a
    concurrent run waits on it (PostgreSQL) or on the write lock (SQLite) and
    then skips it, so no reminder goes out twice.
    """
    now = now or utcnow()
    sent = [
        reminder
        for reminder in due_reminders(session, settings=settings, now=now)
        if reminder_repository.claim_reminder(
            session,
            kind=reminder.kind,
            item_key=reminder.item_key,
            threshold_days=reminder.threshold_days,
            user_id=reminder.user_id,
            now=now,
        )
    ]
    notify_users(session, [r.notice(base_url=settings.public_base_url) for r in sent])
    return sent
