"""Test data for benchmarks: organisations with metric values, loaded through the real ingestion."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy.orm import Session

from opsportal.metrics.service import ingest_values
from opsportal.models import Organization, OrganizationStatus
from tests.factories import create_organization


def add_values(session: Session, org: Organization, day: date, **values: float) -> None:
    ingest_values(session, rows=[(org.id, metric, value, day) for metric, value in values.items()])


def add_many(session: Session, rows: Iterable[tuple[Organization, str, float, date]]) -> None:
    ingest_values(session, rows=[(org.id, metric, value, day) for org, metric, value, day in rows])


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
