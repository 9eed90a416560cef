"""The queries of the export, the erasure and retention."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, String, cast, delete, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from opsportal.models import (
    ApiToken,
    Assignment,
    AuditEntry,
    Certificate,
    CourseReadMark,
    ExtraTime,
    LoginFailure,
    MetricValue,
    Notification,
    OutboxMessage,
    OutboxStatus,
    PasswordReset,
    QuizAttempt,
    ScormAttempt,
    XapiStatement,
)


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def tokens_of(session: Session, user_id: int) -> Sequence[ApiToken]:
    return session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)
    ).all()


def attempts_of(session: Session, user_id: int) -> Sequence[QuizAttempt]:
    return session.scalars(
        select(QuizAttempt).where(QuizAttempt.user_id == user_id).order_by(QuizAttempt.id)
    ).all()


def scorm_attempts_of(session: Session, user_id: int) -> Sequence[ScormAttempt]:
    return session.scalars(
        select(ScormAttempt).where(ScormAttempt.user_id == user_id).order_by(ScormAttempt.id)
    ).all()


def reads_of(session: Session, user_id: int) -> Sequence[CourseReadMark]:
    return session.scalars(
        select(CourseReadMark)
        .where(CourseReadMark.user_id == user_id)
        .order_by(CourseReadMark.course_id)
    ).all()


def extra_time_of(session: Session, user_id: int) -> Sequence[ExtraTime]:
    return session.scalars(
        select(ExtraTime).where(ExtraTime.user_id == user_id).order_by(ExtraTime.id)
    ).all()


def assignments_of(session: Session, user_id: int) -> Sequence[Assignment]:
    return session.scalars(
        select(Assignment).where(Assignment.user_id == user_id).order_by(Assignment.id)
    ).all()


def certificates_of(session: Session, user_id: int) -> Sequence[Certificate]:
    # With their tracks: the PDFs name the achievement in the holder's language from them.
    return session.scalars(
        select(Certificate)
        .where(Certificate.user_id == user_id)
        .options(selectinload(Certificate.track))
        .order_by(Certificate.id)
    ).all()


def notifications_of(session: Session, user_id: int) -> Sequence[Notification]:
    return session.scalars(
        select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
    ).all()


def mail_to(session: Session, email: str) -> Sequence[OutboxMessage]:
    return session.scalars(
        select(OutboxMessage)
        .where(func.lower(OutboxMessage.recipient) == email.lower())
        .order_by(OutboxMessage.id)
    ).all()


def audit_of(session: Session, user_id: int) -> Sequence[AuditEntry]:
    """Entries the person made, or made about them."""
    return session.scalars(
        select(AuditEntry)
        .where(
            or_(
                AuditEntry.actor_id == user_id,
                (AuditEntry.target_type == "user") & (AuditEntry.target_id == user_id),
            )
        )
        .order_by(AuditEntry.id)
    ).all()


def mentioning(
    session: Session, model: type[Any], column: InstrumentedAttribute[Any], needles: Sequence[str]
) -> Sequence[Any]:
    """Rows of `model` whose `column` (text, or JSON read as text) contains any of `needles`."""
    as_text: ColumnElement[str] = func.lower(cast(column, String))
    found = or_(*(as_text.contains(needle.lower(), autoescape=True) for needle in needles))
    return session.scalars(select(model).where(found)).all()


# --- erasure ---------------------------------------------------------------------------


def delete_tokens(session: Session, user_id: int) -> int:
    return _rowcount(session.execute(delete(ApiToken).where(ApiToken.user_id == user_id)))


def delete_password_resets(session: Session, user_id: int) -> int:
    return _rowcount(session.execute(delete(PasswordReset).where(PasswordReset.user_id == user_id)))


def delete_login_failures(session: Session, email_hash: str) -> int:
    return _rowcount(
        session.execute(delete(LoginFailure).where(LoginFailure.email_hash == email_hash))
    )


def delete_notifications(session: Session, user_id: int) -> int:
    return _rowcount(session.execute(delete(Notification).where(Notification.user_id == user_id)))


def delete_mail_to(session: Session, email: str) -> int:
    return _rowcount(
        session.execute(
            delete(OutboxMessage).where(func.lower(OutboxMessage.recipient) == email.lower())
        )
    )


def delete_xapi_statements(session: Session, user_id: int) -> int:
    return _rowcount(session.execute(delete(XapiStatement).where(XapiStatement.user_id == user_id)))


# --- retention -------------------------------------------------------------------------


def _delete_older(
    session: Session,
    model: type[Any],
    column: InstrumentedAttribute[Any],
    before: datetime | date,
    *extra: ColumnElement[bool],
    dry_run: bool,
) -> int:
    condition = [column < before, *extra]
    if dry_run:
        return int(session.scalar(select(func.count()).select_from(model).where(*condition)) or 0)
    return _rowcount(session.execute(delete(model).where(*condition)))


def old_audit_entries(session: Session, before: datetime, *, dry_run: bool) -> int:
    return _delete_older(session, AuditEntry, AuditEntry.at, before, dry_run=dry_run)


def old_login_failures(session: Session, before: datetime, *, dry_run: bool) -> int:
    return _delete_older(session, LoginFailure, LoginFailure.failed_at, before, dry_run=dry_run)


def old_sent_mail(session: Session, before: datetime, *, dry_run: bool) -> int:
    return _delete_older(
        session,
        OutboxMessage,
        OutboxMessage.sent_at,
        before,
        OutboxMessage.status == OutboxStatus.SENT,
        dry_run=dry_run,
    )


def old_notifications(session: Session, before: datetime, *, dry_run: bool) -> int:
    return _delete_older(session, Notification, Notification.created_at, before, dry_run=dry_run)


def old_metric_values(session: Session, before: date, *, dry_run: bool) -> int:
    """Reported values from before `before`; the newest per organisation and metric is in
    latest_metric_values, which this leaves alone."""
    return _delete_older(session, MetricValue, MetricValue.recorded_on, before, dry_run=dry_run)
