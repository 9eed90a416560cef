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
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from opsportal.benchmarks.aggregation import (
    ANY,
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
_SQLITE_CHUNK = 10_000
_PG_EPOCH = date(2000, 1, 1)
_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags, no header extension
_COPY_TRAILER = b"\xff\xff"
_COLUMNS = (
    "calculated_for, organization_id, run_id, placements, lowest_default_percentile, "
    "customer_quartiles, sector_code, employee_count"
)


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


@dataclass(frozen=True)
class PackedDay:
    """A day's positions as stored: one row per organisation."""

    organization_ids: IntArray
    placements: npt.NDArray[Any]  # shape (organisations, metrics) of PLACEMENT
    lowest_default: IntArray  # NOT_PLACED where no metric was placed in any group
    customer: npt.NDArray[np.float32]  # shape (organisations, metrics, 4, 3)
    sector_codes: IntArray  # ANY where none
    employee_counts: IntArray  # NO_SIZE where unknown

    @property
    def row_bytes(self) -> int:
        """The length of one organisation's `placements`."""
        return int(self.placements.dtype.itemsize * self.placements.shape[1])

    @property
    def customer_bytes(self) -> int:
        """The length of one organisation's `customer_quartiles`."""
        return int(CUSTOMER_DTYPE.itemsize * np.prod(self.customer.shape[1:]))


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
    """Gather each organisation's entries into its row, with its default group's lowest rank.

    With `members`, every member gets a row (those without values, placed nowhere).
    """
    members = positions.members
    everyone = (
        positions.organization_ids
        if members is None
        else np.concatenate([members.organization_ids, positions.organization_ids])
    )
    organizations, rows = _rows_of(everyone)
    row = rows[everyone.size - positions.organization_ids.size :]
    n_metrics = len(positions.metric_names)
    table = np.empty((organizations.size, n_metrics), dtype=PLACEMENT)
    table["value"] = np.nan
    table["percentiles"] = NOT_PLACED
    table["value"][row, positions.metric_codes] = positions.values
    table["percentiles"][row, positions.metric_codes] = positions.ranks
    customer = np.full((organizations.size, n_metrics, *CUSTOMER_SHAPE), np.nan, CUSTOMER_DTYPE)
    if positions.customer_quartiles is not None:
        customer[row, positions.metric_codes] = positions.customer_quartiles
    sector_codes = np.full(organizations.size, ANY, dtype=np.int64)
    employee_counts = np.full(organizations.size, NO_SIZE, dtype=np.int64)
    if members is not None:
        member_row = rows[: members.organization_ids.size]
        sector_codes[member_row] = members.sector_codes
        employee_counts[member_row] = members.employee_counts
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
    return PackedDay(organizations, table, lowest, customer, sector_codes, employee_counts)


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
    width, customer_width = packed.row_bytes, packed.customer_bytes
    blob = packed.placements.tobytes()
    customer = packed.customer.tobytes()
    lowest: list[int | None] = [
        None if rank == NOT_PLACED else rank for rank in packed.lowest_default.tolist()
    ]
    sectors, employees = packed.sector_codes.tolist(), packed.employee_counts.tolist()
    rows = [
        (
            day.isoformat(),
            organization_id,
            run_id,
            blob[i * width : (i + 1) * width],
            lowest[i],
            customer[i * customer_width : (i + 1) * customer_width],
            sectors[i],
            employees[i],
        )
        for i, organization_id in enumerate(packed.organization_ids.tolist())
    ]
    sql = f"INSERT INTO benchmark_positions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    for start in range(0, len(rows), _SQLITE_CHUNK):
        connection.exec_driver_sql(sql, rows[start : start + _SQLITE_CHUNK])


def _copy_binary(day: date, run_id: int, packed: PackedDay) -> bytes:
    """PostgreSQL's binary COPY stream of the packed rows (network byte order).

    Every field is fixed-width, so each row is one numpy record; rows whose
    lowest rank is NULL have one field shorter and are built as a second block.
    """
    width, customer_width = packed.row_bytes, packed.customer_bytes
    placements = np.ascontiguousarray(packed.placements).view(np.dtype((np.void, width)))
    customer = (
        np.ascontiguousarray(packed.customer)
        .reshape(packed.organization_ids.size, -1)
        .view(np.dtype((np.void, customer_width)))
    )
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
        fields += [
            ("customer_length", ">i4"),
            ("customer", f"V{customer_width}"),
            ("sector_length", ">i4"),
            ("sector", ">i2"),
            ("employees_length", ">i4"),
            ("employees", ">i4"),
        ]
        rows = np.zeros(int(chosen.sum()), dtype=np.dtype(fields))
        rows["count"] = 8
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
        rows["customer_length"] = customer_width
        rows["customer"] = customer[chosen].reshape(-1)
        rows["sector_length"], rows["sector"] = 2, packed.sector_codes[chosen]
        rows["employees_length"], rows["employees"] = 4, packed.employee_counts[chosen]
        blocks.append(rows.tobytes())
    blocks.append(_COPY_TRAILER)
    return b"".join(blocks)


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


def _placed(
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
    return _placed(placements, customer, sector, employees, layout or (), sectors or ())


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
        day: _placed(placements, customer, sector, employees, layout or (), sectors or ())
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
