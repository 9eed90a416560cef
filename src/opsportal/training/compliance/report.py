"""Compliance reports: an organisation's assignments by user (JSON, CSV, page); the overview."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from opsportal.errors import Forbidden
from opsportal.models import Certificate, Organization, User
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


class RowFilter(enum.StrEnum):
    """What the compliance page can narrow its rows to."""

    INCOMPLETE = "incomplete"
    OVERDUE = "overdue"
    EXPIRING_30 = "expiring30"
    EXPIRING_60 = "expiring60"
    EXPIRING_90 = "expiring90"

    @property
    def expiring_days(self) -> int | None:
        if self in (RowFilter.INCOMPLETE, RowFilter.OVERDUE):
            return None
        return int(self.value.removeprefix("expiring"))


class FormerUsers(enum.StrEnum):
    """Whether the page lists what users who left the organisation completed."""

    INCLUDE = "include"
    EXCLUDE = "exclude"


@dataclass(frozen=True)
class ReportView:
    """The filter the compliance page shows; its CSV and "Remind all shown" apply the same."""

    show: RowFilter | None = None
    former: FormerUsers = FormerUsers.INCLUDE

    @property
    def with_former(self) -> bool:
        return self.former is FormerUsers.INCLUDE


@dataclass(frozen=True)
class ComplianceRow:
    assignment: AssignmentRead
    email: str
    # Why the learner no longer counts ("deactivated", "left the organisation"); None: current.
    former: str | None = None
    # The language the learner chose (users.locale): a reminder is written in it.
    locale: str | None = None


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
    session: Session, *, principal: Principal, organization_id: int, with_former: bool = False
) -> OrganizationAssignments:
    """Every counted assignment of the organisation (staff; its customer_admin), by due day.

    `with_former`: also what users who left it completed there (`former_rows`).
    """
    organization = managed_organization(session, principal, organization_id)
    assignments, _ = repository.list_assignments(session, organization_id=organization.id)
    now = utcnow()
    users = {a.user_id: a.user for a in assignments}
    rows = [
        ComplianceRow(read, users[read.user_id].email, locale=users[read.user_id].locale)
        for read in assignment_reads(session, assignments, now=now)
    ]
    if with_former:
        rows = sorted(
            rows + former_rows(session, organization_id=organization.id),
            key=lambda r: (r.assignment.due_on, r.assignment.user_name.lower(), r.assignment.id),
        )
    return OrganizationAssignments(organization, rows, now)


# Why a former user no longer counts (English, as the API says it; pages word it in
# the reader's language: `export.former_user`).
FORMER_DEACTIVATED = "deactivated"
FORMER_LEFT = "left the organisation"


def former_reason(user: User, organization_id: int) -> str | None:
    """Why a user no longer counts in the organisation's report; None while it does."""
    if not user.is_active:
        return FORMER_DEACTIVATED
    if user.organization_id != organization_id:
        return FORMER_LEFT
    return None


def former_rows(session: Session, *, organization_id: int) -> list[ComplianceRow]:
    """The assignments that users who left completed: history, not counted in the totals.

    Completed means the user holds or held an unrevoked certificate for the track;
    the row keeps that certificate's dates, whatever has happened to it since.
    """
    assignments = repository.former_assignments(session, organization_id=organization_id)
    if not assignments:
        return []
    newest: dict[tuple[int, int], Certificate] = {}
    for certificate in repository.certificates_of_users(session, {a.user_id for a in assignments}):
        pair = (certificate.user_id, certificate.track_id)
        held = newest.get(pair)
        if certificate.revoked_at is None and (
            held is None or certificate.issued_at > held.issued_at
        ):
            newest[pair] = certificate
    rows = []
    for a in assignments:
        done = newest.get((a.user_id, a.track_id))
        if done is None:
            continue
        read = AssignmentRead(
            id=a.id,
            track_id=a.track_id,
            track_name=a.track.name,
            user_id=a.user_id,
            user_name=a.user.name,
            organization_id=a.organization_id,
            due_on=a.due_on,
            status=AssignmentStatus.COMPLETED,
            assigned_at=a.assigned_at,
            completed_at=done.issued_at,
            certificate_expires_at=done.expires_at,
        )
        rows.append(
            ComplianceRow(read, a.user.email, former_reason(a.user, organization_id), a.user.locale)
        )
    return rows


def filter_rows(
    rows: Sequence[ComplianceRow], row_filter: RowFilter | None, *, now: datetime
) -> list[ComplianceRow]:
    if row_filter is None:
        return list(rows)
    if row_filter is RowFilter.INCOMPLETE:
        return [r for r in rows if r.assignment.status is not AssignmentStatus.COMPLETED]
    if row_filter is RowFilter.OVERDUE:
        return [r for r in rows if r.assignment.status is AssignmentStatus.OVERDUE]
    days = row_filter.expiring_days
    assert days is not None
    # A former user's certificate is history: nobody is to renew it.
    return [
        r for r in rows if r.former is None and expiring_within(r.assignment, now=now, days=days)
    ]


def shown_rows(
    session: Session, *, principal: Principal, organization_id: int, view: ReportView
) -> tuple[OrganizationAssignments, list[ComplianceRow]]:
    """The organisation's rows and those the page shows under `view`."""
    found = organization_assignments(
        session, principal=principal, organization_id=organization_id, with_former=view.with_former
    )
    return found, filter_rows(found.rows, view.show, now=found.now)


def report_of(found: OrganizationAssignments) -> ComplianceReport:
    current = [r for r in found.rows if r.former is None]
    reads = [r.assignment for r in current]
    statuses = [r.status for r in reads]
    users: dict[int, UserCompliance] = {}
    for row in current:
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
