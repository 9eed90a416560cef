"""Storing a run's positions: packed per organisation, written by COPY (PostgreSQL) or in chunks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import delete
from sqlalchemy.orm import Session

from opsportal.benchmarks.aggregation import (
    ANY,
    IntArray,
)
from opsportal.benchmarks.repository.positions import (
    CUSTOMER_DTYPE,
    CUSTOMER_SHAPE,
    DEFAULT_KIND_PREFERENCE,
    NO_SIZE,
    NOT_PLACED,
    PLACEMENT,
    PositionColumns,
)
from opsportal.models import BenchmarkPosition

_SQLITE_CHUNK = 10_000


_PG_EPOCH = date(2000, 1, 1)


_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags, no header extension


_COPY_TRAILER = b"\xff\xff"


_COLUMNS = (
    "calculated_for, organization_id, run_id, placements, lowest_default_percentile, "
    "customer_quartiles, sector_code, employee_count"
)


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
