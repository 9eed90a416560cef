"""A day's published results and organisation positions: written by a run, read by every view."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import islice, repeat
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from opsportal.benchmarks.aggregation import FloatArray, IntArray
from opsportal.models import BenchmarkPosition, BenchmarkResult, Organization, OrganizationStatus

POSITION_CHUNK = 10_000
_POSITION_COLUMNS = (
    "calculated_for",
    "organization_id",
    "metric",
    "value",
    "percentile_all",
    "percentile_sector",
    "percentile_band",
    "percentile_sector_band",
)


def replace_results(session: Session, *, day: date, rows: Sequence[dict[str, Any]]) -> None:
    """Swap one day's results for `rows`; atomic with the caller's transaction."""
    session.execute(delete(BenchmarkResult).where(BenchmarkResult.calculated_for == day))
    if rows:
        session.execute(insert(BenchmarkResult), list(rows))


@dataclass(frozen=True)
class PositionColumns:
    """A run's positions column by column: one entry per organisation × metric placed."""

    organization_ids: IntArray
    metrics: list[str]  # metric names, aligned with the ids
    values: FloatArray
    ranks: IntArray  # shape (n, 4): percentile per cohort kind, or NO_RANK (-1)

    def __len__(self) -> int:
        return int(self.organization_ids.shape[0])


def replace_positions(session: Session, *, day: date, positions: PositionColumns) -> None:
    """Swap one day's organisation positions (a million rows at 200,000 customers).

    Built column by column — each column converted to text or Python values in
    one pass — because a Python loop formatting a million rows would cost more
    than the database's own work.
    """
    session.execute(delete(BenchmarkPosition).where(BenchmarkPosition.calculated_for == day))
    if not len(positions):
        return
    connection = session.connection()
    iso = day.isoformat()
    if connection.dialect.name == "postgresql":
        driver: Any = connection.connection.driver_connection
        columns = ", ".join(_POSITION_COLUMNS)
        with driver.cursor() as cursor:
            with cursor.copy(f"COPY benchmark_positions ({columns}) FROM STDIN") as copy:
                for lines in _copy_lines(iso, positions):
                    copy.write(lines)
        return
    placeholders = ", ".join("?" for _ in _POSITION_COLUMNS)
    sql = (
        f"INSERT INTO benchmark_positions ({', '.join(_POSITION_COLUMNS)}) VALUES ({placeholders})"
    )
    # -1 (no rank) as None, by list index: ranks are 0..100, so -1 picks the last entry.
    as_value: list[int | None] = [*range(101), None]
    rank_columns = [[as_value[r] for r in column] for column in positions.ranks.T.tolist()]
    rows = list(
        zip(
            repeat(iso),  # SQLAlchemy's Date is ISO text on SQLite
            positions.organization_ids.tolist(),
            positions.metrics,
            positions.values.tolist(),
            *rank_columns,
        )
    )
    for start in range(0, len(rows), POSITION_CHUNK):
        connection.exec_driver_sql(sql, rows[start : start + POSITION_CHUNK])


def _copy_lines(iso: str, positions: PositionColumns) -> Iterator[str]:
    """COPY text-format lines, in blocks.

    Ids and metric names need no escaping, repr() of a float is exact, NULL is \\N.
    """
    as_text = [str(r) for r in range(101)] + ["\\N"]
    ids = list(map(str, positions.organization_ids.tolist()))
    values = list(map(repr, positions.values.tolist()))
    ranks = [[as_text[r] for r in column] for column in positions.ranks.T.tolist()]
    rows = map("\t".join, zip(repeat(iso), ids, positions.metrics, values, *ranks))
    while block := list(islice(rows, POSITION_CHUNK)):
        yield "\n".join(block) + "\n"


def positions_of(
    session: Session, *, day: date, organization_id: int
) -> dict[str, BenchmarkPosition]:
    rows = session.scalars(
        select(BenchmarkPosition).where(
            BenchmarkPosition.calculated_for == day,
            BenchmarkPosition.organization_id == organization_id,
        )
    )
    return {row.metric: row for row in rows}


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


def position_history(
    session: Session, *, organization_id: int, metrics: Sequence[str], days: Sequence[date]
) -> dict[tuple[str, date], BenchmarkPosition]:
    """One organisation's stored positions on `metrics` on `days`, by (metric, day).

    The days are named rather than given as a range: the primary key starts with
    the day, so each named day is one direct lookup of (day, organisation).
    """
    if not days:
        return {}
    rows = session.scalars(
        select(BenchmarkPosition).where(
            BenchmarkPosition.calculated_for.in_(days),
            BenchmarkPosition.organization_id == organization_id,
            BenchmarkPosition.metric.in_(metrics),
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
