"""A day's organisation positions: written once by a run, read by every view of that day.

One row per organisation and day (see BenchmarkPosition). Its `placements`
column packs, for each metric of the run's `position_metrics` in order, a
12-byte record: the value (little-endian float64, NaN where the organisation
had none) and one percentile per cohort kind (int8, NOT_PLACED where it was
not placed). A run stores a whole day in one pass of numpy, and a reader
unpacks a row, or a whole day, with one `np.frombuffer`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from opsportal.benchmarks.aggregation import (
    COHORT_KINDS,
    NO_RANK,
    FloatArray,
    IntArray,
    RankArray,
)
from opsportal.models import BenchmarkPosition, BenchmarkRun

NOT_PLACED = NO_RANK
PLACEMENT = np.dtype([("value", "<f8"), ("percentiles", "i1", (len(COHORT_KINDS),))])
# Cohort kinds from the most specific down: an organisation's default peer group
# is the first of them in which the run placed any of its metrics.
DEFAULT_KIND_PREFERENCE = (3, 1, 2, 0)  # industry × size, industry, size, all customers
_SQLITE_CHUNK = 10_000
_PG_EPOCH = date(2000, 1, 1)
_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags, no header extension
_COPY_TRAILER = b"\xff\xff"
_COLUMNS = "calculated_for, organization_id, run_id, placements, lowest_default_percentile"


@dataclass(frozen=True)
class Position:
    """Where one organisation stood on one metric on one day."""

    value: float
    percentile_all: int | None
    percentile_sector: int | None
    percentile_band: int | None
    percentile_sector_band: int | None

    def percentile(self, kind: int) -> int | None:
        """The stored percentile in the group of cohort kind `kind` (COHORT_KINDS order)."""
        return (
            self.percentile_all,
            self.percentile_sector,
            self.percentile_band,
            self.percentile_sector_band,
        )[kind]


@dataclass(frozen=True)
class PositionColumns:
    """A run's positions column by column: one entry per organisation × metric placed."""

    organization_ids: IntArray
    metric_codes: IntArray  # index into metric_names
    values: FloatArray
    ranks: RankArray  # shape (n, 4): percentile per cohort kind, or NO_RANK
    metric_names: Sequence[str]

    def __len__(self) -> int:
        return int(self.organization_ids.shape[0])


@dataclass(frozen=True)
class PackedDay:
    """A day's positions as stored: one row per organisation."""

    organization_ids: IntArray
    placements: npt.NDArray[Any]  # shape (organisations, metrics) of PLACEMENT
    lowest_default: IntArray  # NOT_PLACED where no metric was placed in any group

    @property
    def row_bytes(self) -> int:
        """The length of one organisation's `placements`."""
        return int(self.placements.dtype.itemsize * self.placements.shape[1])


def _rows_of(organization_ids: IntArray) -> tuple[IntArray, IntArray]:
    """The distinct organisations, ascending, and each entry's row among them.

    Ids are a dense autoincrement, so a presence table does in one pass what
    np.unique does with a sort; very sparse ids fall back to the sort.
    """
    if organization_ids.size == 0 or organization_ids.max() > 4 * organization_ids.size + 1024:
        organizations, row = np.unique(organization_ids, return_inverse=True)
        return organizations.astype(np.int64), row.astype(np.int64)
    present = np.zeros(int(organization_ids.max()) + 1, dtype=bool)
    present[organization_ids] = True
    row_of_id = np.cumsum(present) - 1
    return np.flatnonzero(present).astype(np.int64), row_of_id[organization_ids]


def pack(positions: PositionColumns) -> PackedDay:
    """Gather each organisation's entries into its row, with its default group's lowest rank."""
    organizations, row = _rows_of(positions.organization_ids)
    table = np.empty((organizations.size, len(positions.metric_names)), dtype=PLACEMENT)
    table["value"] = np.nan
    table["percentiles"] = NOT_PLACED
    table["value"][row, positions.metric_codes] = positions.values
    table["percentiles"][row, positions.metric_codes] = positions.ranks
    # As unsigned bytes NOT_PLACED (-1) reads 255, above every rank (0..100), so
    # the lowest over metrics is the lowest placed rank, or 255 where none was.
    as_unsigned = table["percentiles"].view(np.uint8)
    lowest_of_kind = as_unsigned[:, 0, :].copy()
    for metric in range(1, as_unsigned.shape[1]):
        np.minimum(lowest_of_kind, as_unsigned[:, metric, :], out=lowest_of_kind)
    lowest = np.full(organizations.size, NOT_PLACED, dtype=np.int64)
    for kind in reversed(DEFAULT_KIND_PREFERENCE):  # the most specific kind decides last
        in_kind = lowest_of_kind[:, kind]
        lowest = np.where(in_kind != 255, in_kind, lowest)
    return PackedDay(organizations, table, lowest)


