"""The newest published day, read once per process and reused until a new run replaces it.

A scorecard is read far more often than a day is published, and a published
day never changes: a new run writes a new run id. So each app keeps the
newest day's group statistics and organisation positions in memory, keyed by
(day, run id), and every request checks that key with one small indexed
query. A new successful run changes the key and the next request reloads;
several processes or replicas each notice it the same way.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from opsportal.benchmarks import repository
from opsportal.benchmarks.repository import Membership, PlacedDay, Position
from opsportal.models import BenchmarkResult, CustomerView

# Organisations whose positions are kept per process (each a handful of numbers).
MAX_CACHED_ORGANIZATIONS = 20_000


@dataclass(frozen=True)
class GroupResult:
    """One metric's published statistics in one peer group."""

    peer_count: int
    p25: float
    median: float
    p75: float
    mean: float
    min: float
    max: float
    quantiles: tuple[float, ...]
    customer_view: CustomerView
    calculated_at: datetime

    @classmethod
    def of(cls, row: BenchmarkResult) -> GroupResult:
        return cls(
            peer_count=row.peer_count,
            p25=row.p25,
            median=row.median,
            p75=row.p75,
            mean=row.mean,
            min=row.min,
            max=row.max,
            quantiles=tuple(float(q) for q in row.quantiles),
            customer_view=row.customer_view,
            calculated_at=row.calculated_at,
        )


@dataclass(frozen=True)
class PublishedDay:
    """What the newest run published for one organisation and one peer group."""

    calculated_for: date | None
    results: dict[str, GroupResult]
    positions: dict[str, Position]
    # The organisation's groups that day (None: not recorded, a day stored before they were).
    membership: Membership | None = None


class PublishedDayCache:
    """One process's copy of the newest published day (thread-safe; requests share it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: repository.PublishedRun | None = None
        self._groups: dict[tuple[str, str], dict[str, GroupResult]] = {}
        self._positions: OrderedDict[int, PlacedDay] = OrderedDict()

    def read(
        self, session: Session, *, organization_id: int, sector: str, band: str
    ) -> PublishedDay:
        key = repository.latest_published_run(session)
        if key is None:
            return PublishedDay(None, {}, {})
        with self._lock:
            if key != self._key:
                self._key, self._groups, self._positions = key, {}, OrderedDict()
            results = self._groups.get((sector, band))
            positions = self._positions.get(organization_id)
            if positions is not None:
                self._positions.move_to_end(organization_id)
        if results is None:
            results = load_results(session, day=key.calculated_for, sector=sector, band=band)
        if positions is None:
            positions = load_positions(
                session, day=key.calculated_for, organization_id=organization_id
            )
        with self._lock:
            if key == self._key:
                self._groups[(sector, band)] = results
                self._positions[organization_id] = positions
                while len(self._positions) > MAX_CACHED_ORGANIZATIONS:
                    self._positions.popitem(last=False)
        return PublishedDay(key.calculated_for, results, positions.positions, positions.membership)


def load_results(session: Session, *, day: date, sector: str, band: str) -> dict[str, GroupResult]:
    rows = repository.results_for(session, day=day, industry_sector=sector, size_band=band)
    return {metric: GroupResult.of(row) for metric, row in rows.items()}


def load_positions(session: Session, *, day: date, organization_id: int) -> PlacedDay:
    return repository.placed_day(session, day=day, organization_id=organization_id)


def read_published_day(
    session: Session,
    *,
    organization_id: int,
    sector: str,
    band: str,
    cache: PublishedDayCache | None,
) -> PublishedDay:
    """The newest published day for one organisation and group, from `cache` when given."""
    if cache is not None:
        return cache.read(session, organization_id=organization_id, sector=sector, band=band)
    key = repository.latest_published_run(session)
    if key is None:
        return PublishedDay(None, {}, {})
    day = key.calculated_for
    placed = load_positions(session, day=day, organization_id=organization_id)
    return PublishedDay(
        day,
        load_results(session, day=day, sector=sector, band=band),
        placed.positions,
        placed.membership,
    )
