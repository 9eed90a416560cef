"""An organisation's position over time: a point per calculated day, under that day's rules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.orm import Session

from opsportal.benchmarks import repository
from opsportal.benchmarks.published import GroupResult, PublishedDay
from opsportal.benchmarks.schemas import HistoryPoint
from opsportal.benchmarks.service.comparisons import known_metric, subject, view
from opsportal.config import Settings
from opsportal.metrics.registry import Metric
from opsportal.metrics.service import utc_today
from opsportal.principal import Principal

MAX_HISTORY_DAYS = 731


def comparison_history(
    session: Session,
    *,
    principal: Principal,
    organization_id: int,
    metric: str,
    days: int,
    industry_sector: str | None = None,
    size_band: str | None = None,
    settings: Settings,
) -> list[HistoryPoint]:
    """One point per calculated day of the last `days`, oldest first, each under that day's rules.

    Every point is built by the same steps as a day's comparison, from what that
    day's run stored, so history shows a customer nothing its comparison would not.
    """
    found = known_metric(principal, organization_id=organization_id, metric=metric)
    return comparison_histories(
        session,
        principal=principal,
        organization_id=organization_id,
        metrics=[found],
        days=days,
        industry_sector=industry_sector,
        size_band=size_band,
        settings=settings,
    )[found.name]


def comparison_histories(
    session: Session,
    *,
    principal: Principal,
    organization_id: int,
    metrics: Sequence[Metric],
    days: int,
    industry_sector: str | None = None,
    size_band: str | None = None,
    settings: Settings,
) -> dict[str, list[HistoryPoint]]:
    """`comparison_history` of several metrics at once (the scorecard's trends), by metric name."""
    asked = subject(
        session,
        principal=principal,
        organization_id=organization_id,
        industry_sector=industry_sector,
        size_band=size_band,
        settings=settings,
    )
    since = utc_today() - timedelta(days=days)
    names = [metric.name for metric in metrics]
    results = repository.result_history(
        session,
        metrics=names,
        industry_sector=asked.group.sector,
        size_band=asked.group.band_label,
        since=since,
    )
    calculated_days = repository.calculated_days(session, since=since)
    positions = repository.position_history(
        session, organization_id=asked.organization.id, metrics=names, days=calculated_days
    )
    histories: dict[str, list[HistoryPoint]] = {}
    for metric in metrics:
        points = []
        for day in calculated_days:
            result, position = results.get((metric.name, day)), positions.get((metric.name, day))
            published = PublishedDay(
                day,
                {metric.name: GroupResult.of(result)} if result is not None else {},
                {metric.name: position} if position is not None else {},
            )
            day_view = view(asked, metric, published)
            points.append(
                HistoryPoint(
                    calculated_for=day,
                    available=day_view.available,
                    your_value=day_view.your_value if day_view.available else None,
                    percentile=day_view.percentile,
                    p25=day_view.p25,
                    median=day_view.median,
                    p75=day_view.p75,
                    peer_count=day_view.peer_count,
                    verdict=day_view.verdict,
                )
            )
        histories[metric.name] = points
    return histories
