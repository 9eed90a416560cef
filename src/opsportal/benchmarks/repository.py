"""Benchmark queries: fresh latest values, results per day and cohort, runs, the run lock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from opsportal.errors import Conflict
from opsportal.models import (
    BenchmarkResult,
    BenchmarkRun,
    LatestMetricValue,
    Organization,
    OrganizationStatus,
    RunStatus,
)

# pg_advisory_xact_lock key for "a benchmark run is writing" ("opsbench" in ASCII).
RUN_LOCK_KEY = 0x6F70736265
RUN_LOCK_WAIT = "120s"


@dataclass(frozen=True)
class FreshValues:
    """Column arrays of every ACTIVE organisation's latest, fresh values."""

    metrics: list[str]
    values: list[float]
    sectors: list[str | None]
    employee_counts: list[int | None]


def load_fresh_values(session: Session, *, since: date, until: date) -> FreshValues:
    """Latest value per ACTIVE organisation and metric, recorded within [since, until].

    Reads only the latest-value table (one row per organisation and metric),
    never the history.
    """
    query = (
        select(
            LatestMetricValue.metric,
            LatestMetricValue.value,
            Organization.industry_sector,
            Organization.employee_count,
        )
        .join(Organization, Organization.id == LatestMetricValue.organization_id)
        .where(
            Organization.status == OrganizationStatus.ACTIVE,
            LatestMetricValue.recorded_on >= since,
            LatestMetricValue.recorded_on <= until,
        )
    )
    rows = session.execute(query).tuples().all()
    if not rows:
        return FreshValues([], [], [], [])
    metrics, values, sectors, employees = zip(*rows, strict=True)
    return FreshValues(list(metrics), list(values), list(sectors), list(employees))


def acquire_run_lock(session: Session) -> None:
    """Hold the benchmark-run lock until this transaction ends; wait for a running one.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: every transaction
    already begins with BEGIN IMMEDIATE (see db.py), which holds the database's
    single write lock until commit, so starting the transaction is the lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        try:
            session.execute(text(f"SET LOCAL lock_timeout = '{RUN_LOCK_WAIT}'"))
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RUN_LOCK_KEY})
        except OperationalError as exc:
            raise Conflict("Another benchmark run is still in progress; try again later.") from exc
    else:
        session.execute(text("SELECT 1"))


def replace_results(session: Session, *, day: date, rows: Sequence[dict[str, Any]]) -> None:
    """Swap one day's results for `rows`; atomic with the caller's transaction."""
    session.execute(delete(BenchmarkResult).where(BenchmarkResult.calculated_for == day))
    if rows:
        session.execute(insert(BenchmarkResult), list(rows))


def latest_calculated_day(session: Session) -> date | None:
    return session.scalar(
        select(func.max(BenchmarkRun.calculated_for)).where(
            BenchmarkRun.status == RunStatus.SUCCEEDED
        )
    )


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


def count_active_organizations(
    session: Session,
    *,
    industry_sector: str | None,
    employee_min: int | None,
    employee_max: int | None,
) -> int:
    query = select(func.count(Organization.id)).where(
        Organization.status == OrganizationStatus.ACTIVE
    )
    if industry_sector is not None:
        query = query.where(Organization.industry_sector == industry_sector)
    if employee_min is not None:
        query = query.where(Organization.employee_count >= employee_min)
    if employee_max is not None:
        query = query.where(Organization.employee_count <= employee_max)
    return session.scalar(query) or 0


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


def get_run(session: Session, run_id: int) -> BenchmarkRun | None:
    return session.get(BenchmarkRun, run_id)


def list_runs(session: Session, *, limit: int, offset: int) -> tuple[list[BenchmarkRun], int]:
    total = session.scalar(select(func.count(BenchmarkRun.id))) or 0
    rows = session.scalars(
        select(BenchmarkRun)
        .order_by(BenchmarkRun.started_at.desc(), BenchmarkRun.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total
