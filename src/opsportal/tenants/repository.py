"""Organisation queries."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opsportal.models import Organization


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


def list_organizations(
    session: Session,
    *,
    search: str | None,
    only_id: int | None,
    limit: int,
    offset: int,
) -> tuple[list[Organization], int]:
    query = select(Organization)
    if only_id is not None:
        query = query.where(Organization.id == only_id)
    if search:
        escaped = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(func.lower(Organization.name).like(f"%{escaped}%", escape="\\"))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(func.lower(Organization.name), Organization.id).limit(limit).offset(offset)
    )
    return list(rows), total
