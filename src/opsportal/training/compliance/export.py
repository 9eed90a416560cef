"""The compliance report as CSV: the API's fixed format, and the page's for people.

The API's `compliance.csv` (SPEC) keeps its camelCase columns, ids, status codes
and ISO-8601 timestamps for programs. The page's download is for a person with a
spreadsheet: column names and statuses in words, plain dates, and only the rows
the page shows under its filter. Both are spreadsheet-safe (`kit/csvsafe`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from opsportal.kit.csvsafe import csv_text
from opsportal.principal import Principal
from opsportal.training.compliance.report import ComplianceRow, organization_assignments
from opsportal.training.compliance.status import AssignmentStatus

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
    "Learner",
    "Email",
    "Track",
    "Status",
    "Due date",
    "Completed on",
    "Certificate expires on",
    "Assigned on",
    "Learner status",
)
STATUS_WORDS = {
    AssignmentStatus.NOT_STARTED: "Not started",
    AssignmentStatus.IN_PROGRESS: "In progress",
    AssignmentStatus.COMPLETED: "Completed",
    AssignmentStatus.OVERDUE: "Overdue",
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
    return "Current" if row.former is None else f"Former user ({row.former})"


def report_csv(rows: Sequence[ComplianceRow]) -> str:
    """The rows the page shows, in its order: one per learner and track, in words and dates."""
    return csv_text(
        HUMAN_COLUMNS,
        (
            (
                r.assignment.user_name,
                r.email,
                r.assignment.track_name,
                STATUS_WORDS[r.assignment.status],
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
