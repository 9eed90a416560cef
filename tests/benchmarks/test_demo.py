"""The demo's benchmark data: ~400 organisations across industries and size bands, idempotent."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opsportal.benchmarks.demo import DEMO_DAYS, seed_benchmark_demo
from opsportal.benchmarks.service import compare_organization
from opsportal.config import Settings
from opsportal.models import BenchmarkResult, BenchmarkRun, MetricValue, Organization, Role
from opsportal.principal import Principal
from tests.factories import create_organization


def test_demo_population_is_broad_and_loads_twice(session: Session, settings: Settings) -> None:
    anchor = create_organization(
        session,
        name="Northwind Health",
        external_id="demo-northwind",
        industry_sector="Healthcare",
        employee_count=340,
    )
    said: list[str] = []
    seed_benchmark_demo(session, anchor=anchor, settings=settings, say=said.append)
    orgs = session.scalar(select(func.count()).select_from(Organization))
    values = session.scalar(select(func.count()).select_from(MetricValue))
    assert orgs == 400
    assert values is not None and values > 100_000
    sectors = session.scalars(select(Organization.industry_sector).distinct()).all()
    assert len(set(sectors)) == 8
    bands = session.scalars(
        select(BenchmarkResult.size_band).where(BenchmarkResult.industry_sector == "").distinct()
    ).all()
    assert set(bands) == {"", "1-100", "101-500", "501-2000", "2001+"}

    customer = Principal(0, "c@x", "C", Role.CUSTOMER, anchor.id)
    scorecard = compare_organization(
        session, principal=customer, organization_id=anchor.id, settings=settings
    )
    # Training completion comes from the training demo's assignments, not loaded here.
    reported = [item for item in scorecard if item.metric != "training_completion_rate"]
    assert all(item.available for item in reported)
    assert all(0 <= (item.percentile or 0) <= 100 for item in scorecard)

    seed_benchmark_demo(session, anchor=anchor, settings=settings, say=said.append)
    assert session.scalar(select(func.count()).select_from(Organization)) == orgs
    assert session.scalar(select(func.count()).select_from(MetricValue)) == values
    # Today and one day a week back through the history: a trend from the first start,
    # recalculated (not added to) on a second load.
    days = session.scalars(select(BenchmarkRun.calculated_for).distinct()).all()
    assert len(days) == DEMO_DAYS // 7 + 1
    assert "400 organizations" in said[0]
