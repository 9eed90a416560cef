"""Oversized bodies get 413 before they are read in full; anonymous API bodies are never read."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opsportal.app import create_app
from opsportal.config import Settings
from opsportal.db import SessionFactory
from opsportal.models import MetricValue, Organization, Role
from opsportal.web.security import IN_MEMORY_BODY_BYTES
from tests.factories import bearer, create_organization, create_user
from tests.pages import PASSWORD, csrf_from, log_in

LIMIT = 4096
VALUES = "/api/v1/metrics/values"


@pytest.fixture
def small_limit_app(settings: Settings, session_factory: SessionFactory) -> FastAPI:
    return create_app(
        settings.model_copy(update={"max_body_bytes": LIMIT}), session_factory=session_factory
    )


@pytest.fixture
def limited(small_limit_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(small_limit_app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def admin(session: Session) -> dict[str, str]:
    _, token = create_user(session, role=Role.ADMIN)
    return bearer(token)


def batch(org: Organization, count: int) -> bytes:
    values = [
        {"organizationId": org.id, "metric": "login_rate", "value": 50, "recordedOn": "2026-11-01"}
    ] * count
    return json.dumps({"values": values}).encode()


def stored_values(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(MetricValue)) or 0


def assert_too_large(response: Any) -> None:
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 413
    assert f"{LIMIT:,} bytes" in problem["detail"]
    assert response.headers["connection"] == "close"


class TestBodyLimit:
    def test_a_body_within_the_limit_is_accepted(
        self, limited: TestClient, session: Session, admin: dict[str, str]
    ) -> None:
        body = batch(create_organization(session), 1)
        assert len(body) < LIMIT
        response = limited.post(
            VALUES, content=body, headers={**admin, "Content-Type": "application/json"}
        )
        assert response.status_code == 200, response.text
        assert stored_values(session) == 1

    def test_a_body_larger_than_what_is_kept_in_memory_arrives_whole(
        self, client: TestClient, session: Session, admin: dict[str, str]
    ) -> None:
        body = batch(create_organization(session), 3000)
        assert len(body) > 3 * IN_MEMORY_BODY_BYTES  # read back from its temporary file
        response = client.post(
            VALUES, content=body, headers={**admin, "Content-Type": "application/json"}
        )
        assert response.status_code == 200, response.text
        assert response.json() == {"accepted": 3000}

    def test_a_declared_length_over_the_limit_is_refused_and_nothing_changes(
        self, limited: TestClient, session: Session, admin: dict[str, str]
    ) -> None:
        body = batch(create_organization(session), 100)
        assert len(body) > LIMIT
        response = limited.post(
            VALUES, content=body, headers={**admin, "Content-Type": "application/json"}
        )
        assert_too_large(response)
        assert stored_values(session) == 0

    def test_a_streamed_body_without_a_length_is_cut_off_at_the_limit(
        self, limited: TestClient, session: Session, admin: dict[str, str]
    ) -> None:
        body = batch(create_organization(session), 100)
        pieces = [body[i : i + 512] for i in range(0, len(body), 512)]
        sent = []

        def stream() -> Iterator[bytes]:
            for piece in pieces:
                sent.append(piece)
                yield piece

        response = limited.post(
            VALUES, content=stream(), headers={**admin, "Content-Type": "application/json"}
        )
        assert "content-length" not in response.request.headers  # chunked
        assert_too_large(response)
        assert stored_values(session) == 0

    def test_a_page_form_over_the_limit_gets_413(
        self, limited: TestClient, session: Session
    ) -> None:
        user, _ = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
        assert log_in(limited, user.email).status_code == 303
        token = csrf_from(limited.get("/training").text)
        response = limited.post(
            "/logout", data={"csrf_token": token, "padding": "x" * LIMIT}, follow_redirects=False
        )
        assert response.status_code == 413
        assert limited.get("/training", follow_redirects=False).status_code == 200  # not logged out

    def test_the_default_limit_is_ten_megabytes(self) -> None:
        assert Settings().max_body_bytes == 10 * 1024 * 1024


class TestBodyDeadline:
    """A body must arrive in full within its deadline, before the request goes any further."""

    @pytest.fixture
    def quick_deadline(self, settings: Settings, session_factory: SessionFactory) -> FastAPI:
        return create_app(
            settings.model_copy(update={"body_read_timeout_seconds": 0.5}),
            session_factory=session_factory,
        )

    def trickle(self, app: FastAPI, path: str) -> tuple[int, dict[str, str], bytes, int]:
        """Announce 1,000 bytes, send 10, then nothing more (the client never disconnects)."""
        calls = 0

        async def receive() -> dict[str, Any]:
            nonlocal calls
            calls += 1
            if calls == 1:
                return {"type": "http.request", "body": b"x" * 10, "more_body": True}
            await anyio.sleep_forever()
            raise AssertionError("unreachable")

        async def bounded() -> tuple[int, dict[str, str], bytes, int]:
            headers = {"content-type": "application/json", "content-length": "1000"}
            with anyio.fail_after(30):  # without a deadline, the request would wait for ever
                return await call(app, headers=headers, body=b"", receive=receive, path=path)

        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(anyio.run, bounded).result()

    @pytest.mark.parametrize("path", ["/api/v1/login", "/login"])
    def test_a_body_that_does_not_arrive_in_time_gets_408(
        self, quick_deadline: FastAPI, path: str
    ) -> None:
        status, headers, answer, _ = self.trickle(quick_deadline, path)
        assert status == 408
        assert headers["content-type"] == "application/problem+json"
        assert headers["connection"] == "close"
        problem = json.loads(answer)
        assert problem["status"] == 408
        assert "did not arrive within 0.5 seconds" in problem["detail"]

    def test_the_default_deadline_is_ten_seconds(self) -> None:
        assert Settings().body_read_timeout_seconds == 10


async def call(
    app: FastAPI,
    *,
    headers: dict[str, str],
    body: bytes,
    method: str = "POST",
    path: str = VALUES,
    receive: Callable[[], Awaitable[dict[str, Any]]] | None = None,
) -> tuple[int, dict[str, str], bytes, int]:
    """Call the app as the server would; return the status, headers, body and how often the app
    asked for the request body."""
    reads = 0
    messages: list[dict[str, Any]] = []

    async def counting_receive() -> dict[str, Any]:
        nonlocal reads
        reads += 1
        if receive is not None:
            return await receive()
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    await app(scope, counting_receive, send)
    start = next(m for m in messages if m["type"] == "http.response.start")
    answer = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, answer, reads


class TestAuthenticationBeforeTheBody:
    """The attacker has no token; the server must not read, let alone parse, what they send."""

    @pytest.fixture
    def body(self, session: Session) -> bytes:
        return batch(create_organization(session), 20)

    def run(self, app: FastAPI, **kwargs: Any) -> tuple[int, dict[str, str], bytes, int]:
        # In a thread of its own: once the browser tests have started Playwright, its
        # event loop is running in the main thread and anyio.run would refuse.
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(anyio.run, lambda: call(app, **kwargs)).result()

    @pytest.mark.parametrize(
        "authorization",
        [None, "Bearer ops_not-a-real-token", "Basic YWRtaW46YWRtaW4=", "Bearer ", "bearer"],
    )
    def test_no_valid_token_gets_401_and_the_body_is_never_read(
        self, app: FastAPI, session: Session, body: bytes, authorization: str | None
    ) -> None:
        headers = {"content-type": "application/json", "content-length": str(len(body))}
        if authorization is not None:
            headers["authorization"] = authorization
        status, response_headers, answer, reads = self.run(app, headers=headers, body=body)
        assert status == 401
        assert reads == 0
        assert response_headers["content-type"] == "application/problem+json"
        assert response_headers["www-authenticate"] == "Bearer"
        assert json.loads(answer)["status"] == 401
        assert stored_values(session) == 0

    def test_a_chunked_anonymous_body_is_not_read_either(self, app: FastAPI, body: bytes) -> None:
        headers = {"content-type": "application/json", "transfer-encoding": "chunked"}
        status, _, _, reads = self.run(app, headers=headers, body=body)
        assert (status, reads) == (401, 0)

    def test_a_valid_token_gets_its_body_read(
        self, app: FastAPI, session: Session, body: bytes, admin: dict[str, str]
    ) -> None:
        headers = {
            "content-type": "application/json",
            "content-length": str(len(body)),
            "authorization": admin["Authorization"],
        }
        status, _, answer, reads = self.run(app, headers=headers, body=body)
        assert status == 200, answer
        assert reads >= 1

    def test_a_deactivated_users_token_is_refused_before_the_body(
        self, app: FastAPI, session: Session, body: bytes
    ) -> None:
        user, token = create_user(session, role=Role.ADMIN)
        user.is_active = False
        session.flush()
        headers = {
            "content-type": "application/json",
            "content-length": str(len(body)),
            "authorization": f"Bearer {token}",
        }
        status, _, _, reads = self.run(app, headers=headers, body=body)
        assert (status, reads) == (401, 0)

    def test_an_oversized_body_is_refused_before_it_is_read(
        self, small_limit_app: FastAPI, admin: dict[str, str]
    ) -> None:
        headers = {
            "content-type": "application/json",
            "content-length": str(210 * 1024 * 1024),
            "authorization": admin["Authorization"],
        }
        status, response_headers, _, reads = self.run(small_limit_app, headers=headers, body=b"")
        assert (status, reads) == (413, 0)
        assert response_headers["connection"] == "close"

    def test_requests_without_a_body_still_reach_the_route(self, client: TestClient) -> None:
        assert client.get("/api/v1/me").status_code == 401  # answered by the route's own check
