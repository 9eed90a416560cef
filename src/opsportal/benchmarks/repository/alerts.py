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


class PercentileFall(NamedTuple):
    organization_id: int
    metric: str
    previous: int
    current: int


def percentile_falls(session: Session, *, day: date, previous: date) -> list[PercentileFall]:
    """Stored all-customers percentiles that fell from `previous` to `day`.

    Only organisations with a customer user, and only metrics whose all-customers
    group was shown to customers on both days: an alert tells a customer nothing
    its comparison did not.
    """
    now = aliased(BenchmarkPosition)
    before = aliased(BenchmarkPosition)
    has_customer_user = exists().where(
        User.organization_id == now.organization_id,
        User.role.in_(CUSTOMER_ROLES),
        User.is_active.is_(True),
    )
    rows = session.execute(
        select(now.organization_id, now.run_id, now.placements, before.run_id, before.placements)
        .join(
            before,
            and_(before.calculated_for == previous, before.organization_id == now.organization_id),
        )
        .where(now.calculated_for == day, has_customer_user)
        .order_by(now.organization_id)
    ).all()
    if not rows:
        return []
    shown = _shown_to_customers(session, day) & _shown_to_customers(session, previous)
    layout_of = {**positions.day_layouts(session, day), **positions.day_layouts(session, previous)}
    falls = []
    for organization_id, now_run, now_placed, before_run, before_placed in rows:
        current = positions.unpack(now_placed, layout_of.get(now_run, []))
        earlier = positions.unpack(before_placed, layout_of.get(before_run, []))
        for metric in sorted(shown & current.keys() & earlier.keys()):
            was, is_now = earlier[metric].percentile_all, current[metric].percentile_all
            if was is not None and is_now is not None and is_now < was:
                falls.append(PercentileFall(organization_id, metric, was, is_now))
    return falls


def _shown_to_customers(session: Session, day: date) -> set[str]:
    """Metrics whose all-customers group customers were shown on `day`."""
    return set(
        session.scalars(
            select(BenchmarkResult.metric).where(
                BenchmarkResult.calculated_for == day,
                BenchmarkResult.industry_sector == "",
                BenchmarkResult.size_band == "",
                BenchmarkResult.customer_view != CustomerView.WITHHELD,
            )
        )
    )
