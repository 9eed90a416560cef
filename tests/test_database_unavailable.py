"""A database that is down, restarting or full: every request answers 503 with Retry-After.

Never a 500: the client is told to come back, and `/readyz` says the service
is not ready with a 503, while `/healthz` (liveness, no database) still answers
200. The PostgreSQL test runs a private cluster, restarts
and stops it under a bounded load, and checks that no acknowledged write was lost.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select
from sqlalchemy.exc import IntegrityError, OperationalError

from opsportal.app import create_app
from opsportal.benchmarks.service import runs
from opsportal.config import Settings
from opsportal.db import make_engine, make_session_factory, normalise_url, session_scope
from opsportal.errors import PROBLEM_JSON, is_busy_database
from opsportal.migrate import upgrade
from opsportal.models import Organization, Role
from tests.factories import bearer, create_user
from tests.pgcluster import Cluster, private_cluster
from tests.processes import free_port, wait_for


def operational(message: str | Exception) -> OperationalError:
    orig = message if isinstance(message, Exception) else Exception(message)
    return OperationalError("SELECT 1", {}, orig)


class TestWhatCountsAsUnavailable:
    @pytest.mark.parametrize(
        "message",
        [
            "FATAL:  the database system is shutting down",
            "FATAL:  the database system is starting up",
            "FATAL:  the database system is in recovery mode",
            'connection failed: connection to server at "127.0.0.1", port 5432 failed: '
            "Connection refused\n\tIs the server running on that host and accepting TCP/IP?",
            "consuming input failed: server closed the connection unexpectedly\n\t"
            "This probably means the server terminated abnormally",
            "terminating connection due to administrator command",
            "the connection is lost",
            "database or disk is full",
            'could not extend file "base/16384/16402": No space left on device',
            "database is locked",
        ],
    )
    def test_a_database_that_is_down_restarting_or_full(self, message: str) -> None:
        assert is_busy_database(operational(message))

    @pytest.mark.parametrize(
        "error",
        [
            psycopg.errors.AdminShutdown("terminating connection"),
            psycopg.errors.CannotConnectNow("not now"),
            psycopg.errors.DiskFull("could not write"),
            psycopg.errors.TooManyConnections("sorry"),
            psycopg.errors.ConnectionFailure("gone"),
        ],
    )
    def test_postgresql_error_classes(self, error: Exception) -> None:
        assert is_busy_database(operational(error))

    @pytest.mark.parametrize(
        "error",
        [
            operational("no such table: organizations"),
            operational('syntax error at or near "SELEC"'),
            IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed: connection refused")),
            RuntimeError("connection refused"),
        ],
    )
    def test_a_broken_query_is_not(self, error: Exception) -> None:
        assert not is_busy_database(error)


def assert_503(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert int(response.headers["retry-after"]) >= 1
    assert response.json()["status"] == 503


def test_an_unreachable_database_is_503_and_readyz_says_so(settings: Settings) -> None:
    # Nothing listens on this port: every connection attempt is refused.
    nowhere = settings.model_copy(
        update={"database_url": f"postgresql://postgres@127.0.0.1:{free_port()}/opsportal"}
    )
    app = create_app(nowhere)
    with TestClient(app, raise_server_exceptions=False) as client:
        not_ready = client.get("/readyz")
        assert_503(not_ready)
        assert not_ready.json()["reason"] == "database"
        # The process itself is alive: an orchestrator must not restart it for this.
        assert client.get("/healthz").status_code == 200
        assert_503(client.get("/api/v1/me", headers=bearer("opsportal_not-checked")))
        # A page that needs the database: the HTML error page, with the same status.
        page = client.get("/set-password/" + "a" * 43)
        assert page.status_code == 503 and page.headers["retry-after"] == "1"
        assert page.headers["content-type"].startswith("text/html")
        write = client.post(
            "/api/v1/organizations", json={"name": "Nowhere Ltd"}, headers=bearer("t")
        )
        assert_503(write)
        login = {"email": "someone@example.test", "password": "a long password"}
        assert_503(client.post("/api/v1/login", json=login))
        assert_503(client.get("/api/v1/certificates/verify/" + "A" * 20))
        calculate = {"calculatedFor": "2026-01-01"}
        assert_503(client.post("/api/v1/benchmarks/calculate", json=calculate, headers=bearer("t")))
        form = client.get("/login")
        assert form.status_code == 200  # the sign-in form itself needs no database
        csrf = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        signed = client.post("/login", data={**login, "csrf_token": csrf, "next": "/"})
        assert signed.status_code == 503 and signed.headers["retry-after"] == "1"


def test_a_benchmark_run_that_loses_the_database_is_503_with_retry_after(
    client: TestClient, admin_headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def gone(*args: object, **kwargs: object) -> None:
        raise operational("consuming input failed: server closed the connection unexpectedly")

    monkeypatch.setattr(runs, "_compute_and_publish", gone)
    response = client.post(
        "/api/v1/benchmarks/calculate", json={"calculatedFor": "2026-01-01"}, headers=admin_headers
    )
    assert_503(response)
    assert "previous results are still published" in response.json()["detail"]


class TestSqliteFull:
    @pytest.fixture
    def full_database(self, tmp_path: Path, settings: Settings) -> Iterator[tuple[FastAPI, str]]:
        """A SQLite database that cannot grow past its size when the test starts."""
        url = f"sqlite:///{tmp_path / 'full.db'}"
        upgrade(url)
        engine = make_engine(url, busy_timeout=1)
        factory = make_session_factory(engine)
        with session_scope(factory) as session:
            _, token = create_user(session, role=Role.ADMIN)
        with engine.connect() as connection:
            pages = connection.exec_driver_sql("PRAGMA page_count").scalar_one()
        engine.dispose()  # new connections, each capped as the listener below says

        @event.listens_for(engine, "connect")
        def _cap(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

        app = create_app(settings.model_copy(update={"database_url": url}), session_factory=factory)
        yield app, token
        engine.dispose()

    def test_a_full_database_answers_503_and_keeps_what_it_had(
        self, full_database: tuple[FastAPI, str]
    ) -> None:
        app, token = full_database
        made: list[int] = []
        with TestClient(app, raise_server_exceptions=False) as client:
            for n in range(300):
                response = client.post(
                    "/api/v1/organizations",
                    json={"name": f"Filling {n:03} " + "x" * 150},
                    headers=bearer(token),
                )
                if response.status_code != 201:
                    break
                made.append(response.json()["id"])
            assert_503(response)
            assert "full" in response.json()["detail"]
            # Reads go on, readiness included, and every acknowledged write is there.
            assert client.get("/readyz").status_code == 200
            for organization_id in made:
                path = f"/api/v1/organizations/{organization_id}"
                assert client.get(path, headers=bearer(token)).status_code == 200


# --- a private PostgreSQL cluster, restarted and stopped under load --------------------

LOAD_CLIENTS = 3
LOAD_MAX_REQUESTS = 3000  # per client; the load also ends when the test says so
LOAD_MAX_SECONDS = 180
# How long the cluster stays down once the load has met the outage.
OUTAGE_SECONDS = 3


@dataclass
class Outcome:
    what: str
    status: int
    retry_after: str | None
    content_type: str
    # The organisation a write asked for.
    name: str | None = None


@dataclass
class Load:
    url: str
    token: str
    outcomes: list[Outcome]
    errors: list[BaseException]
    stop: threading.Event
    lock: threading.Lock

    def run(self, client_number: int) -> None:
        deadline = time.monotonic() + LOAD_MAX_SECONDS
        try:
            with httpx.Client(base_url=self.url, timeout=60) as client:
                for n in range(LOAD_MAX_REQUESTS):
                    if self.stop.is_set() or time.monotonic() > deadline:
                        return
                    name = f"Load {client_number}-{n}"
                    write = client.post(
                        "/api/v1/organizations", json={"name": name}, headers=bearer(self.token)
                    )
                    health = client.get("/readyz")
                    with self.lock:
                        self.outcomes.append(self._outcome("write", write, name))
                        self.outcomes.append(self._outcome("health", health))
        except BaseException as exc:  # reported by the test
            self.errors.append(exc)

    @staticmethod
    def _outcome(what: str, response: httpx.Response, name: str | None = None) -> Outcome:
        return Outcome(
            what,
            response.status_code,
            response.headers.get("retry-after"),
            response.headers.get("content-type", ""),
            name,
        )

    def count(self, what: str, status: int) -> int:
        with self.lock:
            return sum(1 for o in self.outcomes if o.what == what and o.status == status)

    def refused(self, what: str) -> int:
        with self.lock:
            return sum(1 for o in self.outcomes if o.what == what and o.status >= 300)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with private_cluster() as cluster:
        yield cluster


@pytest.fixture
def cluster_engine(cluster: Cluster) -> Iterator[Engine]:
    url = normalise_url(cluster.url)
    upgrade(url)
    engine = make_engine(url, busy_timeout=2)
    yield engine
    engine.dispose()


@pytest.fixture
def live_app(settings: Settings, cluster: Cluster, cluster_engine: Engine) -> FastAPI:
    """The live server's app on the private cluster (overrides the conftest fixture)."""
    on_cluster = settings.model_copy(
        update={"database_url": normalise_url(cluster.url), "database_busy_timeout_seconds": 2}
    )
    return create_app(on_cluster, session_factory=make_session_factory(cluster_engine))


