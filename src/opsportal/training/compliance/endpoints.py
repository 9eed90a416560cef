"""Assignment and compliance routes (JSON and CSV)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from opsportal.auth.deps import CurrentUser, StaffUser
from opsportal.deps import IdQuery, Limit, Offset, ResourceId, SessionDep
from opsportal.kit.downloads import csv_download, download_route
from opsportal.schemas import Page
from opsportal.training.compliance import assignments, export, report
from opsportal.training.compliance.schemas import (
    AssignmentCreate,
    AssignmentRead,
    AssignmentsCreated,
    ComplianceReport,
    OrganizationCompliance,
)
from opsportal.training.compliance.status import AssignmentStatus

router = APIRouter(prefix="/api/v1/training", tags=["training compliance"])


@router.post("/assignments", status_code=201, response_model=AssignmentsCreated)
def assign_track(
    body: AssignmentCreate, session: SessionDep, user: CurrentUser
) -> AssignmentsCreated:
    """Assign a track to an organisation's customer users (all, or `userIds`) due on `dueOn`.

    Staff for any organisation, a customer_admin for its own. Assigning a track
    a user has already moves that assignment's due day.
    """
    return assignments.assign_track(session, principal=user, data=body)


@router.get("/assignments", response_model=Page[AssignmentRead])
def list_assignments(
    session: SessionDep,
    user: CurrentUser,
    organization_id: Annotated[IdQuery | None, Query(alias="organizationId")] = None,
    user_id: Annotated[IdQuery | None, Query(alias="userId")] = None,
    status: AssignmentStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[AssignmentRead]:
    """Assignments, soonest due first; a status filter applies to the status as derived now.

    Staff see any organisation's, a customer_admin its organisation's, a customer its own.
    """
    return assignments.list_assignments(
        session,
        principal=user,
        organization_id=organization_id,
        user_id=user_id,
        status=status,
        limit=limit,
        offset=offset,
    )


@router.get("/compliance/organizations", response_model=list[OrganizationCompliance])
def compliance_overview(session: SessionDep, staff: StaffUser) -> list[OrganizationCompliance]:
    """Every organisation with assignments, the most overdue first (staff)."""
    return report.compliance_overview(session, principal=staff)


@router.get("/compliance/organizations/{org_id}", response_model=ComplianceReport)
def compliance_report(
    org_id: ResourceId, session: SessionDep, user: CurrentUser
) -> ComplianceReport:
    """One organisation's training compliance (staff; the organisation's customer_admin)."""
    return report.compliance_report(session, principal=user, organization_id=org_id)


@router.get("/compliance/organizations/{org_id}/compliance.csv", **download_route("text/csv"))
def compliance_csv(org_id: ResourceId, session: SessionDep, user: CurrentUser) -> Response:
    """The compliance report as CSV, one row per user and track."""
    body = export.compliance_csv(session, principal=user, organization_id=org_id)
    return csv_download(body, filename=f"compliance-{org_id}.csv")
