"""A day's organisation positions: written once by a run, read by every view of that day.

One row per organisation and day (see BenchmarkPosition). Its `placements`
column packs, for each metric of the run's `position_metrics` in order, a
12-byte record: the value (little-endian float64, NaN where the organisation
had none) and one percentile per cohort kind (int8, NOT_PLACED where it was
not placed). `customer_quartiles` packs, in the same order, what its customers
are shown of each of its groups: p25, median and p75 of the other members,
rounded (float32 × 3 per cohort kind, NaN where they are shown none). The row
also records the organisation's industry (a code into the run's
`position_sectors`) and employee count as the run saw them: its groups that
day. Every ACTIVE organisation gets a row, with or without values, so a re-run
of the day knows who was in which group. A run stores a whole day in one pass
of numpy, and a reader unpacks a row, or a whole day, with one `np.frombuffer`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from opsportal.benchmarks.aggregation import (
    COHORT_KINDS,
    NO_RANK,
    FloatArray,
    IntArray,
    RankArray,
)
from opsportal.benchmarks.quartiles import CUSTOMER_QUARTILES
from opsportal.models import BenchmarkPosition, BenchmarkRun

NOT_PLACED = NO_RANK
PLACEMENT = np.dtype([("value", "<f8"), ("percentiles", "i1", (len(COHORT_KINDS),))])
# What customers are shown per metric: p25, median and p75 in each cohort kind.
CUSTOMER_SHAPE = (len(COHORT_KINDS), len(CUSTOMER_QUARTILES))
CUSTOMER_DTYPE = np.dtype("<f4")
NO_SIZE = -1  # employee_count: no size on record (NULL is a day stored before memberships)
# Cohort kinds from the most specific down: an organisation's default peer group
# is the first of them in which the run placed any of its metrics.
DEFAULT_KIND_PREFERENCE = (3, 1, 2, 0)  # industry × size, industry, size, all customers


@dataclass(frozen=True)
class Position:
    """Where one organisation stood on one metric on one day."""

    value: float
    percentile_all: int | None
    percentile_sector: int | None
    percentile_band: int | None
    percentile_sector_band: int | None
    # Per cohort kind: the p25, median and p75 its customers are shown, or None.
    customer: tuple[tuple[float, float, float] | None, ...] = (None,) * len(COHORT_KINDS)

    def percentile(self, kind: int) -> int | None:
        """The stored percentile in the group of cohort kind `kind` (COHORT_KINDS order)."""
        return (
            self.percentile_all,
            self.percentile_sector,
            self.percentile_band,
            self.percentile_sector_band,
        )[kind]

    def customer_quartiles(self, kind: int) -> tuple[float, float, float] | None:
        """The quartiles of its other peers that customers are shown in that group, or None."""
        return self.customer[kind]


@dataclass(frozen=True)
class Membership:
    """An organisation's industry ("" for none) and size as a run saw them: its groups that day."""

    industry_sector: str
    employee_count: int | None


@dataclass(frozen=True)
class PlacedDay:
    """One organisation on one calculated day: its groups, and its positions by metric."""

    membership: Membership | None  # None: a day stored before memberships were recorded
    positions: dict[str, Position]


@dataclass(frozen=True)
class MembershipColumns:
    """Every organisation a run counted (each ACTIVE one), with the attributes it used."""

    organization_ids: IntArray
    sector_codes: IntArray  # index into sector_names, or ANY
    employee_counts: IntArray  # NO_SIZE where unknown
    sector_names: Sequence[str]


@dataclass(frozen=True)
class PositionColumns:
    """A run's positions column by column: one entry per organisation × metric placed."""

    organization_ids: IntArray
    metric_codes: IntArray  # index into metric_names
    values: FloatArray
    ranks: RankArray  # shape (n, 4): percentile per cohort kind, or NO_RANK
    metric_names: Sequence[str]
    # Shape (n, 4, 3): what customers are shown per cohort kind (NaN: nothing); None: nothing.
    customer_quartiles: npt.NDArray[np.float32] | None = None
    # Every organisation of the run, placed or not; None: the placed ones, no attributes.
    members: MembershipColumns | None = None

    def __len__(self) -> int:
        return int(self.organization_ids.shape[0])