@pytest.mark.slow
def test_a_postgresql_restart_and_outage_answer_503_and_lose_no_acknowledged_write(
    cluster: Cluster, cluster_engine: Engine, live_server: str
) -> None:
    factory = make_session_factory(cluster_engine)
    with session_scope(factory) as session:
        _, token = create_user(session, role=Role.ADMIN)
    load = Load(live_server, token, [], [], threading.Event(), threading.Lock())
    clients = [threading.Thread(target=load.run, args=(n,)) for n in range(LOAD_CLIENTS)]
    for thread in clients:
        thread.start()
    try:

        def more_writes(than: int) -> bool:
            return load.count("write", 201) >= than + 5 or bool(load.errors)

        wait_for(lambda: more_writes(0), seconds=60, what="writes before the restart")
        cluster.restart()
        before = load.count("write", 201)
        wait_for(lambda: more_writes(before), seconds=60, what="writes after the restart")

        cluster.stop()
        # While it is down, whatever the load does meanwhile: a write and the
        # health check are each a 503 with Retry-After.
        down = {"name": "Down"}
        probes = [
            httpx.post(f"{live_server}/api/v1/organizations", json=down, headers=bearer(token)),
            httpx.get(f"{live_server}/readyz"),
            httpx.get(f"{live_server}/api/v1/me", headers=bearer(token)),
            httpx.post(f"{live_server}/api/v1/login", json={"email": "a@b.test", "password": "x"}),
        ]
        refused = load.refused("write")
        wait_for(lambda: load.refused("write") >= refused + 5, seconds=60, what="refusals")
        time.sleep(OUTAGE_SECONDS)  # a few seconds down, whatever the load meanwhile
        cluster.start()

        wait_for(
            lambda: httpx.get(f"{live_server}/readyz", timeout=60).status_code == 200,
            seconds=60,
            what="health after the start",
        )
        before = load.count("write", 201)
        wait_for(lambda: more_writes(before), seconds=60, what="writes after the start")
    finally:
        load.stop.set()
        for thread in clients:
            thread.join(timeout=120)
    assert load.errors == []
    statuses = sorted({(o.what, o.status) for o in load.outcomes})
    failures = [o for o in load.outcomes if o.status >= 300]
    summary = {s: sum(1 for o in load.outcomes if (o.what, o.status) == s) for s in statuses}
    print(f"outcomes under restart and outage: {summary}")  # noqa: T201 - the test's figures
    for probe in probes:
        assert_503(probe)
    assert {o.status for o in failures} == {503}, summary
    assert all(o.retry_after and o.content_type.startswith(PROBLEM_JSON) for o in failures)

    acknowledged = {o.name for o in load.outcomes if o.what == "write" and o.status == 201}
    with session_scope(factory) as session:
        stored = set(session.scalars(select(Organization.name)))
    assert acknowledged and acknowledged <= stored
