"""Without OPSPORTAL_SECRET_KEY: one random key, made on first start, shared by the database."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opsportal.app import create_app
from opsportal.config import Settings
from opsportal.config_production import ConfigurationError
from opsportal.db import SessionFactory, make_engine, make_session_factory
from opsportal.models import AppSecret, Role
from opsportal.web.secret_key import SESSION_KEY_NAME, shared_secret_key
from tests.factories import create_user
from tests.pages import PASSWORD, log_in


def test_first_start_makes_a_random_key_and_every_replica_uses_it(
    settings: Settings, session_factory: SessionFactory, session: Session
) -> None:
    unset = settings.model_copy(update={"secret_key": None})
    first = create_app(unset, session_factory=session_factory)
    key = session.scalar(select(AppSecret.value).where(AppSecret.name == SESSION_KEY_NAME))
    assert key is not None and len(key) >= 48
    assert key != "dev-insecure-change-me"

    user, _ = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
    with TestClient(first) as on_first:
        assert log_in(on_first, user.email).status_code == 303
        cookie = on_first.cookies["opsportal_session"]
    # Another process (a replica, a restart) signs with the same key: the cookie works there.
    second = create_app(unset, session_factory=session_factory)
    with TestClient(second) as on_second:
        on_second.cookies.set("opsportal_session", cookie)
        assert on_second.get("/training", follow_redirects=False).status_code == 200
    assert session.scalar(select(func.count()).select_from(AppSecret)) == 1


def test_a_configured_key_is_used_and_nothing_is_stored(app: object, session: Session) -> None:
    assert session.scalar(select(func.count()).select_from(AppSecret)) == 0


def test_concurrent_first_starts_agree_on_one_key(
    committed_session_factory: SessionFactory,
) -> None:
    barrier = threading.Barrier(6)
    keys: list[str] = []

    def start() -> None:
        barrier.wait()
        keys.append(shared_secret_key(committed_session_factory))

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(keys) == 6
    assert len(set(keys)) == 1


def test_an_unmigrated_database_is_a_clear_error(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        with pytest.raises(ConfigurationError, match="opsportal db upgrade"):
            shared_secret_key(make_session_factory(engine))
    finally:
        engine.dispose()