def unpack(
    placements: bytes, metrics: Sequence[str], customer: bytes | None = None
) -> dict[str, Position]:
    """One stored row's positions by metric name (metrics without a value left out).

    A row whose run recorded no matching layout cannot be read, and reads as
    no position rather than as another metric's numbers. Without `customer`
    (a day stored before it was), customers are shown nothing.
    """
    records = np.frombuffer(placements, dtype=PLACEMENT)
    if records.size != len(metrics):
        return {}
    shown: list[Any] = [None] * len(metrics)
    if customer is not None:
        table = np.frombuffer(customer, dtype=CUSTOMER_DTYPE)
        if table.size == len(metrics) * int(np.prod(CUSTOMER_SHAPE)):
            shown = table.reshape(len(metrics), *CUSTOMER_SHAPE).tolist()
    return {
        metric: _position(record, quartiles)
        for metric, record, quartiles in zip(metrics, records.tolist(), shown, strict=True)
        if not math.isnan(record[0])  # NaN: no value for this metric
    }


def _position(
    record: tuple[float, tuple[int, ...]], customer: list[list[float]] | None
) -> Position:
    value, ranks = record
    kept = [None if rank == NOT_PLACED else rank for rank in ranks]
    if customer is None:
        return Position(value, kept[0], kept[1], kept[2], kept[3])
    shown = tuple(None if math.isnan(quartiles[0]) else _three(quartiles) for quartiles in customer)
    return Position(value, kept[0], kept[1], kept[2], kept[3], shown)


def _three(quartiles: list[float]) -> tuple[float, float, float]:
    return (float(quartiles[0]), float(quartiles[1]), float(quartiles[2]))


def unpack_day(placements: Sequence[bytes], metrics: Sequence[str]) -> npt.NDArray[Any]:
    """Rows of one layout at once: shape (rows, metrics) of PLACEMENT.

    Rows without a readable layout (see `unpack`) read as placed nowhere.
    """
    width = PLACEMENT.itemsize * len(metrics)
    if not metrics or any(len(row) != width for row in placements):
        return np.empty((len(placements), 0), dtype=PLACEMENT)
    return np.frombuffer(b"".join(placements), dtype=PLACEMENT).reshape(-1, len(metrics))


def day_layouts(session: Session, day: date) -> dict[int, list[str]]:
    """The metric order of the placements of each run of `day` that stored positions."""
    rows = session.execute(
        select(BenchmarkRun.id, BenchmarkRun.position_metrics).where(
            BenchmarkRun.calculated_for == day, BenchmarkRun.position_metrics.is_not(None)
        )
    )
    return {run_id: list(metrics) for run_id, metrics in rows}


def positions_of(session: Session, *, day: date, organization_id: int) -> dict[str, Position]:
    """One organisation's positions on `day`, by metric (empty when it was not placed)."""
    row = session.execute(
        select(BenchmarkPosition.placements, BenchmarkRun.position_metrics)
        .join(BenchmarkRun, BenchmarkRun.id == BenchmarkPosition.run_id)
        .where(
            BenchmarkPosition.calculated_for == day,
            BenchmarkPosition.organization_id == organization_id,
        )
    ).first()
    if row is None:
        return {}
    return unpack(row.placements, row.position_metrics or ())


def placed(
    placements: bytes,
    customer: bytes | None,
    sector_code: int | None,
    employee_count: int | None,
    layout: Sequence[str],
    sectors: Sequence[str],
) -> PlacedDay:
    membership = None
    if sector_code is not None:
        sector = sectors[sector_code] if 0 <= sector_code < len(sectors) else ""
        size = None if employee_count is None or employee_count == NO_SIZE else employee_count
        membership = Membership(sector, size)
    return PlacedDay(membership, unpack(placements, layout, customer))


