"""Organisation queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from opsportal.models import Organization, OrganizationStatus

Sort = Literal["name", "size", "status"]
Row = TypeVar("Row", bound=tuple[Any, ...])


@dataclass(frozen=True)
class OrganizationFilter:
    """What the organisation list is narrowed to (None: any) and how it is sorted."""

    search: str | None = None
    industry_sector: str | None = None
    employee_min: int | None = None
    employee_max: int | None = None
    status: OrganizationStatus | None = None
    # Only the organisations this query of ids yields: a narrowing another domain
    # owns (the benchmarks' "bottom quartile"), so tenants need not know it.
    restrict_to: Select[tuple[int]] | None = None
    sort: Sort = "name"


def get_organization(session: Session, organization_id: int) -> Organization | None:
    return session.get(Organization, organization_id)


def get_by_external_id(session: Session, external_id: str) -> Organization | None:
    return session.scalars(
        select(Organization).where(Organization.external_id == external_id)
    ).first()


def by_external_ids(session: Session, external_ids: Iterable[str]) -> dict[str, Organization]:
    wanted = list(set(external_ids))
    found: dict[str, Organization] = {}
    # Chunked so the IN list stays within SQLite's bound-parameter limit.
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for org in session.scalars(select(Organization).where(Organization.external_id.in_(chunk))):
            assert org.external_id is not None
            found[org.external_id] = org
    return found


def industries(session: Session) -> list[str]:
    """Every industry on record, for the list's filter."""
    return list(
        session.scalars(
            select(Organization.industry_sector)
            .where(Organization.industry_sector.is_not(None))
            .distinct()
            .order_by(Organization.industry_sector)
        )
    )


def of_industry_and_size(
    query: Select[Row],
    *,
    industry_sector: str | None,
    employee_min: int | None,
    employee_max: int | None,
) -> Select[Row]:
    """`query` narrowed to organisations of this industry and size band (None or "": any)."""
    if industry_sector:
        query = query.where(Organization.industry_sector == industry_sector)
    if employee_min is not None:
        query = query.where(Organization.employee_count >= employee_min)
    if employee_max is not None:
        query = query.where(Organization.employee_count <= employee_max)
    return query


def _order(sort: Sort) -> list[Any]:
    by_name = [func.lower(Organization.name), Organization.id]
    if sort == "size":  # largest first, unknown sizes last
        return [Organization.employee_count.is_(None), Organization.employee_count.desc(), *by_name]
    if sort == "status":
        return [Organization.status, *by_name]
    return by_name


def list_organizations(
    session: Session,
    *,
    search: str | None = None,
    only_id: int | None,
    limit: int,
    offset: int,
    filters: OrganizationFilter | None = None,
) -> tuple[list[Organization], int]:
    chosen = filters or OrganizationFilter(search=search)
    query = select(Organization)
    if only_id is not None:
        query = query.where(Organization.id == only_id)
    if chosen.search:
        text = chosen.search.lower()
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(func.lower(Organization.name).like(f"%{escaped}%", escape="\\"))
    query = of_industry_and_size(
        query,
        industry_sector=chosen.industry_sector,
        employee_min=chosen.employee_min,
        employee_max=chosen.employee_max,
    )
    if chosen.status is not None:
        query = query.where(Organization.status == chosen.status)
    if chosen.restrict_to is not None:
        query = query.where(Organization.id.in_(chosen.restrict_to))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(*_order(chosen.sort)).limit(limit).offset(offset))
    return list(rows), total
