"""positions: one row per organisation and day

Revision ID: 0015
Revises: 0014

A run stored one position row per organisation and metric (250,000 rows at
50,000 organisations), and storing them was most of a run's time. A day is now
one row per organisation: `placements` packs, for each metric of the run's
`position_metrics` in order, the value (little-endian float64, NaN for none)
and one int8 percentile per cohort kind (-1 for none), 12 bytes a metric. The
staff list's bottom-quartile filter reads `lowest_default_percentile`. The run
id ends the primary key, so a re-run's new rows never meet the rows it deletes
in the unique check.

Existing positions are packed day by day, under the run that published the
day; the downgrade unpacks them again.
Create Date: 2026-11-28 21:40:00
"""

import math
import struct
from collections.abc import Iterator, Sequence
from datetime import date
from itertools import groupby

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PLACEMENT = struct.Struct("<d4b")  # the value, then all / industry / size / industry × size
NOT_PLACED = -1
DEFAULT_KIND_PREFERENCE = (3, 1, 2, 0)  # the most specific kind the organisation was placed in
CHUNK = 5_000

runs = sa.table(
    "benchmark_runs",
    sa.column("id", sa.Integer),
    sa.column("calculated_for", sa.Date),
    sa.column("status", sa.String),
    sa.column("position_metrics", sa.JSON(none_as_null=True)),
)
RANK_COLUMNS = ("percentile_all", "percentile_sector", "percentile_band", "percentile_sector_band")


def _by_metric(name: str) -> sa.TableClause:
    """The old shape: one row per organisation, metric and day."""
    return sa.table(
        name,
        sa.column("calculated_for", sa.Date),
        sa.column("organization_id", sa.Integer),
        sa.column("metric", sa.String),
        sa.column("value", sa.Float),
        *(sa.column(c, sa.SmallInteger) for c in RANK_COLUMNS),
    )


def _by_organization(name: str) -> sa.TableClause:
    """The new shape: one row per organisation and day."""
    return sa.table(
        name,
        sa.column("calculated_for", sa.Date),
        sa.column("organization_id", sa.Integer),
        sa.column("run_id", sa.Integer),
        sa.column("placements", sa.LargeBinary),
        sa.column("lowest_default_percentile", sa.SmallInteger),
    )


def _rename_table(old: str, new: str) -> None:
    op.rename_table(old, new)
    if op.get_bind().dialect.name == "postgresql":  # a primary key's name is an index's name
        op.execute(f"ALTER TABLE {new} RENAME CONSTRAINT pk_{old} TO pk_{new}")


def _publishing_run(bind: sa.Connection, day: date) -> int | None:
    """The run whose positions a day holds: its newest successful run (any, failing that)."""
    newest = sa.select(sa.func.max(runs.c.id)).where(runs.c.calculated_for == day)
    found = bind.scalar(newest.where(runs.c.status == "SUCCEEDED")) or bind.scalar(newest)
    return None if found is None else int(found)


def _lowest_default(ranks: list[tuple[int, ...]]) -> int | None:
    for kind in DEFAULT_KIND_PREFERENCE:
        placed = [r[kind] for r in ranks if r[kind] != NOT_PLACED]
        if placed:
            return min(placed)
    return None


def _packed_rows(
    old: sa.TableClause, day: date, run_id: int, layout: list[str]
) -> Iterator[dict[str, object]]:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(old).where(old.c.calculated_for == day).order_by(old.c.organization_id)
    )
    for organization_id, entries in groupby(rows, key=lambda row: row.organization_id):
        found = {row.metric: row for row in entries}
        placements = []
        for metric in layout:
            row = found.get(metric)
            if row is None:
                placements.append((math.nan, NOT_PLACED, NOT_PLACED, NOT_PLACED, NOT_PLACED))
            else:
                ranks = [getattr(row, c) for c in RANK_COLUMNS]
                placements.append((row.value, *(NOT_PLACED if r is None else r for r in ranks)))
        yield {
            "calculated_for": day,
            "organization_id": organization_id,
            "run_id": run_id,
            "placements": b"".join(PLACEMENT.pack(*p) for p in placements),
            "lowest_default_percentile": _lowest_default([p[1:] for p in placements]),
        }


def _insert_in_chunks(table: sa.TableClause, rows: Iterator[dict[str, object]]) -> None:
    bind = op.get_bind()
    chunk: list[dict[str, object]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            bind.execute(sa.insert(table), chunk)
            chunk = []
    if chunk:
        bind.execute(sa.insert(table), chunk)


def upgrade() -> None:
    with op.batch_alter_table("benchmark_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("position_metrics", sa.JSON(none_as_null=True)))
    _rename_table("benchmark_positions", "benchmark_positions_by_metric")
    op.create_table(
        "benchmark_positions",
        sa.Column("calculated_for", sa.Date(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("placements", sa.LargeBinary(), nullable=False),
        sa.Column("lowest_default_percentile", sa.SmallInteger(), nullable=True),
        sa.PrimaryKeyConstraint(
            "calculated_for", "organization_id", "run_id", name=op.f("pk_benchmark_positions")
        ),
        sqlite_with_rowid=False,
    )
    bind = op.get_bind()
    old = _by_metric("benchmark_positions_by_metric")
    days = bind.scalars(sa.select(old.c.calculated_for).distinct()).all()
    for day in days:
        run_id = _publishing_run(bind, day)
        if run_id is None:  # positions of no recorded run: nothing could serve them
            continue
        layout = sorted(
            bind.scalars(sa.select(old.c.metric).where(old.c.calculated_for == day).distinct())
        )
        new = _by_organization("benchmark_positions")
        _insert_in_chunks(new, _packed_rows(old, day, run_id, layout))
        bind.execute(sa.update(runs).where(runs.c.id == run_id).values(position_metrics=layout))
    op.drop_table("benchmark_positions_by_metric")


def _unpacked_rows(packed: sa.TableClause) -> Iterator[dict[str, object]]:
    bind = op.get_bind()
    with_layout = sa.select(runs.c.id, runs.c.position_metrics).where(
        runs.c.position_metrics.is_not(None)
    )
    layouts = {row.id: row.position_metrics for row in bind.execute(with_layout)}
    for row in bind.execute(sa.select(packed)):
        layout = layouts.get(row.run_id, [])
        for metric, placement in zip(layout, PLACEMENT.iter_unpack(row.placements), strict=True):
            value, *ranks = placement
            if math.isnan(value):
                continue
            yield {
                "calculated_for": row.calculated_for,
                "organization_id": row.organization_id,
                "metric": metric,
                "value": value,
                **{
                    column: None if rank == NOT_PLACED else rank
                    for column, rank in zip(RANK_COLUMNS, ranks, strict=True)
                },
            }


def downgrade() -> None:
    _rename_table("benchmark_positions", "benchmark_positions_by_organization")
    op.create_table(
        "benchmark_positions",
        sa.Column("calculated_for", sa.Date(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=50), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        *(sa.Column(c, sa.SmallInteger(), nullable=True) for c in RANK_COLUMNS),
        sa.PrimaryKeyConstraint(
            "calculated_for", "organization_id", "metric", name=op.f("pk_benchmark_positions")
        ),
        sqlite_with_rowid=False,
    )
    packed = _by_organization("benchmark_positions_by_organization")
    _insert_in_chunks(_by_metric("benchmark_positions"), _unpacked_rows(packed))
    op.drop_table("benchmark_positions_by_organization")
    with op.batch_alter_table("benchmark_runs", schema=None) as batch_op:
        batch_op.drop_column("position_metrics")
