"""Test set-up: one migrated database per run, one rolled-back transaction per test.

The same suite runs on SQLite (default) and on PostgreSQL when
OPSPORTAL_TEST_DATABASE_URL names one. Each test's sessions join an outer
transaction that is rolled back afterwards (SQLAlchemy's "joining a session
into an external transaction" recipe). Tests that need real commits seen by
several connections (concurrency) use `committed_session_factory` instead,
which empties every table afterwards. `live_server` serves that data over real
HTTP; the browser tests drive Debian's Chromium against it through Playwright,
with the fixtures of `tests/browser_fixtures.py` (loaded by each browser test
module's `pytest_plugins`).

Markers: a test that uses the browser is marked `browser`, one that starts a
live server `slow` (see `pytest_collection_modifyitems`); other slow tests carry
the marker themselves. `uv run pytest -m "not browser and not slow"` is the
quick loop, and its property tests search lightly (tests/hypothesis_profiles.py).

Quick: this module imports neither the app, the CLI nor the database layer until
a fixture needs them, so a test of a pure module starts in a second or two. And
passwords are hashed at a tiny argon2 cost (the OPSPORTAL_PASSWORD_HASH_* settings,
which subprocesses inherit too), except in tests marked `real_password_cost`:
those about hashing or the time a login takes.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pytest

if TYPE_CHECKING:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient
    from sqlalchemy import Connection, Engine
    from sqlalchemy.orm import Session

    from opsportal.config import Settings
    from opsportal.db import SessionFactory
    from tests.factories import Customer

# A cheap argon2 cost for every password the tests hash (a developer may still
# export the real one). Set before any settings are read, here and in subprocesses.
TEST_PASSWORD_HASH_COST = {
    "OPSPORTAL_PASSWORD_HASH_TIME_COST": "1",
    "OPSPORTAL_PASSWORD_HASH_MEMORY_KIB": "64",
}
for _name, _value in TEST_PASSWORD_HASH_COST.items():
    os.environ.setdefault(_name, _value)


def pytest_configure(config: pytest.Config) -> None:
    """The quick loop, a run that leaves the slow tests out, searches lightly
    (tests/hypothesis_profiles.py); unless it names a Hypothesis profile itself."""
    if "not slow" in (config.getoption("markexpr") or "") and not config.getoption(
        "hypothesis_profile", default=None
    ):
        from tests.hypothesis_profiles import use_quick_profile

        use_quick_profile()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by what they start: Chromium is `browser`, a live server is `slow`."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "browser" in fixtures:
            item.add_marker(pytest.mark.browser)
        if "live_server" in fixtures:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _password_hash_cost(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test starts hashing at the run's cheap cost, or at the production cost
    when marked `real_password_cost` (then its settings have that cost too).

    Autouse, so it runs before the fixtures that read the settings or hash a
    password; and whatever cost a test's app set, the next test starts afresh.
    """
    real = request.node.get_closest_marker("real_password_cost") is not None
    saved = {name: os.environ.pop(name, None) for name in TEST_PASSWORD_HASH_COST} if real else {}
    # Nothing to set before the hashing module is imported (an app or the CLI sets it then).
    if real or "opsportal.auth.secrets" in sys.modules:
        from opsportal.auth.secrets import use_password_hash_cost
        from opsportal.config import (
            SECURE_PASSWORD_HASH_MEMORY_KIB,
            SECURE_PASSWORD_HASH_TIME_COST,
        )

        use_password_hash_cost(
            time_cost=int(
                os.environ.get("OPSPORTAL_PASSWORD_HASH_TIME_COST", SECURE_PASSWORD_HASH_TIME_COST)
            ),
            memory_kib=int(
                os.environ.get(
                    "OPSPORTAL_PASSWORD_HASH_MEMORY_KIB", SECURE_PASSWORD_HASH_MEMORY_KIB
                )
            ),
        )
    try:
        yield
    finally:
        os.environ.update({name: value for name, value in saved.items() if value is not None})


def _test_database_url(tmp_root: Path) -> str:
    from opsportal.db import normalise_url

    url = os.environ.get("OPSPORTAL_TEST_DATABASE_URL")
    if url:
        return normalise_url(url)
    return f"sqlite:///{tmp_root / 'opsportal-test.db'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _test_database_url(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    from sqlalchemy import text

    from opsportal.db import is_sqlite, make_engine
    from opsportal.migrate import upgrade

    engine = make_engine(database_url)
    if not is_sqlite(database_url):
        # Start from an empty schema so a re-run never sees a previous run's rows.
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def on_postgres(database_url: str) -> bool:
    from opsportal.db import is_sqlite

    return not is_sqlite(database_url)


@pytest.fixture
def postgres_only(on_postgres: bool) -> None:
    if not on_postgres:
        pytest.skip("needs PostgreSQL (set OPSPORTAL_TEST_DATABASE_URL)")


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        outer = conn.begin()
        try:
            yield conn
        finally:
            outer.rollback()


