"""Positions stored one row per organisation: what the upgrade packs is what the views read.

Migration 0015 turns the earlier rows (one per organisation, metric and day)
into packed rows; an operator upgrading must find every organisation's value
and percentiles where they were, and a downgrade must give the rows back.
The migration test runs on the configured database: a throwaway SQLite file,
or a throwaway PostgreSQL database beside the test database.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from alembic import command
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import make_url

from opsportal.benchmarks.repository import PositionColumns, positions_of
from opsportal.benchmarks.repository.positions import unpack
from opsportal.benchmarks.repository.storing import pack
from opsportal.db import is_sqlite, make_engine, make_session_factory, session_scope
from opsportal.migrate import alembic_config
from opsportal.models import BenchmarkPosition
from tests.hypothesis_profiles import examples

DAY = date(2026, 11, 20)
RANKS = ("percentile_all", "percentile_sector", "percentile_band", "percentile_sector_band")
# (organisation, metric, value, all, industry, size, industry × size)
OLD_ROWS = [
    (1, "login_rate", 72.5, 60, 55, None, 40),
    (1, "case_on_time_rate", 91.0, 80, 75, None, 20),
    (2, "login_rate", 12.25, 5, None, 30, None),  # no industry on record
    (3, "case_resolution_time", 4.0, 50, None, None, None),
]
old_positions = sa.table(
    "benchmark_positions",
    *(sa.column(c) for c in ("calculated_for", "organization_id", "metric", "value", *RANKS)),
)
runs = sa.table(
    "benchmark_runs",
    *(
        sa.column(c)
        for c in (
            "id",
            "calculated_for",
            "status",
            "trigger",
            "started_at",
            "metrics_calculated",
            "cohorts_published",
            "cohorts_suppressed",
            "cohorts_withheld",
        )
    ),
)


@pytest.fixture
def scratch_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the kind under test."""
    if is_sqlite(database_url):
        yield f"sqlite:///{tmp_path / 'positions.db'}"
        return
    name = f"{make_url(database_url).database}_positions_migration"
    admin = sa.create_engine(
        make_url(database_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def _old_rows(conn: sa.Connection) -> list[tuple[Any, ...]]:
    query = sa.select(
        old_positions.c.organization_id, old_positions.c.metric, old_positions.c.value
    ).add_columns(*(old_positions.c[c] for c in RANKS))
    return sorted(tuple(row) for row in conn.execute(query))


def test_upgrading_packs_every_position_and_downgrading_gives_them_back(scratch_url: str) -> None:
    command.upgrade(alembic_config(scratch_url), "0014")
    engine = make_engine(scratch_url)
    try:
        with engine.begin() as conn:
            for run_id, status in ((1, "SUCCEEDED"), (2, "FAILED")):
                conn.execute(
                    sa.insert(runs).values(
                        id=run_id,
                        calculated_for=DAY,
                        status=status,
                        trigger="schedule",
                        started_at=datetime(2026, 11, 20, 2),
                        metrics_calculated=3,
                        cohorts_published=9,
                        cohorts_suppressed=0,
                        cohorts_withheld=0,
                    )
                )
            conn.execute(
                sa.insert(old_positions),
                [
                    {"calculated_for": DAY, "organization_id": o, "metric": m, "value": v}
                    | dict(zip(RANKS, ranks, strict=True))
                    for o, m, v, *ranks in OLD_ROWS
                ],
            )

        command.upgrade(alembic_config(scratch_url), "0015")
        with session_scope(make_session_factory(engine)) as session:
            first = positions_of(session, day=DAY, organization_id=1)
            assert set(first) == {"login_rate", "case_on_time_rate"}
            assert first["login_rate"].value == 72.5
            assert first["login_rate"].percentile_band is None
            assert first["case_on_time_rate"].percentile_sector_band == 20
            second = positions_of(session, day=DAY, organization_id=2)["login_rate"]
            assert (second.value, second.percentile_all, second.percentile_band) == (12.25, 5, 30)
            assert second.percentile_sector is None
            # The staff list's filter: the lowest rank in the most specific group placed.
            lowest = dict(
                session.execute(
                    sa.select(
                        BenchmarkPosition.organization_id,
                        BenchmarkPosition.lowest_default_percentile,
                    )
                ).all()
            )
            assert lowest == {1: 20, 2: 30, 3: 50}
            stored_under = set(session.scalars(sa.select(BenchmarkPosition.run_id)))
            assert stored_under == {1}  # the day's successful run, not the later failed one

        command.downgrade(alembic_config(scratch_url), "0014")
        with engine.connect() as conn:
            restored = _old_rows(conn)
        expected = sorted((o, m, v, *ranks) for o, m, v, *ranks in OLD_ROWS)
        assert [r[:2] for r in restored] == [e[:2] for e in expected]
        for got, want in zip(restored, expected, strict=True):
            assert math.isclose(got[2], want[2])
            assert got[3:] == want[3:]
    finally:
        engine.dispose()


@settings(max_examples=examples(60), deadline=None)
@given(
    entries=st.lists(
        st.tuples(
            st.integers(1, 400),  # organisation
            st.integers(0, 2),  # metric
            st.floats(-1e6, 1e6, allow_nan=False),
            st.lists(st.integers(-1, 100), min_size=4, max_size=4),
        ),
        max_size=60,
        unique_by=lambda entry: (entry[0], entry[1]),
    )
)
def test_a_packed_day_reads_back_as_each_organisation_was_placed(
    entries: list[tuple[int, int, float, list[int]]],
) -> None:
    metrics = ["login_rate", "case_on_time_rate", "case_resolution_time"]
    packed = pack(
        PositionColumns(
            organization_ids=np.array([e[0] for e in entries], dtype=np.int64),
            metric_codes=np.array([e[1] for e in entries], dtype=np.int64),
            values=np.array([e[2] for e in entries], dtype=np.float64),
            ranks=np.array([e[3] for e in entries], dtype=np.int8).reshape(-1, 4),
            metric_names=metrics,
        )
    )
    assert packed.organization_ids.tolist() == sorted({e[0] for e in entries})
    by_organization = {
        organization_id: unpack(row.tobytes(), metrics)
        for organization_id, row in zip(
            packed.organization_ids.tolist(), packed.placements, strict=True
        )
    }
    for organization_id, metric, value, ranks in entries:
        position = by_organization[organization_id][metrics[metric]]
        assert position.value == value
        assert [position.percentile(kind) for kind in range(4)] == [
            None if rank == -1 else rank for rank in ranks
        ]
    # The staff list's filter: the lowest rank in the most specific kind placed.
    for organization_id, lowest in zip(
        packed.organization_ids.tolist(), packed.lowest_default.tolist(), strict=True
    ):
        ranks_of = [e[3] for e in entries if e[0] == organization_id]
        expected = -1
        for kind in (3, 1, 2, 0):
            placed = [r[kind] for r in ranks_of if r[kind] != -1]
            if placed:
                expected = min(placed)
                break
        assert lowest == expected
