"""Compliance reports: an organisation's assignments by user (JSON, CSV, page); the overview."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from opsportal.errors import Forbidden
from opsportal.kit.csvsafe import csv_text
from opsportal.models import Organization
from opsportal.models.base import utcnow
from opsportal.principal import Principal
from opsportal.training.compliance import repository
from opsportal.training.compliance.assignments import assignment_reads, managed_organization
from opsportal.training.compliance.schemas import (
    AssignmentRead,
    ComplianceReport,
    OrganizationCompliance,
    UserCompliance,
)
from opsportal.training.compliance.status import AssignmentStatus, completion_rate

EXPIRING_DAYS = 30
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


class RowFilter(enum.StrEnum):
    """What the compliance page can narrow its rows to."""

    OVERDUE = "overdue"
    EXPIRING_30 = "expiring30"
    EXPIRING_60 = "expiring60"
    EXPIRING_90 = "expiring90"

    @property
    def expiring_days(self) -> int | None:
        return None if self is RowFilter.OVERDUE else int(self.value.removeprefix("expiring"))


@dataclass(frozen=True)
class ComplianceRow:
    assignment: AssignmentRead
    email: str


@dataclass(frozen=True)
class OrganizationAssignments:
    organization: Organization
    rows: list[ComplianceRow]
    now: datetime


def expiring_within(read: AssignmentRead, *, now: datetime, days: int) -> bool:
    expires = read.certificate_expires_at
    return (
        read.status is AssignmentStatus.COMPLETED
        and expires is not None
        and expires <= now + timedelta(days=days)
    )


def organization_assignments(
    session: Session, *, principal: Principal, organization_id: int
) -> OrganizationAssignments:
    """Every counted assignment of the organisation (staff; its customer_admin), by due day."""
    organization = managed_organization(session, principal, organization_id)
    assignments, _ = repository.list_assignments(session, organization_id=organization.id)
    now = utcnow()
    emails = {a.user_id: a.user.email for a in assignments}
    rows = [
        ComplianceRow(read, emails[read.user_id])
        for read in assignment_reads(session, assignments, now=now)
    ]
    return OrganizationAssignments(organization, rows, now)


def filter_rows(
    rows: Sequence[ComplianceRow], row_filter: RowFilter | None, *, now: datetime
) -> list[ComplianceRow]:
    if row_filter is None:
        return list(rows)
    if row_filter is RowFilter.OVERDUE:
        return [r for r in rows if r.assignment.status is AssignmentStatus.OVERDUE]
    days = row_filter.expiring_days
    assert days is not None
    return [r for r in rows if expiring_within(r.assignment, now=now, days=days)]


def report_of(found: OrganizationAssignments) -> ComplianceReport:
    reads = [r.assignment for r in found.rows]
    statuses = [r.status for r in reads]
    users: dict[int, UserCompliance] = {}
    for row in found.rows:
        read = row.assignment
        entry = users.get(read.user_id) or UserCompliance(
            user_id=read.user_id,
            name=read.user_name,
            email=row.email,
            assigned=0,
            completed=0,
            overdue=0,
        )
        users[read.user_id] = entry.model_copy(
            update={
                "assigned": entry.assigned + 1,
                "completed": entry.completed + (read.status is AssignmentStatus.COMPLETED),
                "overdue": entry.overdue + (read.status is AssignmentStatus.OVERDUE),
            }
        )
    completed = statuses.count(AssignmentStatus.COMPLETED)
    return ComplianceReport(
        organization_id=found.organization.id,
        organization_name=found.organization.name,
        assigned=len(reads),
        completed=completed,
        in_progress=statuses.count(AssignmentStatus.IN_PROGRESS),
        not_started=statuses.count(AssignmentStatus.NOT_STARTED),
        overdue=statuses.count(AssignmentStatus.OVERDUE),
        expiring_within_30_days=sum(
            expiring_within(r, now=found.now, days=EXPIRING_DAYS) for r in reads
        ),
        completion_rate=completion_rate(completed, len(reads)),
        # Most overdue first, then by name: whom to chase.
        users=sorted(users.values(), key=lambda u: (-u.overdue, u.name.lower(), u.user_id)),
    )


def compliance_report(
    session: Session, *, principal: Principal, organization_id: int
) -> ComplianceReport:
    return report_of(
        organization_assignments(session, principal=principal, organization_id=organization_id)
    )


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


def compliance_overview(session: Session, *, principal: Principal) -> list[OrganizationCompliance]:
    """Every organisation with assignments (staff only), the most overdue first."""
    if not principal.is_staff:
        raise Forbidden("This needs one of the roles: admin, internal.")
    now = utcnow()
    totals = repository.organization_totals(session, at=now, today=now.date())
    rows = [
        OrganizationCompliance(
            organization_id=t.organization_id,
            organization_name=t.name,
            assigned=t.assigned,
            completed=t.completed,
            overdue=t.overdue,
            completion_rate=completion_rate(t.completed, t.assigned),
        )
        for t in totals
    ]
    return sorted(rows, key=lambda r: (-r.overdue, r.organization_name.lower(), r.organization_id))