@pytest.fixture(scope="session")
def _test_sessions() -> SessionFactory:
    """The one session factory of the tests', bound to each test's connection in turn
    (by `session_factory`), so that one app can serve them all (see `app`)."""
    from sqlalchemy.orm import sessionmaker

    return sessionmaker(join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def session_factory(
    connection: Connection, _test_sessions: SessionFactory
) -> Iterator[SessionFactory]:
    """Sessions inside this test's transaction (rolled back at its end)."""
    _test_sessions.configure(bind=connection)
    try:
        yield _test_sessions
    finally:
        _test_sessions.configure(bind=None)


@pytest.fixture
def session(session_factory: SessionFactory) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture
def committed_session_factory(engine: Engine) -> Iterator[SessionFactory]:
    """Real commits on separate connections, for concurrency tests; tables emptied afterwards."""
    from opsportal.db import make_session_factory
    from opsportal.models import Base

    yield make_session_factory(engine)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


_settings_made: dict[tuple[str, tuple[tuple[str, str], ...]], Settings] = {}


def _test_settings(database_url: str) -> Settings:
    """The tests' settings: read once per environment (a few ms each), a copy for each test."""
    from opsportal.config import Settings

    environment = tuple(
        sorted(
            (name, value)
            for name, value in os.environ.items()
            if name.upper().startswith("OPSPORTAL_")
        )
    )
    made = _settings_made.get((database_url, environment))
    if made is None:
        made = _settings_made[(database_url, environment)] = Settings(
            database_url=database_url,
            secret_key="test-secret-key-with-enough-length",
            public_base_url="http://testserver",
            scheduler_enabled=False,
            # The pseudo-locale (`en-XA`) is offered, to find text never marked for translation.
            pseudo_locale=True,
        )
    return made.model_copy()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return _test_settings(database_url)


class _SharedApp(NamedTuple):
    app: FastAPI
    settings: Settings
    session_factory: SessionFactory


@pytest.fixture(scope="session")
def _shared_app(database_url: str, _test_sessions: SessionFactory) -> _SharedApp:
    from opsportal.app import create_app

    settings = _test_settings(database_url)
    return _SharedApp(
        create_app(settings, session_factory=_test_sessions), settings, _test_sessions
    )


@pytest.fixture
def app(
    settings: Settings, session_factory: SessionFactory, _shared_app: _SharedApp
) -> Iterator[FastAPI]:
    """The app, made by `create_app` for each test; with the usual settings, in one object.

    FastAPI works out each route's dependencies on an app's first request,
    0.1-0.3 s a time, which most tests would pay again. So a test with the usual
    `settings` and `session_factory` gets the one app whose routes have been
    worked out already, with everything else as a new app has it: the state
    (settings, session factories, caches) and the process-wide set-up of this
    test's own `create_app`, and middleware built afresh on its first request.
    """
    from opsportal.app import create_app

    own = create_app(settings, session_factory=session_factory)
    shared = _shared_app.app
    if settings != _shared_app.settings or session_factory is not _shared_app.session_factory:
        yield own
        return
    shared.state = own.state
    shared.middleware_stack = None
    layout = (len(shared.routes), len(shared.user_middleware))
    yield shared
    if (len(shared.routes), len(shared.user_middleware)) != layout or shared.dependency_overrides:
        shared.dependency_overrides.clear()
        raise RuntimeError(
            "a test changed the shared app's routes, middleware or dependency overrides; "
            "give it its own app (create_app) instead"
        )


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def admin_headers(session: Session) -> dict[str, str]:
    from opsportal.models import Role
    from tests.factories import bearer, create_user

    _, token = create_user(session, role=Role.ADMIN)
    return bearer(token)


@pytest.fixture
def staff_headers(session: Session) -> dict[str, str]:
    """An internal (staff, not admin) user's API headers."""
    from opsportal.models import Role
    from tests.factories import bearer, create_user

    _, token = create_user(session, role=Role.INTERNAL)
    return bearer(token)


@pytest.fixture
def customer(session: Session) -> Customer:
    """A customer user with its own organisation and its API headers."""
    from tests.factories import create_customer

    return create_customer(session)


@pytest.fixture
def cli_session_factory(
    monkeypatch: pytest.MonkeyPatch, session_factory: SessionFactory
) -> SessionFactory:
    """Point the CLI at the test transaction."""
    from opsportal.cli import base

    monkeypatch.setattr(base, "_session_factory", session_factory)
    return session_factory


@pytest.fixture
def live_app(settings: Settings, committed_session_factory: SessionFactory) -> FastAPI:
    from opsportal.app import create_app

    return create_app(settings, session_factory=committed_session_factory)


@pytest.fixture
def live_server(live_app: FastAPI) -> Iterator[str]:
    """A real uvicorn server on a free loopback port, for concurrent requests and the browser.

    It serves `live_app`, whose data is committed for real (see
    `committed_session_factory`); set data up with `session_scope(committed_session_factory)`.
    """
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(live_app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
