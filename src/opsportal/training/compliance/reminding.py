"""A manager's **Remind**: the training reminder, sent now to learners with open assignments.

The words are the daily job's (`reminders.assignment_reminder`), sent the same
way (an in-app notification and an email through the outbox). A learner is
reminded at most once per `REMIND_WINDOW`, counting the daily job's assignment
reminders too: a second click, or a colleague's, is told when the learner was
reminded and when they may be again. Each reminder is recorded in
`training_reminders_sent` (kind `assignment_manual`) and the action audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from opsportal import audit
from opsportal.config import Settings
from opsportal.errors import NotFound
from opsportal.i18n import recipient_locale
from opsportal.models.base import utcnow
from opsportal.notifications.service import notify_users
from opsportal.principal import Principal
from opsportal.training.compliance import reminder_repository
from opsportal.training.compliance.reminders import (
    ASSIGNMENT_DUE,
    ASSIGNMENT_OVERDUE,
    assignment_reminder,
)
from opsportal.training.compliance.report import (
    ComplianceRow,
    OrganizationAssignments,
    ReportView,
    organization_assignments,
    shown_rows,
)
from opsportal.training.compliance.status import AssignmentStatus

MANUAL = "assignment_manual"
REMIND_WINDOW = timedelta(hours=24)
# The reminders that count towards the window: about assignments, by the job or by hand.
COUNTED = (ASSIGNMENT_DUE, ASSIGNMENT_OVERDUE, MANUAL)


@dataclass(frozen=True)
class Waiting:
    """A learner not reminded now: reminded at `last`, again from `again`."""

    name: str
    last: datetime
    again: datetime


@dataclass(frozen=True)
class RemindOutcome:
    """Who was reminded (names), how many reminders went, who waits (the page words it)."""

    reminded: list[str]
    reminders: int
    waiting: list[Waiting]


def _open(rows: Sequence[ComplianceRow]) -> list[ComplianceRow]:
    return [
        r
        for r in rows
        if r.former is None and r.assignment.status is not AssignmentStatus.COMPLETED
    ]


def remind_learner(
    session: Session,
    *,
    principal: Principal,
    organization_id: int,
    user_id: int,
    settings: Settings,
) -> RemindOutcome:
    """Remind one current learner of the organisation about each of their open assignments."""
    found = organization_assignments(session, principal=principal, organization_id=organization_id)
    rows = [r for r in found.rows if r.assignment.user_id == user_id]
    if not rows:
        raise NotFound(f"User {user_id} not found.")
    return _remind(session, principal=principal, found=found, rows=_open(rows), settings=settings)


def remind_shown(
    session: Session,
    *,
    principal: Principal,
    organization_id: int,
    view: ReportView,
    settings: Settings,
) -> RemindOutcome:
    """Remind every learner with an open assignment among the rows the page shows under `view`."""
    found, rows = shown_rows(
        session, principal=principal, organization_id=organization_id, view=view
    )
    return _remind(session, principal=principal, found=found, rows=_open(rows), settings=settings)


def _remind(
    session: Session,
    *,
    principal: Principal,
    found: OrganizationAssignments,
    rows: list[ComplianceRow],
    settings: Settings,
) -> RemindOutcome:
    """Flushes, never commits. Holds the learners' rows while it checks and records the window,
    so two managers clicking at once send one reminder (SQLite: the write lock does it)."""
    now = utcnow()
    by_user: dict[int, list[ComplianceRow]] = {}
    for row in rows:
        by_user.setdefault(row.assignment.user_id, []).append(row)
    if not by_user:
        return RemindOutcome([], 0, [])
    reminder_repository.lock_users(session, by_user)
    last = reminder_repository.last_reminded(
        session, user_ids=by_user, kinds=COUNTED, since=now - REMIND_WINDOW
    )
    reminded: list[str] = []
    waiting: list[Waiting] = []
    notices = []
    for user_id, own in sorted(
        by_user.items(), key=lambda item: (item[1][0].assignment.user_name.lower(), item[0])
    ):
        name = own[0].assignment.user_name
        if user_id in last:
            waiting.append(Waiting(name, last[user_id], last[user_id] + REMIND_WINDOW))
            continue
        reminded.append(name)
        for row in own:
            words = assignment_reminder(
                row.assignment,
                email=row.email,
                today=now.date(),
                window=settings.reminder_due_days,
                locale=recipient_locale(row.locale, settings.default_locale),
            )
            reminder = replace(words, kind=MANUAL, item_key=f"{words.item_key}:{now.isoformat()}")
            reminder_repository.record_reminder(
                session, kind=MANUAL, item_key=reminder.item_key, user_id=user_id, now=now
            )
            notices.append(reminder.notice(base_url=settings.public_base_url))
    notify_users(session, notices)
    if notices:
        audit.record(
            session,
            actor=principal,
            action="training_assignment.remind",
            target_type="organization",
            target_id=found.organization.id,
            detail={
                "userIds": sorted(u for u in by_user if u not in last),
                "reminders": len(notices),
                "notRemindedUserIds": sorted(last),
            },
        )
    session.flush()
    return RemindOutcome(reminded, len(notices), waiting)
