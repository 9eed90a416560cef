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
    """One organisation's positions on the day and on the day before it."""

    organization_id: int
    current: dict[str, positions.Position]
    previous: dict[str, positions.Position]


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
            before.run_id,
            before.placements,
            before.customer_quartiles,
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
    return [
        Pair(
            organization_id,
            positions.unpack(now_placed, layout_of.get(now_run, []), now_shown),
            positions.unpack(before_placed, layout_of.get(before_run, []), before_shown),
        )
        for (
            organization_id,
            now_run,
            now_placed,
            now_shown,
            before_run,
            before_placed,
            before_shown,
        ) in rows
    ]


def all_customers_groups(session: Session, day: date) -> dict[str, tuple[CustomerView, int]]:
    """Per metric, what customers were shown of the all-customers group on `day`, and its size."""
    rows = session.execute(
        select(
            BenchmarkResult.metric, BenchmarkResult.customer_view, BenchmarkResult.peer_count
        ).where(
            BenchmarkResult.calculated_for == day,
            BenchmarkResult.industry_sector == "",
            BenchmarkResult.size_band == "",
        )
    )
    return {metric: (view, count) for metric, view, count in rows}
