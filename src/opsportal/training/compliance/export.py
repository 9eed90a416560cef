"""The compliance report as CSV: the API's fixed format, and the page's for people.

The API's `compliance.csv` (SPEC) keeps its camelCase columns, ids, status codes
and ISO-8601 timestamps for programs. The page's download is for a person with a
spreadsheet: column names and statuses in words (the page's language, as the page
itself), plain dates, and only the rows the page shows under its filter. Both are
spreadsheet-safe (`kit/csvsafe`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from opsportal.kit.csvsafe import csv_text
from opsportal.principal import Principal
from opsportal.training.compliance.report import (
    FORMER_DEACTIVATED,
    FORMER_LEFT,
    ComplianceRow,
    organization_assignments,
)
from opsportal.training.compliance.status import AssignmentStatus
from opsportal.web.i18n import N_, _, pgettext

CSV_COLUMNS = (
    "userId",
    "name",
    "email",
    "trackId",
    "trackName",
    "dueOn",
    "status",
    "assignedAt",
    "completedAt",
    "certificateExpiresAt",
)

HUMAN_COLUMNS = (
    N_("Learner"),
    N_("Email"),
    N_("Track"),
    N_("Status"),
    N_("Due date"),
    N_("Completed on"),
    N_("Certificate expires on"),
    N_("Assigned on"),
    N_("Learner status"),
)


def status_words() -> dict[AssignmentStatus, str]:
    """Each status as a person reads it, in the current language (the pages and their CSV)."""
    return {
        AssignmentStatus.NOT_STARTED: pgettext("assignment status", "Not started"),
        AssignmentStatus.IN_PROGRESS: pgettext("assignment status", "In progress"),
        AssignmentStatus.COMPLETED: pgettext("assignment status", "Completed"),
        AssignmentStatus.OVERDUE: pgettext("assignment status", "Overdue"),
    }


def compliance_csv(session: Session, *, principal: Principal, organization_id: int) -> str:
    """One row per user and track; spreadsheet-safe (csvsafe)."""
    found = organization_assignments(session, principal=principal, organization_id=organization_id)
    rows = sorted(
        found.rows,
        key=lambda r: (
            r.assignment.user_name.lower(),
            r.assignment.user_id,
            r.assignment.track_name,
        ),
    )
    return csv_text(
        CSV_COLUMNS,
        (
            (
                r.assignment.user_id,
                r.assignment.user_name,
                r.email,
                r.assignment.track_id,
                r.assignment.track_name,
                r.assignment.due_on,
                r.assignment.status.value,
                r.assignment.assigned_at,
                r.assignment.completed_at,
                r.assignment.certificate_expires_at,
            )
            for r in rows
        ),
    )


def learner_status(row: ComplianceRow) -> str:
    if row.former is None:
        return pgettext("learner status", "Current")
    return former_user(row.former)


def former_user(reason: str) -> str:
    """ "Former user (deactivated)": `reason` is one of `report.former_reason`'s."""
    if reason == FORMER_DEACTIVATED:
        return _("Former user (deactivated)")
    if reason == FORMER_LEFT:
        return _("Former user (left the organisation)")
    return _("Former user (%(reason)s)", reason=reason)


def report_csv(rows: Sequence[ComplianceRow]) -> str:
    """The rows the page shows, in its order: one per learner and track, in words and dates."""
    words = status_words()
    return csv_text(
        [_(column) for column in HUMAN_COLUMNS],
        (
            (
                r.assignment.user_name,
                r.email,
                r.assignment.track_name,
                words[r.assignment.status],
                r.assignment.due_on,
                r.assignment.completed_at.date() if r.assignment.completed_at else None,
                (
                    r.assignment.certificate_expires_at.date()
                    if r.assignment.certificate_expires_at
                    else None
                ),
                r.assignment.assigned_at.date(),
                learner_status(r),
            )
            for r in rows
        ),
    )
