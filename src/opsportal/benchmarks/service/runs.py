"""Benchmark runs: aggregate the fresh values, decide what customers see, publish the day.

`run_benchmarks` is a job that owns its transactions — the run is recorded in
one committed transaction, the day's results are replaced in a second one under
the run lock, and a failure is recorded in a third, so a failed run is visible
and leaves the previous results in place. `calculate_benchmarks` does the same
work inside a caller's transaction (the demo loader uses it).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from opsportal import audit
from opsportal.benchmarks import aggregation, privacy, repository
from opsportal.benchmarks.alerts import benchmark_drops
from opsportal.benchmarks.cohorts import band_codes
from opsportal.benchmarks.schemas import BenchmarkRunRead, CalculationSummary
from opsportal.config import Settings
from opsportal.db import SessionFactory, read_only, session_scope
from opsportal.errors import (
    BUSY_RETRY_AFTER_SECONDS,
    Conflict,
    DomainError,
    InvalidInput,
    is_busy_database,
)
from opsportal.kit.telemetry import BENCHMARK_RUN_SECONDS
from opsportal.metrics.computed import refresh_computed_values
from opsportal.metrics.registry import METRIC_NAMES, METRICS
from opsportal.metrics.service import EARLIEST_DAY, utc_today
from opsportal.models import BenchmarkRun, CustomerView, RunStatus
from opsportal.models.base import utcnow
from opsportal.principal import Principal
from opsportal.web.i18n import N_

logger = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 2000
# Runs started by a person, which the audit trail records (the schedule's are not).
MANUAL_TRIGGERS = frozenset({"api", "web", "cli"})


class RunFailed(DomainError):
    """The aggregation failed; it is recorded, and the previous results stay published."""

    status_code = 503
    title = "Benchmark run failed"
    slug = "benchmark-run-failed"


def _check_day(day: date) -> None:
    last = utc_today() + timedelta(days=1)
    if day < EARLIEST_DAY or day > last:
        raise InvalidInput(
            f"calculatedFor must be between {EARLIEST_DAY.isoformat()} and {last.isoformat()}.",
            field="calculatedFor",
        )


def aggregate_fresh_values(
    fresh: repository.FreshValues, *, settings: Settings
) -> aggregation.CohortStatistics:
    """Every metric × cohort statistic of the loaded latest values (pure numpy, no I/O)."""
    bands = settings.size_bands
    return aggregation.aggregate(
        fresh.values,
        fresh.metrics,
        fresh.sectors,
        band_codes(fresh.employee_counts, bands),
        n_sectors=len(fresh.sector_names),
        n_bands=len(bands),
        min_peers=settings.benchmark_min_peers,
        higher_is_better=[metric.higher_is_better for metric in METRICS],
    )


@dataclass(frozen=True)
class RunCounts:
    metrics_calculated: int
    cohorts_published: int
    cohorts_suppressed: int
    cohorts_withheld: int
    counted: dict[str, Any] | None = None


def _counted(fresh: repository.FreshValues, stats: aggregation.CohortStatistics) -> dict[str, Any]:
    """The organisations a run counted, and each metric's values and published groups."""
    values = np.bincount(fresh.metrics, minlength=len(METRIC_NAMES)).tolist()
    groups = np.bincount(stats.metric, minlength=len(METRIC_NAMES)).tolist()
    return {
        "organizations": int(fresh.members.organization_ids.shape[0]),
        "metrics": {
            name: {"values": int(values[i]), "groups": int(groups[i])}
            for i, name in enumerate(METRIC_NAMES)
            if values[i]
        },
    }


def _customer_views(
    stats: aggregation.CohortStatistics, *, settings: Settings
) -> tuple[list[CustomerView], int]:
    """What customers may see of each published group, and how many are withheld from them."""
    withheld_groups = privacy.withheld_from_customers(
        stats.census, min_peers=settings.benchmark_min_peers
    )
    # The published groups are the census groups of at least min_peers, in census order.
    withheld = withheld_groups[stats.census.count >= settings.benchmark_min_peers]
    quartiles = privacy.quartiles_for_customers(
        stats.count, min_peers_quartiles=settings.benchmark_min_peers_quartiles
    )
    views = [
        CustomerView.WITHHELD
        if hidden
        else CustomerView.QUARTILES
        if shown
        else CustomerView.PEER_COUNT_ONLY
        for hidden, shown in zip(withheld.tolist(), quartiles.tolist(), strict=True)
    ]
    return views, int(withheld.sum())


