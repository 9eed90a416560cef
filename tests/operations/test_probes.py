"""`/healthz` is liveness (no database); `/readyz` is readiness: the database answers, the
schema is at head. A stopped PostgreSQL and a schema behind head are each a 503 naming why."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from alembic import command
from fastapi.testclient import TestClient

from opsportal.app import create_app
from opsportal.config import Settings
from opsportal.db import make_engine, make_session_factory, normalise_url
from opsportal.errors import PROBLEM_JSON
from opsportal.migrate import alembic_config, upgrade
from opsportal.operations.health import head_revisions
from tests.pgcluster import Cluster, private_cluster
from tests.processes import free_port


def assert_not_ready(response: httpx.Response, reason: str) -> str:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert int(response.headers["retry-after"]) >= 1
    body = response.json()
    assert body["status"] == 503 and body["reason"] == reason
    return str(body["detail"])


def test_ready_at_head(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ready"
    assert response.json()["revision"] in head_revisions()


def test_liveness_asks_nothing_of_the_database(settings: Settings) -> None:
    nowhere = settings.model_copy(
        update={"database_url": f"postgresql://postgres@127.0.0.1:{free_port()}/opsportal"}
    )
    with TestClient(create_app(nowhere), raise_server_exceptions=False) as client:
        assert client.get("/healthz").json()["status"] == "ok"
        detail = assert_not_ready(client.get("/readyz"), "database")
        assert "does not answer" in detail


class TestSchemaBehindHead:
    @pytest.fixture
    def behind(self, tmp_path: Path, settings: Settings) -> Iterator[TestClient]:
        """A SQLite database migrated to the revision before head."""
        url = f"sqlite:///{tmp_path / 'behind.db'}"
        command.upgrade(alembic_config(url), "head")
        command.downgrade(alembic_config(url), "-1")
        engine = make_engine(url)
        app = create_app(
            settings.model_copy(update={"database_url": url}),
            session_factory=make_session_factory(engine),
        )
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client
        engine.dispose()

    def test_a_schema_behind_head_is_not_ready_until_upgraded(
        self, behind: TestClient, tmp_path: Path
    ) -> None:
        (head,) = head_revisions()
        detail = assert_not_ready(behind.get("/readyz"), "schema")
        assert f"not at head {head}" in detail and "opsportal db upgrade" in detail
        assert behind.get("/healthz").status_code == 200
        upgrade(f"sqlite:///{tmp_path / 'behind.db'}")
        assert behind.get("/readyz").status_code == 200

    def test_an_empty_database_has_no_schema(self, tmp_path: Path, settings: Settings) -> None:
        url = f"sqlite:///{tmp_path / 'empty.db'}"
        app = create_app(settings.model_copy(update={"database_url": url}))
        with TestClient(app, raise_server_exceptions=False) as client:
            detail = assert_not_ready(client.get("/readyz"), "schema")
        assert "no schema" in detail


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with private_cluster() as cluster:
        yield cluster


@pytest.mark.slow
def test_readyz_follows_a_postgresql_that_stops_and_starts(
    postgres_only: None, cluster: Cluster, settings: Settings
) -> None:
    """On the PostgreSQL run of the suite, against a private cluster it stops and starts."""
    url = normalise_url(cluster.url)
    upgrade(url)
    on_cluster = settings.model_copy(
        update={"database_url": url, "database_busy_timeout_seconds": 2}
    )
    with TestClient(create_app(on_cluster), raise_server_exceptions=False) as client:
        assert client.get("/readyz").status_code == 200
        cluster.stop()
        assert_not_ready(client.get("/readyz"), "database")
        assert client.get("/healthz").status_code == 200
        cluster.start()
        ready = client.get("/readyz")
        if ready.status_code != 200:  # the pool's first connection after a restart is stale
            ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
