"""Organisations, one at a time or a population of alike ones."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from opsportal.models import Organization, OrganizationStatus

_sequence = itertools.count(1)


def create_organization(
    session: Session,
    *,
    name: str | None = None,
    external_id: str | None = None,
    industry_sector: str | None = "Healthcare",
    employee_count: int | None = 250,
    status: OrganizationStatus = OrganizationStatus.ACTIVE,
) -> Organization:
    n = next(_sequence)
    organization = Organization(
        name=name or f"Organization {n}",
        external_id=external_id,
        industry_sector=industry_sector,
        employee_count=employee_count,
        status=status,
    )
    session.add(organization)
    session.flush()
    return organization


def organizations(
    session: Session,
    count: int,
    *,
    sector: str | None = "Healthcare",
    employees: int | None = 250,
    status: OrganizationStatus = OrganizationStatus.ACTIVE,
) -> list[Organization]:
    return [
        create_organization(
            session, industry_sector=sector, employee_count=employees, status=status
        )
        for _ in range(count)
    ]
