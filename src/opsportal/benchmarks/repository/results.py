"""A day's published group results: written by a run, read by every view."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from opsportal.models import BenchmarkResult, Organization, OrganizationStatus


def replace_results(session: Session, *, day: date, rows: Sequence[dict[str, Any]]) -> None:
    """Swap one day's results for `rows`; atomic with the caller's transaction."""
    session.execute(delete(BenchmarkResult).where(BenchmarkResult.calculated_for == day))
    if rows:
        session.execute(insert(BenchmarkResult), list(rows))


def results_for(
    session: Session, *, day: date, industry_sector: str, size_band: str
) -> dict[str, BenchmarkResult]:
    rows = session.scalars(
        select(BenchmarkResult).where(
            BenchmarkResult.calculated_for == day,
            BenchmarkResult.industry_sector == industry_sector,
            BenchmarkResult.size_band == size_band,
        )
    )
    return {row.metric: row for row in rows}


def result_history(
    session: Session, *, metrics: Sequence[str], industry_sector: str, size_band: str, since: date
) -> dict[tuple[str, date], BenchmarkResult]:
    """One group's published results of `metrics` since `since`, by (metric, day)."""
    rows = session.scalars(
        select(BenchmarkResult).where(
            BenchmarkResult.metric.in_(metrics),
            BenchmarkResult.industry_sector == industry_sector,
            BenchmarkResult.size_band == size_band,
            BenchmarkResult.calculated_for >= since,
        )
    )
    return {(row.metric, row.calculated_for): row for row in rows}


def active_sectors(session: Session) -> list[str]:
    query = (
        select(Organization.industry_sector)
        .where(
            Organization.status == OrganizationStatus.ACTIVE,
            Organization.industry_sector.is_not(None),
        )
        .distinct()
        .order_by(Organization.industry_sector)
    )
    return [sector for sector in session.scalars(query) if sector]