def _positions(
    fresh: repository.FreshValues,
    stats: aggregation.CohortStatistics,
    views: list[CustomerView],
) -> repository.PositionColumns:
    """Each organisation's value, its percentile in each of its groups, and what its customers
    are shown of each (the other members' quartiles, rounded), as the run saw them."""
    steps = [
        privacy.customer_step(METRICS[metric].unit, count)
        for metric, count in zip(stats.metric.tolist(), stats.count.tolist(), strict=True)
    ]
    shown = [view == CustomerView.QUARTILES for view in views]
    return repository.PositionColumns(
        organization_ids=fresh.organization_ids,
        metric_codes=fresh.metrics,
        values=fresh.values,
        ranks=stats.ranks,
        metric_names=METRIC_NAMES,
        customer_quartiles=privacy.customer_quartiles(
            stats.others_quartiles, stats.group_of, shown=shown, steps=steps
        ),
        members=fresh.members,
    )


def _compute_and_publish(session: Session, *, run: BenchmarkRun, settings: Settings) -> RunCounts:
    """Aggregate the fresh latest values and replace the run's day; returns the counts."""
    day = run.calculated_for
    since = day - timedelta(days=settings.benchmark_freshness_days)
    today = utc_today()
    # Computed metrics (training completion) are worked out for the day first,
    # then read like any imported value (a past day keeps those it had).
    refresh_computed_values(session, day=day, today=today)
    # A past day already calculated counts the organisations it counted, in the
    # groups they were in then; today, and a day never calculated, count those
    # ACTIVE now.
    members = repository.day_members(session, day=day) if day < today else None
    fresh = repository.load_fresh_values(
        session, since=since, until=day, metrics=METRIC_NAMES, members=members
    )
    stats = aggregate_fresh_values(fresh, settings=settings)
    views, withheld = _customer_views(stats, settings=settings)
    bands = settings.size_bands
    sector_names = fresh.sector_names
    calculated_at = utcnow()
    quantiles = stats.quantiles.tolist()
    rows: list[dict[str, Any]] = [
        {
            "calculated_for": day,
            "metric": METRIC_NAMES[int(stats.metric[i])],
            "industry_sector": sector_names[int(stats.sector[i])] if stats.sector[i] >= 0 else "",
            "size_band": bands[int(stats.band[i])].label if stats.band[i] >= 0 else "",
            "run_id": run.id,
            "calculated_at": calculated_at,
            "peer_count": int(stats.count[i]),
            "p25": float(stats.p25[i]),
            "median": float(stats.median[i]),
            "p75": float(stats.p75[i]),
            "mean": float(stats.mean[i]),
            "min": float(stats.minimum[i]),
            "max": float(stats.maximum[i]),
            "quantiles": quantiles[i],
            "customer_view": views[i],
        }
        for i in range(len(stats))
    ]
    repository.replace_results(session, day=day, rows=rows)
    positions = _positions(fresh, stats, views)
    run.position_metrics = list(positions.metric_names)
    run.position_sectors = list(fresh.members.sector_names)
    repository.replace_positions(session, day=day, run_id=run.id, positions=positions)
    return RunCounts(
        metrics_calculated=len(set(stats.metric.tolist())),
        cohorts_published=len(stats),
        cohorts_suppressed=stats.suppressed,
        cohorts_withheld=withheld,
        counted=_counted(fresh, stats),
    )


def _finish(run: BenchmarkRun, counts: RunCounts) -> None:
    run.metrics_calculated = counts.metrics_calculated
    run.cohorts_published = counts.cohorts_published
    run.cohorts_suppressed = counts.cohorts_suppressed
    run.cohorts_withheld = counts.cohorts_withheld
    run.counted = counts.counted
    run.status = RunStatus.SUCCEEDED
    run.finished_at = utcnow()


def _summary(run: BenchmarkRun, started: float) -> CalculationSummary:
    return CalculationSummary(
        run_id=run.id,
        calculated_for=run.calculated_for,
        metrics_calculated=run.metrics_calculated,
        cohorts_published=run.cohorts_published,
        cohorts_suppressed=run.cohorts_suppressed,
        cohorts_withheld=run.cohorts_withheld,
        duration_ms=round((time.perf_counter() - started) * 1000),
    )


def calculate_benchmarks(
    session: Session,
    *,
    settings: Settings,
    calculated_for: date | None = None,
    trigger: str = "manual",
) -> CalculationSummary:
    """Run the aggregation inside the caller's transaction (flushes, never commits)."""
    started = time.perf_counter()
    day = calculated_for or utc_today()
    _check_day(day)
    repository.acquire_run_lock(session)
    run = BenchmarkRun(calculated_for=day, status=RunStatus.RUNNING, trigger=trigger)
    session.add(run)
    session.flush()
    _finish(run, _compute_and_publish(session, run=run, settings=settings))
    session.flush()
    benchmark_drops(session, day=day, settings=settings)
    return _summary(run, started)


