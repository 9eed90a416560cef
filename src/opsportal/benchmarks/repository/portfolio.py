"""Organisations of a peer group by where they stand: the portfolio and the group export."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from opsportal.models import BenchmarkPosition, Organization

# A percentile under this is the bottom quartile (see benchmarks/verdicts.py).
BOTTOM_QUARTILE_BELOW = 25


_PERCENTILE_OF_KIND = (
    BenchmarkPosition.percentile_all,
    BenchmarkPosition.percentile_sector,
    BenchmarkPosition.percentile_band,
    BenchmarkPosition.percentile_sector_band,
)


@dataclass(frozen=True)
class GroupSelection:
    """A peer group to list organisations of: the cohort kind and its industry and size bounds."""

    kind: int  # index into COHORT_KINDS: whose stored percentile places an organisation
    metric: str | None
    industry_sector: str | None
    employee_min: int | None
    employee_max: int | None


def _placed_in(group: GroupSelection, day: date, *columns: Any) -> Select[Any]:
    """`columns` of every organisation × metric placed in `group` on `day`."""
    percentile = _PERCENTILE_OF_KIND[group.kind]
    query = (
        select(*columns)
        .join(BenchmarkPosition, BenchmarkPosition.organization_id == Organization.id)
        .where(BenchmarkPosition.calculated_for == day, percentile.is_not(None))
    )
    if group.metric is not None:
        query = query.where(BenchmarkPosition.metric == group.metric)
    if group.industry_sector:
        query = query.where(Organization.industry_sector == group.industry_sector)
    if group.employee_min is not None:
        query = query.where(Organization.employee_count >= group.employee_min)
    if group.employee_max is not None:
        query = query.where(Organization.employee_count <= group.employee_max)
    return query


def portfolio(
    session: Session, *, day: date, group: GroupSelection, limit: int, offset: int
) -> tuple[list[tuple[Any, ...]], int]:
    """Organisations of a group by how many metrics sit in its bottom quartile, worst first.

    Rows: (id, name, industry, employees, metrics in the bottom quartile, metrics placed).
    """
    percentile = _PERCENTILE_OF_KIND[group.kind]
    bottom = func.sum(case((percentile < BOTTOM_QUARTILE_BELOW, 1), else_=0)).label("bottom")
    query = _placed_in(
        group,
        day,
        Organization.id,
        Organization.name,
        Organization.industry_sector,
        Organization.employee_count,
        bottom,
        func.count(percentile).label("placed"),
    ).group_by(Organization.id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(bottom.desc(), Organization.name, Organization.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return [tuple(row) for row in rows], total


def group_positions(
    session: Session, *, day: date, group: GroupSelection
) -> Iterator[tuple[Any, ...]]:
    """Every organisation × metric of a group on `day`, streamed from a server-side cursor.

    Rows: (id, externalId, name, industry, employees, metric, value, percentile).
    """
    query = _placed_in(
        group,
        day,
        Organization.id,
        Organization.external_id,
        Organization.name,
        Organization.industry_sector,
        Organization.employee_count,
        BenchmarkPosition.metric,
        BenchmarkPosition.value,
        _PERCENTILE_OF_KIND[group.kind],
    ).order_by(Organization.name, Organization.id, BenchmarkPosition.metric)
    result = session.execute(query, execution_options={"yield_per": 2000})
    for row in result:
        yield tuple(row)
