"""Benchmark runs (aggregate and publish) and comparisons (read where an organisation stands).

Runs: `run_benchmarks` is a job that owns its transactions — the run is
recorded in one committed transaction, the day's results are replaced in a
second one under the run lock, and a failure is recorded in a third, so a
failed run is visible and leaves the previous results in place.
`calculate_benchmarks` does the same work inside a caller's transaction
(the demo loader uses it).

Comparisons: the peer group is all ACTIVE customers unless an industry and/or
a size band is chosen; the numbers come from the newest successfully
calculated day.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from opsportal.auth.service import Principal
from opsportal.benchmarks import aggregation, repository
from opsportal.benchmarks.cohorts import (
    SizeBand,
    band_codes,
    describe_peer_group,
)
from opsportal.benchmarks.schemas import (
    BenchmarkComparison,
    BenchmarkRunRead,
    CalculationSummary,
    PeerGroupOptions,
    SizeBandRead,
    StaffBenchmarkComparison,
)
from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.errors import Conflict, DomainError, InvalidInput, NotFound
from opsportal.metrics import repository as metrics_repository
from opsportal.metrics.registry import METRIC_NAMES, METRICS, Metric, get_metric
from opsportal.metrics.service import EARLIEST_DAY, utc_today
from opsportal.models import BenchmarkRun, RunStatus
from opsportal.models.base import utcnow
from opsportal.tenants.service import get_organization

logger = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 2000


class RunFailed(DomainError):
    """The aggregation failed; it is recorded, and the previous results stay published."""

    status_code = 503
    title = "Benchmark run failed"
    slug = "benchmark-run-failed"


# ---------------------------------------------------------------- runs


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
    )


def _compute_and_publish(
    session: Session, *, run: BenchmarkRun, settings: Settings
) -> tuple[int, int, int]:
    """Aggregate the fresh latest values and replace the run's day; returns the counts."""
    day = run.calculated_for
    since = day - timedelta(days=settings.benchmark_freshness_days)
    fresh = repository.load_fresh_values(session, since=since, until=day, metrics=METRIC_NAMES)
    stats = aggregate_fresh_values(fresh, settings=settings)
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
        }
        for i in range(len(stats))
    ]
    repository.replace_results(session, day=day, rows=rows)
    metrics_calculated = len(set(stats.metric.tolist()))
    return metrics_calculated, len(stats), stats.suppressed


def _finish(run: BenchmarkRun, counts: tuple[int, int, int]) -> None:
    run.metrics_calculated, run.cohorts_published, run.cohorts_suppressed = counts
    run.status = RunStatus.SUCCEEDED
    run.finished_at = utcnow()


