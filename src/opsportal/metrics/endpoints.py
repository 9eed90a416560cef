"""Metric registry and metric value routes."""

from __future__ import annotations

from fastapi import APIRouter

from opsportal.auth.deps import CurrentUser, StaffUser
from opsportal.deps import SessionDep
from opsportal.metrics.registry import METRICS
from opsportal.metrics.schemas import MetricRead, MetricValuesAccepted, MetricValuesIn
from opsportal.metrics.service import ingest_values

router = APIRouter(prefix="/api/v1/metrics", tags=["metrics"])


@router.get("", response_model=list[MetricRead])
def list_metrics(user: CurrentUser) -> list[MetricRead]:
    """The metric registry: name, label, unit, range and direction of every metric."""
    return [MetricRead.model_validate(metric) for metric in METRICS]


@router.post("/values", response_model=MetricValuesAccepted)
def post_metric_values(
    body: MetricValuesIn, session: SessionDep, user: StaffUser
) -> MetricValuesAccepted:
    """Record metric values, all or nothing; re-sending an organisation's day replaces it."""
    rows = [(v.organization_id, v.metric, v.value, v.recorded_on) for v in body.values]
    return MetricValuesAccepted(accepted=ingest_values(session, rows=rows, actor=user))
