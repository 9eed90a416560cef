"""Retention: rows kept no longer than the settings say, per kind; a dry run only counts them.

- audit: OPSPORTAL_RETENTION_AUDIT_DAYS, audit entries older than that;
- login_failures: OPSPORTAL_RETENTION_LOGIN_FAILURES_DAYS, failed logins older than that;
- sent_mail: OPSPORTAL_RETENTION_SENT_MAIL_DAYS, mail sent longer ago (failed mail stays);
- notifications: OPSPORTAL_RETENTION_NOTIFICATIONS_DAYS, notifications older than that;
- metric_history: OPSPORTAL_RETENTION_METRIC_HISTORY_DAYS, reported metric values recorded
  before that day (never the newest of an organisation and metric, kept apart).

An unset setting keeps that kind for ever.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from opsportal.audit import record
from opsportal.config import Settings
from opsportal.models.base import utcnow
from opsportal.privacy import repository


@dataclass(frozen=True)
class Kind:
    name: str
    setting: str
    days: Callable[[Settings], int | None]
    delete: Callable[..., int]
    by_day: bool = False  # the cutoff is a calendar day (metric values are dated, not timed)


KINDS: tuple[Kind, ...] = (
    Kind("audit", "retention_audit_days", lambda s: s.retention_audit_days,
         repository.old_audit_entries),
    Kind("login_failures", "retention_login_failures_days",
         lambda s: s.retention_login_failures_days, repository.old_login_failures),
    Kind("sent_mail", "retention_sent_mail_days", lambda s: s.retention_sent_mail_days,
         repository.old_sent_mail),
    Kind("notifications", "retention_notifications_days",
         lambda s: s.retention_notifications_days, repository.old_notifications),
    Kind("metric_history", "retention_metric_history_days",
         lambda s: s.retention_metric_history_days, repository.old_metric_values, by_day=True),
)  # fmt: skip


@dataclass(frozen=True)
class Applied:
    kind: str
    days: int | None  # None: kept for ever
    cutoff: datetime | date | None
    rows: int


def apply_retention(
    session: Session, *, settings: Settings, dry_run: bool, now: datetime | None = None
) -> list[Applied]:
    """Delete (or, with `dry_run`, count) what each kind's setting says is past its time."""
    now = now or utcnow()
    applied = []
    for kind in KINDS:
        days = kind.days(settings)
        if days is None:
            applied.append(Applied(kind.name, None, None, 0))
            continue
        cutoff: Any = now - timedelta(days=days)
        if kind.by_day:
            cutoff = cutoff.date()
        applied.append(
            Applied(kind.name, days, cutoff, kind.delete(session, cutoff, dry_run=dry_run))
        )
    if not dry_run and any(a.rows for a in applied):
        record(
            session,
            actor=None,
            action="retention.apply",
            target_type="retention",
            target_id=None,
            detail={a.kind: {"days": a.days, "deleted": a.rows} for a in applied if a.rows},
        )
    session.flush()
    return applied
