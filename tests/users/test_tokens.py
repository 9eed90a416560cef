"""API tokens: issued and shown once, listed without the token, expiring, revoked, and
stopped at once (for good) when their user is deactivated; their last use written at most
once a minute."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, event, select
from sqlalchemy.orm import Session

from opsportal.db import SessionFactory, read_only, session_scope
from opsportal.models import ApiToken, AuditEntry, Role, User
from opsportal.models.base import utcnow
from tests.factories import bearer, create_user
from tests.pages import PASSWORD, log_in


@pytest.fixture
def member(session: Session) -> User:
    user, _ = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
    return user


def issue(client: TestClient, headers: dict[str, str], user: User, **body: Any) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/users/{user.id}/tokens", json={"label": "reporting", **body}, headers=headers
    )
    assert response.status_code == 201, response.text
    issued: dict[str, Any] = response.json()
    return issued


class TestIssue:
    def test_token_is_shown_once_and_works(
        self, client: TestClient, admin_headers: dict[str, str], member: User
    ) -> None:
        issued = issue(client, admin_headers, member)
        assert set(issued) == {"id", "token", "label", "expiresAt"}
        assert issued["label"] == "reporting" and issued["expiresAt"] is None
        me = client.get("/api/v1/me", headers=bearer(issued["token"]))
        assert me.status_code == 200 and me.json()["id"] == member.id

    def test_listed_tokens_never_show_the_token(
        self, client: TestClient, admin_headers: dict[str, str], member: User
    ) -> None:
        issued = issue(client, admin_headers, member, expiresInDays=30)
        response = client.get(f"/api/v1/users/{member.id}/tokens", headers=admin_headers)
        assert response.status_code == 200
        assert issued["token"] not in response.text
        assert issued["token"][len("ops_") :] not in response.text
        listed = {t["id"]: t for t in response.json()}
        assert set(listed[issued["id"]]) == {
            "id", "userId", "label", "createdAt", "expiresAt", "lastUsedAt", "revokedAt"
        }  # fmt: skip
        for token in response.json():
            assert not {"token", "tokenHash"} & set(token)

    def test_a_deactivated_user_gets_no_new_token(
        self, client: TestClient, admin_headers: dict[str, str], member: User
    ) -> None:
        client.patch(f"/api/v1/users/{member.id}", json={"isActive": False}, headers=admin_headers)
        response = client.post(
            f"/api/v1/users/{member.id}/tokens", json={"label": "x"}, headers=admin_headers
        )
        assert response.status_code == 409

    @pytest.mark.parametrize(
        "body",
        [{"label": ""}, {"label": "x", "expiresInDays": 0}, {"label": "x", "expiresInDays": 3651}],
    )
    def test_invalid_requests_are_422(
        self, client: TestClient, admin_headers: dict[str, str], member: User, body: dict[str, Any]
    ) -> None:
        response = client.post(
            f"/api/v1/users/{member.id}/tokens", json=body, headers=admin_headers
        )
        assert response.status_code == 422


class TestExpiry:
    def test_expires_after_the_days_given(
        self, client: TestClient, session: Session, admin_headers: dict[str, str], member: User
    ) -> None:
        issued = issue(client, admin_headers, member, expiresInDays=7)
        row = session.get(ApiToken, issued["id"])
        assert row is not None and row.expires_at is not None
        assert abs(row.expires_at - (utcnow() + timedelta(days=7))) < timedelta(minutes=1)
        assert client.get("/api/v1/me", headers=bearer(issued["token"])).status_code == 200

        row.expires_at = utcnow() - timedelta(seconds=1)
        session.flush()
        response = client.get("/api/v1/me", headers=bearer(issued["token"]))
        assert response.status_code == 401
        assert "expired" in response.json()["detail"]


class TestRevocation:
    def test_revoked_token_stops_at_once(
        self, client: TestClient, session: Session, admin_headers: dict[str, str], member: User
    ) -> None:
        issued = issue(client, admin_headers, member)
        response = client.delete(f"/api/v1/tokens/{issued['id']}", headers=admin_headers)
        assert response.status_code == 204 and response.content == b""
        assert client.get("/api/v1/me", headers=bearer(issued["token"])).status_code == 401
        # Again: nothing changes, and nothing more is recorded.
        assert (
            client.delete(f"/api/v1/tokens/{issued['id']}", headers=admin_headers).status_code
            == 204
        )
        revocations = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "token.revoke", AuditEntry.target_id == issued["id"]
            )
        ).all()
        assert len(revocations) == 1
        listed = client.get(f"/api/v1/users/{member.id}/tokens", headers=admin_headers).json()
        assert next(t for t in listed if t["id"] == issued["id"])["revokedAt"] is not None

    def test_a_user_may_revoke_its_own_token(
        self, client: TestClient, admin_headers: dict[str, str], member: User
    ) -> None:
        issued = issue(client, admin_headers, member)
        own = bearer(issued["token"])
        assert client.delete(f"/api/v1/tokens/{issued['id']}", headers=own).status_code == 204
        assert client.get("/api/v1/me", headers=own).status_code == 401

    def test_nobody_else_may(
        self, client: TestClient, session: Session, admin_headers: dict[str, str], member: User
    ) -> None:
        issued = issue(client, admin_headers, member)
        _, other_token = create_user(session, role=Role.INTERNAL)
        response = client.delete(f"/api/v1/tokens/{issued['id']}", headers=bearer(other_token))
        assert response.status_code == 404
        assert client.delete("/api/v1/tokens/999999", headers=admin_headers).status_code == 404
        assert client.get("/api/v1/me", headers=bearer(issued["token"])).status_code == 200


class TestDeactivation:
    def test_tokens_and_sessions_stop_at_once_and_stay_stopped_on_reactivation(
        self, client: TestClient, session: Session, admin_headers: dict[str, str], member: User
    ) -> None:
        issued = issue(client, admin_headers, member)
        with TestClient(client.app) as browser:
            assert log_in(browser, member.email).status_code == 303
            assert browser.get("/training", follow_redirects=False).status_code == 200

            path = f"/api/v1/users/{member.id}"
            off = client.patch(path, json={"isActive": False}, headers=admin_headers)
            assert off.status_code == 200 and off.json()["isActive"] is False
            assert client.get("/api/v1/me", headers=bearer(issued["token"])).status_code == 401
            assert browser.get("/training", follow_redirects=False).status_code == 303
            # Its password opens nothing either, with the same answer as a wrong one.
            assert log_in(browser, member.email).status_code == 401

            client.patch(path, json={"isActive": True}, headers=admin_headers)
            # The user is back; what it held before is not.
            assert client.get("/api/v1/me", headers=bearer(issued["token"])).status_code == 401
            assert log_in(browser, member.email).status_code == 303


@pytest.fixture
def token_updates(connection: Connection) -> Iterator[list[str]]:
    """The statements recording a token's last use that run on the test's connection."""
    seen: list[str] = []

    def spy(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "SET last_used_at" in statement and "last_used_at <=" in statement:
            seen.append(statement)

    event.listen(connection, "before_cursor_execute", spy)
    yield seen
    event.remove(connection, "before_cursor_execute", spy)


class TestLastUsed:
    def test_written_at_most_once_a_minute(
        self,
        client: TestClient,
        session: Session,
        admin_headers: dict[str, str],
        member: User,
        token_updates: list[str],
    ) -> None:
        issued = issue(client, admin_headers, member)
        headers = bearer(issued["token"])
        token_updates.clear()  # the admin's own token, used to issue it
        for _ in range(3):
            assert client.get("/api/v1/me", headers=headers).status_code == 200
        assert len(token_updates) == 1
        row = session.get(ApiToken, issued["id"])
        assert row is not None
        session.refresh(row)
        assert row.last_used_at is not None
        assert utcnow() - row.last_used_at < timedelta(minutes=1)

        # A minute later, the next request writes it again.
        row.last_used_at = utcnow() - timedelta(seconds=61)
        session.flush()
        client.get("/api/v1/me", headers=headers)
        assert len(token_updates) == 2
        listed = client.get(f"/api/v1/users/{member.id}/tokens", headers=admin_headers).json()
        assert next(t for t in listed if t["id"] == issued["id"])["lastUsedAt"] is not None

    def test_a_write_request_records_it_in_the_request_transaction(
        self,
        client: TestClient,
        session: Session,
        admin_headers: dict[str, str],
        member: User,
        token_updates: list[str],
    ) -> None:
        issued = issue(client, admin_headers, member)
        token_updates.clear()
        response = client.delete(f"/api/v1/tokens/{issued['id']}", headers=bearer(issued["token"]))
        assert response.status_code == 204
        assert len(token_updates) == 1


def test_a_read_does_not_wait_for_a_lock_to_record_a_use(
    live_server: str, committed_session_factory: SessionFactory, engine: Engine
) -> None:
    """A GET with a stale token answers while another connection holds the lock that
    recording its use needs (SQLite's write lock; on PostgreSQL the token's row); the use
    is written after the answer, once the lock is free."""
    with session_scope(committed_session_factory) as setup:
        user, token = create_user(setup, role=Role.INTERNAL)
        user_id = user.id
    blocker = engine.connect()
    if engine.dialect.name == "sqlite":
        blocker.exec_driver_sql("SELECT 1")  # begins IMMEDIATE: the write lock
    else:
        blocker.execute(select(ApiToken.id).where(ApiToken.user_id == user_id).with_for_update())
    try:
        # The lock is let go only after this answer arrives (below): a request that
        # waited for it would time out instead of answering.
        response = httpx.get(f"{live_server}/api/v1/me", headers=bearer(token), timeout=15)
        assert response.status_code == 200
        with committed_session_factory() as check:
            read_only(check)
            assert (
                check.scalar(select(ApiToken.last_used_at).where(ApiToken.user_id == user_id))
                is None
            )
    finally:
        blocker.rollback()
        blocker.close()
    deadline = time.monotonic() + 20
    while True:
        with committed_session_factory() as check:
            read_only(check)
            used = check.scalar(select(ApiToken.last_used_at).where(ApiToken.user_id == user_id))
        if used is not None or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert used is not None