def replace_positions(
    session: Session, *, day: date, run_id: int, positions: PositionColumns
) -> None:
    """Swap one day's positions for the run's: 200,000 rows at 200,000 customers.

    On PostgreSQL the rows go in as one binary COPY built by numpy, with no
    per-row Python; on SQLite as parameter tuples in chunks.
    """
    session.execute(delete(BenchmarkPosition).where(BenchmarkPosition.calculated_for == day))
    if not len(positions):
        return
    packed = pack(positions)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        driver: Any = connection.connection.driver_connection
        with driver.cursor() as cursor:
            statement = f"COPY benchmark_positions ({_COLUMNS}) FROM STDIN (FORMAT BINARY)"
            with cursor.copy(statement) as copy:
                copy.write(_copy_binary(day, run_id, packed))
        return
    width = packed.row_bytes
    blob = packed.placements.tobytes()
    lowest: list[int | None] = [
        None if rank == NOT_PLACED else rank for rank in packed.lowest_default.tolist()
    ]
    rows = [
        (day.isoformat(), organization_id, run_id, blob[i * width : (i + 1) * width], lowest[i])
        for i, organization_id in enumerate(packed.organization_ids.tolist())
    ]
    sql = f"INSERT INTO benchmark_positions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?)"
    for start in range(0, len(rows), _SQLITE_CHUNK):
        connection.exec_driver_sql(sql, rows[start : start + _SQLITE_CHUNK])


def _copy_binary(day: date, run_id: int, packed: PackedDay) -> bytes:
    """PostgreSQL's binary COPY stream of the packed rows (network byte order).

    Every field is fixed-width, so each row is one numpy record; rows whose
    lowest rank is NULL have one field shorter and are built as a second block.
    """
    width = packed.row_bytes
    placements = np.ascontiguousarray(packed.placements).view(np.dtype((np.void, width)))
    has_lowest = packed.lowest_default != NOT_PLACED
    blocks = [_COPY_SIGNATURE]
    for with_lowest in (True, False):
        chosen = has_lowest if with_lowest else ~has_lowest
        fields = [
            ("count", ">i2"),
            ("day_length", ">i4"),
            ("day", ">i4"),
            ("organization_length", ">i4"),
            ("organization", ">i4"),
            ("run_length", ">i4"),
            ("run", ">i4"),
            ("placements_length", ">i4"),
            ("placements", f"V{width}"),
            ("lowest_length", ">i4"),
        ]
        if with_lowest:
            fields.append(("lowest", ">i2"))
        rows = np.zeros(int(chosen.sum()), dtype=np.dtype(fields))
        rows["count"] = 5
        rows["day_length"], rows["day"] = 4, (day - _PG_EPOCH).days
        rows["organization_length"] = 4
        rows["organization"] = packed.organization_ids[chosen]
        rows["run_length"], rows["run"] = 4, run_id
        rows["placements_length"] = width
        rows["placements"] = placements[chosen].reshape(-1)
        if with_lowest:
            rows["lowest_length"] = 2
            rows["lowest"] = packed.lowest_default[chosen]
        else:
            rows["lowest_length"] = -1  # NULL
        blocks.append(rows.tobytes())
    blocks.append(_COPY_TRAILER)
    return b"".join(blocks)


def unpack(placements: bytes, metrics: Sequence[str]) -> dict[str, Position]:
    """One stored row's positions by metric name (metrics without a value left out).

    A row whose run recorded no matching layout cannot be read, and reads as
    no position rather than as another metric's numbers.
    """
    records = np.frombuffer(placements, dtype=PLACEMENT)
    if records.size != len(metrics):
        return {}
    return {
        metric: _position(record)
        for metric, record in zip(metrics, records.tolist(), strict=True)
        if not math.isnan(record[0])  # NaN: no value for this metric
    }


def _position(record: tuple[float, tuple[int, ...]]) -> Position:
    value, ranks = record
    kept = [None if rank == NOT_PLACED else rank for rank in ranks]
    return Position(value, kept[0], kept[1], kept[2], kept[3])


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
