"""Assignment and compliance schemas."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field

from opsportal.schemas import MAX_ID, ApiModel, InputModel
from opsportal.training.compliance.status import AssignmentStatus

MAX_USERS_PER_ASSIGN = 10_000
UserId = Annotated[int, Field(ge=1, le=MAX_ID)]


class AssignmentCreate(InputModel):
    track_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    organization_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    user_ids: Annotated[list[UserId] | None, Field(max_length=MAX_USERS_PER_ASSIGN)] = Field(
        default=None, description="These customer users of the organisation; omitted: all of them"
    )
    due_on: date


class AssignmentRead(ApiModel):
    id: int
    track_id: int
    track_name: str
    user_id: int
    user_name: str
    organization_id: int
    due_on: date
    status: AssignmentStatus
    assigned_at: datetime
    completed_at: datetime | None
    certificate_expires_at: datetime | None


class AssignmentsCreated(ApiModel):
    created: int
    assignments: list[AssignmentRead]


class UserCompliance(ApiModel):
    user_id: int
    name: str
    email: str
    assigned: int
    completed: int
    overdue: int


class ComplianceReport(ApiModel):
    organization_id: int
    organization_name: str
    assigned: int
    completed: int
    in_progress: int
    not_started: int
    overdue: int
    expiring_within_30_days: int
    completion_rate: float | None
    users: list[UserCompliance]


class OrganizationCompliance(ApiModel):
    """One row of the staff overview across organisations."""

    organization_id: int
    organization_name: str
    assigned: int
    completed: int
    overdue: int
    completion_rate: float | None