_PLACED_COLUMNS = (
    BenchmarkPosition.placements,
    BenchmarkPosition.customer_quartiles,
    BenchmarkPosition.sector_code,
    BenchmarkPosition.employee_count,
    BenchmarkRun.position_metrics,
    BenchmarkRun.position_sectors,
)


def placed_day(session: Session, *, day: date, organization_id: int) -> PlacedDay:
    """One organisation on `day`: its groups and positions (nothing when it was not counted)."""
    row = session.execute(
        select(*_PLACED_COLUMNS)
        .join(BenchmarkRun, BenchmarkRun.id == BenchmarkPosition.run_id)
        .where(
            BenchmarkPosition.calculated_for == day,
            BenchmarkPosition.organization_id == organization_id,
        )
    ).first()
    if row is None:
        return PlacedDay(None, {})
    placements, customer, sector, employees, layout, sectors = row
    return placed(placements, customer, sector, employees, layout or (), sectors or ())


def placed_history(
    session: Session, *, organization_id: int, days: Sequence[date]
) -> dict[date, PlacedDay]:
    """`placed_day` of several days at once (one direct lookup of the primary key per day)."""
    if not days:
        return {}
    rows = session.execute(
        select(BenchmarkPosition.calculated_for, *_PLACED_COLUMNS)
        .join(BenchmarkRun, BenchmarkRun.id == BenchmarkPosition.run_id)
        .where(
            BenchmarkPosition.calculated_for.in_(days),
            BenchmarkPosition.organization_id == organization_id,
        )
    )
    return {
        day: placed(placements, customer, sector, employees, layout or (), sectors or ())
        for day, placements, customer, sector, employees, layout, sectors in rows
    }


def day_members(session: Session, *, day: date) -> MembershipColumns | None:
    """Who a stored day counted, with their industry and size then; None when it recorded none."""
    run = session.execute(
        select(BenchmarkRun.position_sectors)
        .join(BenchmarkPosition, BenchmarkPosition.run_id == BenchmarkRun.id)
        .where(BenchmarkPosition.calculated_for == day)
        .limit(1)
    ).first()
    if run is None or run[0] is None:
        return None
    rows = session.execute(
        select(
            BenchmarkPosition.organization_id,
            BenchmarkPosition.sector_code,
            BenchmarkPosition.employee_count,
        ).where(BenchmarkPosition.calculated_for == day)
    ).all()
    if any(sector is None for _, sector, _ in rows):
        return None
    return MembershipColumns(
        organization_ids=np.array([row[0] for row in rows], dtype=np.int64),
        sector_codes=np.array([row[1] for row in rows], dtype=np.int64),
        employee_counts=np.array([row[2] for row in rows], dtype=np.int64),
        sector_names=list(run[0]),
    )


def position_history(
    session: Session, *, organization_id: int, metrics: Sequence[str], days: Sequence[date]
) -> dict[tuple[str, date], Position]:
    """One organisation's stored positions on `metrics` on `days`, by (metric, day).

    The days are named rather than given as a range: the primary key starts with
    the day, so each named day is one direct lookup of (day, organisation).
    """
    if not days:
        return {}
    rows = session.execute(
        select(
            BenchmarkPosition.calculated_for,
            BenchmarkPosition.placements,
            BenchmarkRun.position_metrics,
        )
        .join(BenchmarkRun, BenchmarkRun.id == BenchmarkPosition.run_id)
        .where(
            BenchmarkPosition.calculated_for.in_(days),
            BenchmarkPosition.organization_id == organization_id,
        )
    )
    wanted = set(metrics)
    return {
        (metric, day): position
        for day, placements, layout in rows
        for metric, position in unpack(placements, layout or ()).items()
        if metric in wanted
    }