def _summary(run: BenchmarkRun, started: float) -> CalculationSummary:
    return CalculationSummary(
        run_id=run.id,
        calculated_for=run.calculated_for,
        metrics_calculated=run.metrics_calculated,
        cohorts_published=run.cohorts_published,
        cohorts_suppressed=run.cohorts_suppressed,
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
    return _summary(run, started)


def run_benchmarks(
    session_factory: SessionFactory,
    *,
    settings: Settings,
    calculated_for: date | None = None,
    trigger: str = "manual",
) -> CalculationSummary:
    """Calculate and publish one day's benchmarks (default: today, UTC) as a recorded run.

    A second run started meanwhile waits for the first (on PostgreSQL an
    advisory lock, on SQLite the write lock) and then replaces the day again.
    Raises RunFailed (after recording the failure) when the aggregation fails.
    """
    started = time.perf_counter()
    day = calculated_for or utc_today()
    _check_day(day)
    try:
        with session_scope(session_factory) as session:
            run = BenchmarkRun(calculated_for=day, status=RunStatus.RUNNING, trigger=trigger)
            session.add(run)
            session.flush()
            run_id = run.id
    except OperationalError as exc:
        if "locked" in str(exc).lower():
            raise Conflict("Another benchmark run is in progress; try again later.") from exc
        raise

    try:
        with session_scope(session_factory) as session:
            repository.acquire_run_lock(session)
            locked_run = repository.get_run(session, run_id)
            assert locked_run is not None
            _finish(locked_run, _compute_and_publish(session, run=locked_run, settings=settings))
            summary = _summary(locked_run, started)
    except Exception as exc:
        logger.exception("benchmark run %s for %s failed", run_id, day)
        message = (str(exc) or type(exc).__name__)[:MAX_ERROR_LENGTH]
        with session_scope(session_factory) as session:
            failed = repository.get_run(session, run_id)
            if failed is not None:
                failed.status = RunStatus.FAILED
                failed.finished_at = utcnow()
                failed.error = message
        if isinstance(exc, DomainError):
            raise
        raise RunFailed(
            f"The benchmark run for {day.isoformat()} failed ({message}); "
            "the previous results are still published."
        ) from exc
    logger.info(
        "benchmark run %s for %s: %s cohorts published, %s suppressed",
        summary.run_id,
        day,
        summary.cohorts_published,
        summary.cohorts_suppressed,
    )
    return summary


def list_runs(session: Session, *, limit: int = 50, offset: int = 0) -> list[BenchmarkRunRead]:
    """Run history, newest first."""
    runs, _ = repository.list_runs(session, limit=limit, offset=offset)
    return [BenchmarkRunRead.model_validate(run) for run in runs]


# ---------------------------------------------------------------- comparisons


def peer_group_options(session: Session, *, settings: Settings) -> PeerGroupOptions:
    """Industries that have active customers, and the configured size bands."""
    return PeerGroupOptions(
        industry_sectors=repository.active_sectors(session),
        size_bands=[
            SizeBandRead(label=b.label, employee_min=b.minimum, employee_max=b.maximum)
            for b in settings.size_bands
        ],
    )


def size_band_for(
    settings: Settings, *, employee_min: int | None, employee_max: int | None
) -> str | None:
    """The size band that employeeMin/employeeMax name exactly; 422 listing the bands otherwise."""
    if employee_min is None and employee_max is None:
        return None
    bands = settings.size_bands
    for band in bands:
        if employee_min == band.minimum and employee_max == band.maximum:
            return band.label
    choices = "; ".join(
        f"employeeMin={b.minimum}" + (f"&employeeMax={b.maximum}" if b.maximum else "")
        for b in bands
    )
    raise InvalidInput(
        "employeeMin and employeeMax must name one size band "
        f"({', '.join(b.label for b in bands)}): {choices}.",
        field="employeeMin",
        extra={"sizeBands": [b.label for b in bands]},
    )


def _resolve_band(settings: Settings, size_band: str | None) -> SizeBand | None:
    if not size_band:
        return None
    bands = settings.size_bands
    for band in bands:
        if band.label == size_band:
            return band
    raise InvalidInput(
        f"Unknown size band {size_band!r}; the bands are {', '.join(b.label for b in bands)}.",
        field="sizeBand",
    )


def _compare(
    session: Session,
    *,
    principal: Principal,
    organization_id: int,
    metrics: Sequence[Metric],
    industry_sector: str | None,
    size_band: str | None,
    settings: Settings,
) -> list[BenchmarkComparison]:
    organization = get_organization(session, principal=principal, organization_id=organization_id)
    band = _resolve_band(settings, size_band)
    sector = (industry_sector or "").strip() or None
    sector_exists = True
    if sector is not None:
        # Case-insensitive, reported back in the spelling the organisations use.
        known = {s.casefold(): s for s in repository.active_sectors(session)}
        sector_exists = sector.casefold() in known
        sector = known.get(sector.casefold(), sector)
    band_label = band.label if band else ""
    group_name = describe_peer_group(sector or "", band_label, None)

    day = repository.latest_calculated_day(session)
    results = (
        repository.results_for(session, day=day, industry_sector=sector or "", size_band=band_label)
        if day is not None and sector_exists
        else {}
    )
    own_values = metrics_repository.latest_values_of(session, organization.id)
    oldest_fresh = (
        day - timedelta(days=settings.benchmark_freshness_days) if day is not None else None
    )
    group_size: int | None = None  # counted only when a reason needs it

    comparisons: list[BenchmarkComparison] = []
    for metric in metrics:
        own = own_values.get(metric.name)
        fresh = own is not None and oldest_fresh is not None and own.recorded_on >= oldest_fresh
        result = results.get(metric.name)
        base: dict[str, Any] = {
            "metric": metric.name,
            "label": metric.label,
            "unit": metric.unit,
            "higher_is_better": metric.higher_is_better,
            "your_value": own.value if own is not None and fresh else None,
            "your_value_recorded_on": own.recorded_on if own is not None and fresh else None,
            "calculated_for": day,
            "filter_description": group_name,
        }
        reason: str | None = None
        if day is None:
            reason = "Benchmarks have not been calculated yet."
        elif not sector_exists:
            reason = f"There is no peer group {group_name}: no active customer is in it."
        elif not fresh:
            reason = (
                f"{organization.name} has no {metric.label.lower()} recorded in the "
                f"{settings.benchmark_freshness_days} days up to {day.isoformat()}."
            )
        elif result is None:
            if group_size is None:
                group_size = repository.count_active_organizations(
                    session,
                    industry_sector=sector,
                    employee_min=band.minimum if band else None,
                    employee_max=band.maximum if band else None,
                )
            if group_size == 0:
                reason = f"There is no peer group {group_name}: no active customer is in it."
            else:
                reason = (
                    f"Fewer than {settings.benchmark_min_peers} organizations in {group_name} "
                    f"have a recent {metric.label.lower()}, so this peer group is not "
                    "published, to protect their privacy."
                )
        if reason is not None or result is None or own is None:
            comparisons.append(_unavailable(principal, base, reason or "Not available."))
            continue
        percentile = aggregation.percentile_rank(
            own.value,
            result.quantiles,
            result.peer_count,
            higher_is_better=metric.higher_is_better,
        )
        shown: dict[str, Any] = {
            **base,
            "available": True,
            "percentile": percentile,
            "p25": result.p25,
            "median": result.median,
            "p75": result.p75,
            "peer_count": result.peer_count,
            "filter_description": describe_peer_group(sector or "", band_label, result.peer_count),
            "calculated_at": result.calculated_at,
        }
        if principal.is_staff:
            comparisons.append(
                StaffBenchmarkComparison(
                    **shown,
                    mean=result.mean,
                    min=result.min,
                    max=result.max,
                    quantiles=[float(q) for q in result.quantiles],
                )
            )
        else:
            comparisons.append(BenchmarkComparison(**shown))
    return comparisons


def _unavailable(principal: Principal, base: dict[str, Any], reason: str) -> BenchmarkComparison:
    if principal.is_staff:
        return StaffBenchmarkComparison(
            **base, available=False, reason=reason, mean=None, min=None, max=None, quantiles=None
        )
    return BenchmarkComparison(**base, available=False, reason=reason)


def compare_metric(
    session: Session,
    *,
    principal: Principal,
    organization_id: int,
    metric: str,
    industry_sector: str | None = None,
    size_band: str | None = None,
    settings: Settings,
) -> BenchmarkComparison:
    """One metric of one organisation against its peer group (staff get the extra statistics)."""
    found = get_metric(metric)
    if found is None:
        principal.require_organization(organization_id)
        raise NotFound(f"Unknown metric {metric!r}; the metrics are {', '.join(METRIC_NAMES)}.")
    return _compare(
        session,
        principal=principal,
        organization_id=organization_id,
        metrics=[found],
        industry_sector=industry_sector,
        size_band=size_band,
        settings=settings,
    )[0]


def compare_organization(
    session: Session,
    *,
    principal: Principal,
    organization_id: int,
    industry_sector: str | None = None,
    size_band: str | None = None,
    settings: Settings,
) -> list[BenchmarkComparison]:
    """Every metric of one organisation against its peer group, in registry order.

    With no industry and no size band the peer group is all active customers.
    `size_band` is a band label such as "101-500" (see `size_band_for`).
    """
    return _compare(
        session,
        principal=principal,
        organization_id=organization_id,
        metrics=METRICS,
        industry_sector=industry_sector,
        size_band=size_band,
        settings=settings,
    )
