"""An organisation's position over time: a point per calculated day, under that day's rules.

Each day belongs to the groups the organisation was in that day (the run
recorded them): after it moves industry or size band, its earlier days show
in its old groups, and a group it was not in shows nothing for those days.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from datetime import date, timedelta

from sqlalchemy.orm import Session

from opsportal.benchmarks import repository
from opsportal.benchmarks.published import GroupResult, PublishedDay
from opsportal.benchmarks.schemas import HistoryPoint
from opsportal.benchmarks.service.comparisons import known_metric, subject, view
from opsportal.benchmarks.service.reasons import Subject, day_kind
from opsportal.config import Settings
from opsportal.metrics.registry import Metric
from opsportal.metrics.service import utc_today
from opsportal.principal import Principal

MAX_HISTORY_DAYS = 731
# Trends kept per process (each a few hundred points): organisations × groups × spans.
MAX_CACHED_HISTORIES = 4_096

Histories = dict[str, list[HistoryPoint]]


class HistoryCache:
    """One process's copy of the trends it has built, until a run publishes again.

    A trend is built only from what runs stored, and a stored day never changes
    but through a new run. So a trend is kept under everything it was built from
    (the organisation, the viewer's kind, the group, the span, today) and the
    publication key (`repository.publications`), which every use checks with one
    small query: a new run changes it, here and in every other process or replica
    alike, and the next request builds afresh. Thread-safe; the points are shared,
    read-only, between requests.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._published: tuple[int, int | None] | None = None
        self._histories: OrderedDict[Hashable, Histories] = OrderedDict()

    def get(self, published: tuple[int, int | None], key: Hashable) -> Histories | None:
        with self._lock:
            if published != self._published:
                self._published, self._histories = published, OrderedDict()
                return None
            found = self._histories.get(key)
            if found is not None:
                self._histories.move_to_end(key)
            return found

    def put(self, published: tuple[int, int | None], key: Hashable, value: Histories) -> None:
        with self._lock:
            if published != self._published:
                return  # a run published meanwhile: this was built from the older days
            self._histories[key] = value
            while len(self._histories) > MAX_CACHED_HISTORIES:
                self._histories.popitem(last=False)


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
    cache: HistoryCache | None = None,
) -> Histories:
    """`comparison_history` of several metrics at once (the scorecard's trends), by metric name.

    With `cache`, built once per publication and kept (`HistoryCache`).
    """
    asked = subject(
        session,
        principal=principal,
        organization_id=organization_id,
        industry_sector=industry_sector,
        size_band=size_band,
        settings=settings,
    )
    today = utc_today()
    if cache is None:
        return _histories(session, asked, metrics=metrics, since=today - timedelta(days=days))
    published = repository.publications(session)
    # Everything a point depends on besides the stored days (see view()).
    key = (
        asked.organization.id,
        asked.principal.is_staff,
        asked.kind,
        asked.group.sector,
        asked.group.band_label,
        tuple(metric.name for metric in metrics),
        days,
        today,
    )
    found = cache.get(published, key)
    if found is None:
        found = _histories(session, asked, metrics=metrics, since=today - timedelta(days=days))
        cache.put(published, key, found)
    return found


def _histories(
    session: Session, asked: Subject, *, metrics: Sequence[Metric], since: date
) -> Histories:
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
