"""Concurrent assigns against a live server: one assignment per user and track, always."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import func, select

from opsportal.db import SessionFactory, session_scope
from opsportal.models import Assignment, Role
from opsportal.models.base import utcnow
from tests.factories import bearer, create_organization, create_track_with_quizzes, create_user
from tests.together import run_together

CONCURRENCY = 12


def test_concurrent_assigns_never_duplicate(
    live_server: str, committed_session_factory: SessionFactory
) -> None:
    with session_scope(committed_session_factory) as session:
        org = create_organization(session)
        _, staff_token = create_user(session, role=Role.INTERNAL)
        users = [create_user(session, organization=org)[0] for _ in range(5)]
        track, _ = create_track_with_quizzes(session, courses=1)
        org_id, track_id = org.id, track.id
    today = utcnow().date()

    def assign(index: int) -> httpx.Response:
        return httpx.post(
            f"{live_server}/api/v1/training/assignments",
            json={
                "trackId": track_id,
                "organizationId": org_id,
                "dueOn": (today + timedelta(days=10 + index)).isoformat(),
            },
            headers=bearer(staff_token),
            timeout=60,
        )

    responses = run_together(CONCURRENCY, assign)
    assert [r.status_code for r in responses] == [201] * CONCURRENCY, [r.text for r in responses]
    # Each user was created exactly once, by whichever request got there first.
    assert sum(r.json()["created"] for r in responses) == len(users)
    with session_scope(committed_session_factory) as session:
        rows = session.execute(
            select(Assignment.user_id, func.count()).group_by(Assignment.user_id)
        ).all()
        assert sorted(rows) == sorted((u.id, 1) for u in users)
        due_days = set(session.scalars(select(Assignment.due_on)))
        # Every user ends with one of the requested days (the last writer's).
        assert due_days <= {today + timedelta(days=10 + i) for i in range(CONCURRENCY)}
