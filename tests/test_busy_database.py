"""A busy database: reads go on beside a held write lock, writes get 503 with Retry-After."""

from __future__ import annotations

import fcntl
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from opsportal.app import create_app
from opsportal.config import Settings
from opsportal.db import is_sqlite, make_engine, make_session_factory, session_scope
from opsportal.errors import PROBLEM_JSON
from opsportal.migrate import upgrade
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


@pytest.fixture
def live_app(settings: Settings, impatient_engine: Engine) -> FastAPI:
    """The live server's app on the impatient engine (overrides the conftest fixture)."""
    return create_app(settings, session_factory=make_session_factory(impatient_engine))


def test_a_busy_answer_keeps_the_connection_open(
    live_server: str, impatient_engine: Engine
) -> None:
    # A 503 is an answer like any other: the server keeps the client's keep-alive
    # connection, so the client's next request on it goes through.
    factory = make_session_factory(impatient_engine)
    with session_scope(factory) as session:
        organization = create_organization(session, name="Held Ltd")
        _, token = create_user(session, role=Role.ADMIN)
    host, port = live_server.removeprefix("http://").split(":")
    body = b'{"name": "Changed Ltd"}'
    request = (
        f"PATCH /api/v1/organizations/{organization.id} HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    holder = hold_the_lock(impatient_engine, organization.id)
    try:
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            sock.sendall(request)
            status, headers = read_response(sock)
            assert status == 503 and headers.get("retry-after") == "1"
            holder.rollback()
            sock.sendall(request)
            status, _ = read_response(sock)
            assert status == 200
    finally:
        holder.rollback()
        holder.close()


def read_response(sock: socket.socket) -> tuple[int, dict[str, str]]:
    """One HTTP/1.1 response off a raw socket: status and headers (the body is read and dropped)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    remaining = int(headers.get("content-length", "0")) - len(rest)
    while remaining > 0:
        chunk = sock.recv(remaining)
        assert chunk, "the server closed the connection"
        remaining -= len(chunk)
    return int(lines[0].split()[1]), headers


def sever_pooled_connections(engine: Engine) -> int:
    """Cut the pool's idle connections the way a database restart would; how many were cut."""
    records = list(engine.pool._pool.queue)  # type: ignore[attr-defined]
    if is_sqlite(str(engine.url)):
        for record in records:
            record.dbapi_connection.close()
        return len(records)
    # From outside the pool, as the server's administrator would.
    outsider = make_engine(str(engine.url.render_as_string(hide_password=False)))
    try:
        with outsider.connect() as connection:
            for record in records:
                pid = record.dbapi_connection.info.backend_pid
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        outsider.dispose()
    return len(records)


def test_a_connection_the_database_dropped_costs_one_503_not_a_500(
    settings: Settings, impatient_engine: Engine
) -> None:
    # Connections are not pinged before use (a round trip on every request). One
    # that the server closed meanwhile fails its request with 503 and Retry-After,
    # which a client retries; the pool then hands out fresh connections.
    factory = make_session_factory(impatient_engine)
    with session_scope(factory) as session:
        _, token = create_user(session, role=Role.ADMIN)
    app = create_app(settings, session_factory=factory)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
        assert sever_pooled_connections(impatient_engine) >= 1

        cut = client.get("/api/v1/me", headers=bearer(token))
        assert cut.status_code == 503, cut.text
        assert cut.headers["retry-after"] == "1"
        assert cut.headers["content-type"].startswith(PROBLEM_JSON)

        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200


def test_a_write_waits_its_turn_behind_another_processs_writer(
    tmp_path: Path, settings: Settings
) -> None:
    # Writers of every serving process (`serve --workers N`) take turns on a
    # lock file beside the SQLite database. Held here as another process's
    # writer would hold it: reads go on, a write waits its turn, then gets 503.
    url = f"sqlite:///{tmp_path / 'turns.db'}"
    upgrade(url)
    app = create_app(
        settings.model_copy(update={"database_url": url, "database_busy_timeout_seconds": 0.3})
    )
    with session_scope(app.state.session_factory) as session:
        organization = create_organization(session, name="Held Ltd")
        _, token = create_user(session, role=Role.ADMIN)
    headers = bearer(token)
    change = {"name": "Changed Ltd"}
    with TestClient(app, raise_server_exceptions=False) as client:
        other_writer = os.open(tmp_path / "turns.db-writers.lock", os.O_RDWR)
        try:
            fcntl.flock(other_writer, fcntl.LOCK_EX)
            read = client.get(f"/api/v1/organizations/{organization.id}", headers=headers)
            assert read.status_code == 200 and read.json()["name"] == "Held Ltd"
            path = f"/api/v1/organizations/{organization.id}"
            write = client.patch(path, json=change, headers=headers)
            assert write.status_code == 503, write.text
            assert write.headers["retry-after"] == "1"
            assert "nothing was changed" in write.json()["detail"]
        finally:
            os.close(other_writer)  # lets go of the lock
        again = client.patch(path, json=change, headers=headers)
        assert again.status_code == 200, again.text
        assert client.get(path, headers=headers).json()["name"] == "Changed Ltd"
