"""A process serves at most `database_pool_size` requests at once; the rest wait their turn."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi import FastAPI

from opsportal.app import create_app
from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.models import Role
from tests.factories import bearer, create_organization, create_user

SLOTS = 2


@pytest.fixture
def live_app(settings: Settings, committed_session_factory: SessionFactory) -> FastAPI:
    """The live server's app with two request slots (overrides the conftest fixture)."""
    narrow = settings.model_copy(update={"database_pool_size": SLOTS})
    return create_app(narrow, session_factory=committed_session_factory)


def test_many_more_requests_than_slots_are_all_answered(
    live_server: str, committed_session_factory: SessionFactory
) -> None:
    # Reads and writes together, twelve times as many as there are slots: each
    # waits for its turn and is answered, none is dropped or refused.
    with session_scope(committed_session_factory) as session:
        _, token = create_user(session, role=Role.ADMIN, email="slots@example.test")
        organization = create_organization(session, name="Queued Ltd")
    headers = bearer(token)

    def ask(index: int) -> int:
        with httpx.Client(base_url=live_server, headers=headers, timeout=60) as client:
            if index % 3 == 0:
                response = client.patch(
                    f"/api/v1/organizations/{organization.id}", json={"name": f"Queued {index}"}
                )
            elif index % 3 == 1:
                response = client.get(f"/api/v1/organizations/{organization.id}")
            else:
                response = client.get("/api/v1/me")
            return response.status_code

    with ThreadPoolExecutor(max_workers=SLOTS * 12) as pool:
        statuses = list(pool.map(ask, range(SLOTS * 12)))
    assert statuses == [200] * (SLOTS * 12)
