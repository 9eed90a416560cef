"""The live server fixture serves committed data to concurrent clients."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from opsportal.db import SessionFactory, session_scope
from opsportal.models import Role
from tests.factories import bearer, create_user


def test_concurrent_requests_are_served(
    live_server: str, committed_session_factory: SessionFactory
) -> None:
    with session_scope(committed_session_factory) as session:
        _, token = create_user(session, role=Role.INTERNAL, email="live@example.test")

    def ask(_: int) -> int:
        return httpx.get(f"{live_server}/api/v1/me", headers=bearer(token), timeout=30).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(ask, range(20)))
    assert statuses == [200] * 20
