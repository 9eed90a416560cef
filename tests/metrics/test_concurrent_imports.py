"""Several clients sending values for the same days at once, against a live server.

Each batch is all or nothing, so the days they share end up as one client's
batch, never a mix of several, and every client's own day is kept.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from opsportal.db import SessionFactory, session_scope
from opsportal.metrics.registry import IMPORTED_METRIC_NAMES
from opsportal.metrics.service import utc_today
from opsportal.models import LatestMetricValue, MetricValue, Role
from tests.factories import bearer, create_organization, create_user
from tests.together import run_together

CLIENTS = 8
ORGANIZATIONS = 20


def test_overlapping_imports_each_land_whole(
    live_server: str, committed_session_factory: SessionFactory
) -> None:
    shared_day = utc_today() - timedelta(days=1)
    with session_scope(committed_session_factory) as session:
        _, token = create_user(session, role=Role.ADMIN)
        org_ids = [create_organization(session).id for _ in range(ORGANIZATIONS)]

    def own_day(client: int) -> str:
        return str(shared_day - timedelta(days=1 + client))

    def send(client: int) -> httpx.Response:
        shared = [
            {
                "organizationId": org_id,
                "metric": metric,
                "value": client,
                "recordedOn": str(shared_day),
            }
            for org_id in org_ids
            for metric in IMPORTED_METRIC_NAMES
        ]
        own = [
            {
                "organizationId": org_id,
                "metric": "login_rate",
                "value": 50,
                "recordedOn": own_day(client),
            }
            for org_id in org_ids
        ]
        return httpx.post(
            f"{live_server}/api/v1/metrics/values",
            json={"values": own + shared},
            headers=bearer(token),
            timeout=60,
        )

    responses = run_together(CLIENTS, send)
    assert [r.status_code for r in responses] == [200] * CLIENTS, [r.text for r in responses]

    with session_scope(committed_session_factory) as session:
        shared_values = session.scalars(
            select(MetricValue.value).where(MetricValue.recorded_on == shared_day)
        ).all()
        assert len(shared_values) == ORGANIZATIONS * len(IMPORTED_METRIC_NAMES)
        (winner,) = set(shared_values)  # one client's batch, whole
        days = session.scalars(
            select(MetricValue.recorded_on).where(MetricValue.recorded_on != shared_day)
        ).all()
        assert sorted(map(str, set(days))) == sorted(own_day(c) for c in range(CLIENTS))
        assert len(days) == CLIENTS * ORGANIZATIONS
        latest = session.execute(
            select(LatestMetricValue.recorded_on, LatestMetricValue.value)
        ).all()
        assert set(latest) == {(shared_day, winner)}
        assert len(latest) == ORGANIZATIONS * len(IMPORTED_METRIC_NAMES)
