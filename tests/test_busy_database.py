"""A busy database: reads go on beside a held write lock, writes get 503 with Retry-After."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from opsportal.app import create_app
from opsportal.config import Settings
from opsportal.db import is_sqlite, make_engine, make_session_factory, session_scope
from opsportal.errors import PROBLEM_JSON
from opsportal.models import Role
from tests.factories import bearer, create_organization, create_user

SHORT_WAIT = 0.3


@pytest.fixture
def impatient_engine(database_url: str, committed_session_factory: object) -> Iterator[Engine]:
    """The test database with a short lock wait (committed_session_factory empties it after)."""
    engine = make_engine(database_url, busy_timeout=SHORT_WAIT)
    yield engine
    engine.dispose()


def hold_the_lock(engine: Engine, organization_id: int) -> Connection:
    """Another connection holds the lock a write to this organisation needs."""
    connection = engine.connect()
    if is_sqlite(str(engine.url)):
        connection.exec_driver_sql("SELECT 1")  # BEGIN IMMEDIATE: SQLite's one write lock
    else:
        connection.execute(
            text("SELECT id FROM organizations WHERE id = :id FOR UPDATE"), {"id": organization_id}
        )
    return connection


def test_reads_go_on_and_writes_get_503_while_the_lock_is_held(
    settings: Settings, impatient_engine: Engine
) -> None:
    factory = make_session_factory(impatient_engine)
    with session_scope(factory) as session:
        organization = create_organization(session, name="Held Ltd")
        _, token = create_user(session, role=Role.ADMIN)
    headers = bearer(token)
    app = create_app(settings, session_factory=factory)
    with TestClient(app, raise_server_exceptions=False) as client:
        holder = hold_the_lock(impatient_engine, organization.id)
        try:
            read = client.get(f"/api/v1/organizations/{organization.id}", headers=headers)
            assert read.status_code == 200, read.text
            assert client.get("/api/v1/me", headers=headers).status_code == 200

            write = client.patch(
                f"/api/v1/organizations/{organization.id}",
                json={"name": "Changed Ltd"},
                headers=headers,
            )
            assert write.status_code == 503, write.text
            assert write.headers["content-type"].startswith(PROBLEM_JSON)
            assert write.headers["retry-after"] == "1"
            assert write.json()["status"] == 503 and "nothing was changed" in write.json()["detail"]
        finally:
            holder.rollback()
            holder.close()
        # Once the lock is free the same write goes through, and nothing half-done was kept.
        assert (
            client.get(f"/api/v1/organizations/{organization.id}", headers=headers).json()["name"]
            == "Held Ltd"
        )
        again = client.patch(
            f"/api/v1/organizations/{organization.id}",
            json={"name": "Changed Ltd"},
            headers=headers,
        )
        assert again.status_code == 200, again.text


def test_a_write_whose_commit_fails_is_never_reported_as_done(
    client: TestClient, admin_headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The request's transaction commits before its response is sent: a commit
    # that fails turns into an error response, never a 201 already on the wire.
    def busy_commit(self: Session) -> None:
        raise OperationalError("COMMIT", {}, Exception("database is locked"))

    monkeypatch.setattr(Session, "commit", busy_commit)
    response = client.post(
        "/api/v1/organizations", json={"name": "Never Made Ltd"}, headers=admin_headers
    )
    assert response.status_code == 503, response.text
    monkeypatch.undo()
    listed = client.get(
        "/api/v1/organizations", params={"search": "Never Made"}, headers=admin_headers
    ).json()
    assert listed["total"] == 0
