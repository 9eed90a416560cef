"""An organisation's position over time: a point per calculated day, under that day's rules.

Each day belongs to the groups the organisation was in that day (the run
recorded them): after it moves industry or size band, its earlier days show
in its old groups, and a group it was not in shows nothing for those days.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy.orm import Session

from opsportal.benchmarks import repository
from opsportal.benchmarks.published import GroupResult, PublishedDay
from opsportal.benchmarks.schemas import HistoryPoint
from opsportal.benchmarks.service.comparisons import known_metric, subject, view
from opsportal.benchmarks.service.reasons import day_kind
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
    placed = repository.placed_history(
        session, organization_id=asked.organization.id, days=calculated_days
    )
    nowhere = repository.PlacedDay(None, {})
    histories: dict[str, list[HistoryPoint]] = {}
    for metric in metrics:
        points = []
        for day in calculated_days:
            result = results.get((metric.name, day))
            that_day = placed.get(day, nowhere)
            position = that_day.positions.get(metric.name)
            # Each day under the organisation's groups of that day (view() reads them).
            published = PublishedDay(
                day,
                {metric.name: GroupResult.of(result)} if result is not None else {},
                {metric.name: position} if position is not None else {},
                that_day.membership,
            )
            if that_day.membership is not None and day_kind(asked, published) is None:
                # Not in this group that day: nothing, for staff too (no one's trend).
                points.append(_nothing(day))
                continue
            day_view = view(asked, metric, published)
            points.append(
                HistoryPoint(
                    calculated_for=day,
                    available=day_view.available,
                    your_value=day_view.your_value if day_view.available else None,
                    percentile=day_view.percentile,
                    percentile_estimated=day_view.percentile_estimated,
                    p25=day_view.p25,
                    median=day_view.median,
                    p75=day_view.p75,
                    peer_count=day_view.peer_count,
                    verdict=day_view.verdict,
                )
            )
        histories[metric.name] = points
    return histories


def _nothing(day: date) -> HistoryPoint:
    return HistoryPoint(
        calculated_for=day,
        available=False,
        your_value=None,
        percentile=None,
        percentile_estimated=None,
        p25=None,
        median=None,
        p75=None,
        peer_count=None,
        verdict=None,
    )
