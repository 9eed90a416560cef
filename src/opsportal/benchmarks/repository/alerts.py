"""What the drop alerts read: the stored positions of two calculated days."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from opsportal.benchmarks.repository import positions
from opsportal.models import (
    CUSTOMER_ROLES,
    BenchmarkPosition,
    BenchmarkResult,
    BenchmarkRun,
    CustomerView,
    User,
)


def previous_calculated_day(session: Session, *, before: date) -> date | None:
    return session.scalar(
        select(func.max(BenchmarkResult.calculated_for)).where(
            BenchmarkResult.calculated_for < before
        )
    )


def later_day_exists(session: Session, *, after: date) -> bool:
    found = session.scalar(
        select(BenchmarkResult.calculated_for)
        .where(BenchmarkResult.calculated_for > after)
        .limit(1)
    )
    return found is not None


class Pair(NamedTuple):
    """One organisation on the day and on the day before it: its groups and its positions."""

    organization_id: int
    current: dict[str, positions.Position]
    previous: dict[str, positions.Position]
    # Its industry and size as each day's run saw them (None: not recorded that day).
    membership: positions.Membership | None = None
    previous_membership: positions.Membership | None = None


def position_pairs(session: Session, *, day: date, previous: date) -> list[Pair]:
    """Each organisation with a customer user, placed on both days: its stored positions
    (with what its customers were shown) on each."""
    now = aliased(BenchmarkPosition)
    before = aliased(BenchmarkPosition)
    has_customer_user = exists().where(
        User.organization_id == now.organization_id,
        User.role.in_(CUSTOMER_ROLES),
        User.is_active.is_(True),
    )
    rows = session.execute(
        select(
            now.organization_id,
            now.run_id,
            now.placements,
            now.customer_quartiles,
            now.sector_code,
            now.employee_count,
            before.run_id,
            before.placements,
            before.customer_quartiles,
            before.sector_code,
            before.employee_count,
        )
        .join(
            before,
            and_(before.calculated_for == previous, before.organization_id == now.organization_id),
        )
        .where(now.calculated_for == day, has_customer_user)
        .order_by(now.organization_id)
    ).all()
    if not rows:
        return []
    layout_of = {**positions.day_layouts(session, day), **positions.day_layouts(session, previous)}
    sectors_of = {**_day_sectors(session, day), **_day_sectors(session, previous)}
    pairs = []
    for (
        organization_id,
        now_run,
        now_placed,
        now_shown,
        now_sector,
        now_size,
        before_run,
        before_placed,
        before_shown,
        before_sector,
        before_size,
    ) in rows:
        current = positions.placed(
            now_placed, now_shown, now_sector, now_size, layout_of.get(now_run, []),
            sectors_of.get(now_run, []),
        )  # fmt: skip
        earlier = positions.placed(
            before_placed, before_shown, before_sector, before_size,
            layout_of.get(before_run, []), sectors_of.get(before_run, []),
        )  # fmt: skip
        pairs.append(
            Pair(
                organization_id,
                current.positions,
                earlier.positions,
                current.membership,
                earlier.membership,
            )
        )
    return pairs


def _day_sectors(session: Session, day: date) -> dict[int, list[str]]:
    """The industries each run of `day` indexed its positions' sector codes by."""
    rows = session.execute(
        select(BenchmarkRun.id, BenchmarkRun.position_sectors).where(
            BenchmarkRun.calculated_for == day
        )
    )
    return {run_id: list(sectors or ()) for run_id, sectors in rows}


GroupKey = tuple[str, str, str]  # metric, industry ("" any), size band ("" any)


def day_groups(session: Session, day: date) -> dict[GroupKey, tuple[CustomerView, int]]:
    """Every group published on `day`: what customers were shown of it, and its size."""
    rows = session.execute(
        select(
            BenchmarkResult.metric,
            BenchmarkResult.industry_sector,
            BenchmarkResult.size_band,
            BenchmarkResult.customer_view,
            BenchmarkResult.peer_count,
        ).where(BenchmarkResult.calculated_for == day)
    )
    return {(metric, sector, band): (view, count) for metric, sector, band, view, count in rows}
