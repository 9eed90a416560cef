"""Benchmark runs and their published results."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    Enum,
    Float,
    ForeignKey,
    LargeBinary,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from opsportal.models.base import Base, utcnow


class RunStatus(enum.StrEnum):
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class CustomerView(enum.StrEnum):
    """What a customer may see of a published peer group (decided by the run)."""

    QUARTILES = "QUARTILES"  # percentile, peer count and p25/median/p75
    PEER_COUNT_ONLY = "PEER_COUNT_ONLY"  # the peer count: a small group (5 to 9)
    WITHHELD = "WITHHELD"  # nothing: complementary suppression, or a day from before these rules


class BenchmarkRun(Base):
    __tablename__ = "benchmark_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    calculated_for: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[RunStatus] = mapped_column(
        Enum(RunStatus, native_enum=False, length=20), default=RunStatus.RUNNING
    )
    trigger: Mapped[str] = mapped_column(String(20), default="manual")
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]
    metrics_calculated: Mapped[int] = mapped_column(default=0)
    cohorts_published: Mapped[int] = mapped_column(default=0)
    cohorts_suppressed: Mapped[int] = mapped_column(default=0)
    # Published groups withheld from customers by complementary suppression.
    cohorts_withheld: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    # "host:pid" of the process running it, so a run whose process died can be closed.
    worker: Mapped[str | None] = mapped_column(String(100))
    # The metrics of its positions' placements, in their order (BenchmarkPosition).
    position_metrics: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    # The industries its positions' sector codes index (BenchmarkPosition.sector_code).
    position_sectors: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    # What it counted: {"organizations": n, "metrics": {name: {"values": n, "groups": n}}}
    # (a later run of the day replaces its results, not this). None: recorded before it was.
    counted: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))


class ScheduledFiring(Base):
    """One claimed firing of a scheduled job: however many processes fire, one claims it."""

    __tablename__ = "scheduled_firings"

    job: Mapped[str] = mapped_column(String(50), primary_key=True)
    fire_time: Mapped[datetime] = mapped_column(primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    worker: Mapped[str] = mapped_column(String(100))


class BenchmarkResult(Base):
    """Peer statistics of one metric in one cohort on one day.

    A cohort is named by `industry_sector` and `size_band`, where the empty
    string means "any" (so "all customers" is ('', '')); empty strings rather
    than NULLs keep the primary key a plain unique key on both databases.
    """

    __tablename__ = "benchmark_results"

    calculated_for: Mapped[date] = mapped_column(Date, primary_key=True)
    metric: Mapped[str] = mapped_column(String(50), primary_key=True)
    industry_sector: Mapped[str] = mapped_column(String(100), primary_key=True)
    size_band: Mapped[str] = mapped_column(String(20), primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("benchmark_runs.id", ondelete="CASCADE"), index=True
    )
    calculated_at: Mapped[datetime]
    peer_count: Mapped[int]
    p25: Mapped[float] = mapped_column(Float)
    median: Mapped[float] = mapped_column(Float)
    p75: Mapped[float] = mapped_column(Float)
    mean: Mapped[float] = mapped_column(Float)
    min: Mapped[float] = mapped_column(Float)
    max: Mapped[float] = mapped_column(Float)
    # 101 points: the 0th, 1st, ..., 100th percentile (numpy's linear interpolation).
    quantiles: Mapped[list[Any]] = mapped_column(JSON)
    customer_view: Mapped[CustomerView] = mapped_column(
        Enum(CustomerView, native_enum=False, length=20), default=CustomerView.WITHHELD
    )


class BenchmarkPosition(Base):
    """Where one organisation stood on every metric on one calculated day.

    Written by the run from the values that went into the groups, and served as
    stored: a value reported later, or a question about another group, cannot
    move it. `placements` holds, for each metric of the run's
    `position_metrics` in order, the value (NaN: none) and one percentile per
    cohort kind (-1 where the organisation has no industry or size on record,
    or the group was not published); benchmarks/repository/positions.py reads
    and writes it. One row per organisation rather than per organisation and
    metric: storing a day is most of a run's cost, and it grows with rows.
    """

    __tablename__ = "benchmark_positions"
    # No index starting with the organisation: a run appends a whole day, which
    # such an index would take in scattered order. An organisation's trend names
    # its days, and the primary key finds each (repository.position_history).
    # The run id ends the key so that a re-run's rows never meet, in the unique
    # check, the rows it deletes in the same transaction: that check would visit
    # each deleted row, which made a re-run cost twice a new day. The run lock
    # and that delete keep one run's rows per day. No foreign key on run_id:
    # checking it would cost a lookup per row.
    __table_args__ = ({"sqlite_with_rowid": False},)

    calculated_for: Mapped[date] = mapped_column(Date, primary_key=True)
    organization_id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(primary_key=True)
    placements: Mapped[bytes] = mapped_column(LargeBinary)
    # The lowest percentile among its metrics in its default peer group (the
    # most specific one it was placed in): the staff list's bottom-quartile filter.
    lowest_default_percentile: Mapped[int | None] = mapped_column(SmallInteger)
    # What its customers are shown per metric and cohort kind: the other peers'
    # p25, median and p75, rounded (float32; NaN: nothing). NULL on days stored
    # before this was, which customers are shown nothing of.
    customer_quartiles: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Its groups that day: its industry (an index into the run's
    # `position_sectors`, -1 for none) and its employee count (-1: unknown).
    # NULL on days stored before memberships were recorded.
    sector_code: Mapped[int | None] = mapped_column(SmallInteger)
    employee_count: Mapped[int | None]