def run_benchmarks(
    session_factory: SessionFactory,
    *,
    settings: Settings,
    calculated_for: date | None = None,
    trigger: str = "manual",
    actor: Principal | None = None,
) -> CalculationSummary:
    """Calculate and publish one day's benchmarks (default: today, UTC) as a recorded run.

    A second run started meanwhile waits for the first (on PostgreSQL an
    advisory lock, on SQLite the write lock) and then replaces the day again.
    Raises RunFailed (after recording the failure) when the aggregation fails.
    A run started by hand (trigger api, web or cli) is audited as `actor`
    (None: the command line) in the transaction that records the run.
    """
    started = time.perf_counter()
    day = calculated_for or utc_today()
    _check_day(day)
    close_abandoned_runs(session_factory)

    def audit_start(db: Session | Connection, run_id: int) -> None:
        audit.record(
            db,
            actor=actor,
            action="benchmark_run.start",
            target_type="benchmark_run",
            target_id=run_id,
            detail={"calculatedFor": day, "trigger": trigger},
        )

    on_claim = audit_start if trigger in MANUAL_TRIGGERS else None
    try:
        with repository.claimed_run(
            session_factory, day=day, trigger=trigger, on_claim=on_claim
        ) as run_id:
            summary = _publish(session_factory, run_id=run_id, settings=settings, started=started)
    except RunFailed:
        BENCHMARK_RUN_SECONDS.labels("failed").observe(time.perf_counter() - started)
        raise
    except OperationalError as exc:  # recording the run found the database locked
        if "locked" in str(exc).lower():
            raise Conflict(N_("Another benchmark run is in progress; try again later.")) from exc
        raise
    BENCHMARK_RUN_SECONDS.labels("succeeded").observe(time.perf_counter() - started)
    logger.info(
        "benchmark run %s for %s: %s cohorts published, %s suppressed",
        summary.run_id,
        day,
        summary.cohorts_published,
        summary.cohorts_suppressed,
    )
    return summary


def _publish(
    session_factory: SessionFactory, *, run_id: int, settings: Settings, started: float
) -> CalculationSummary:
    """Compute and publish the claimed run's day under the run lock; record a failure."""
    try:
        with session_scope(session_factory) as session:
            repository.acquire_run_lock(session)
            run = repository.get_run(session, run_id)
            assert run is not None
            _finish(run, _compute_and_publish(session, run=run, settings=settings))
            # In the run's transaction: the alerts commit with the results, or neither does.
            benchmark_drops(session, day=run.calculated_for, settings=settings)
            return _summary(run, started)
    except Exception as exc:
        logger.exception("benchmark run %s failed", run_id)
        message = (str(exc) or type(exc).__name__)[:MAX_ERROR_LENGTH]
        day = _fail(session_factory, run_id=run_id, error=message)
        if isinstance(exc, DomainError):
            raise
        failure = RunFailed(
            f"The benchmark run for {day} failed ({message}); "
            "the previous results are still published."
        )
        if is_busy_database(exc):  # the database went away meanwhile: worth a retry
            failure.headers["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
        raise failure from exc


def _fail(session_factory: SessionFactory, *, run_id: int, error: str) -> str:
    with session_scope(session_factory) as session:
        failed = repository.get_run(session, run_id)
        if failed is None:
            return "that day"
        failed.status = RunStatus.FAILED
        failed.finished_at = utcnow()
        failed.error = error
        return failed.calculated_for.isoformat()


ABANDONED = (
    "The process running this calculation stopped before it finished (killed, or its "
    "server restarted); nothing of it was published and the previous results stayed."
)


def close_abandoned_runs(session_factory: SessionFactory) -> list[int]:
    """Mark FAILED every RUNNING run whose process is gone; returns their ids.

    Called before each run and when a server starts, so a run killed mid-way
    does not stay RUNNING in the history.
    """
    # Look without the write lock (a live run on SQLite holds it for its whole length).
    with session_scope(session_factory) as session:
        read_only(session)
        gone = [
            r.id
            for r in repository.running_runs(session)
            if repository.run_is_abandoned(session, r)
        ]
    closed = []
    if gone:
        with session_scope(session_factory) as session:
            for run_id in gone:
                run = repository.get_run(session, run_id)
                if run is not None and run.status == RunStatus.RUNNING:
                    run.status = RunStatus.FAILED
                    run.finished_at = utcnow()
                    run.error = ABANDONED
                    closed.append(run.id)
    if closed:
        logger.warning("closed benchmark runs %s: their process had stopped", closed)
    return closed


def list_runs(session: Session, *, limit: int = 50, offset: int = 0) -> list[BenchmarkRunRead]:
    """Run history, newest first."""
    runs, _ = repository.list_runs(session, limit=limit, offset=offset)
    return [BenchmarkRunRead.model_validate(run) for run in runs]
