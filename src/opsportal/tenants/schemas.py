"""Organisation schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from opsportal.models import OrganizationStatus
from opsportal.schemas import ApiModel, InputModel

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ExternalId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Sector = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
EmployeeCount = Annotated[int, Field(ge=1, le=10_000_000)]


class OrganizationCreate(InputModel):
    name: Name
    external_id: ExternalId | None = None
    industry_sector: Sector | None = None
    employee_count: EmployeeCount | None = None
    status: OrganizationStatus = OrganizationStatus.ACTIVE


class OrganizationUpdate(InputModel):
    name: Name | None = None
    external_id: ExternalId | None = None
    industry_sector: Sector | None = None
    employee_count: EmployeeCount | None = None
    status: OrganizationStatus | None = None


class OrganizationRead(ApiModel):
    id: int
    external_id: str | None
    name: str
    industry_sector: str | None
    employee_count: int | None
    status: OrganizationStatus
    created_at: datetime
