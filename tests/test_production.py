"""OPSPORTAL_ENVIRONMENT=production refuses laptop-only settings, however the app is started."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from opsportal.app import create_app
from opsportal.cli import app as cli_app
from opsportal.config import Settings, get_settings
from opsportal.config_production import ConfigurationError, production_problems
from opsportal.db import SessionFactory

GOOD = {
    "environment": "production",
    "secret_key": "k" * 32,
    "session_cookie_secure": True,
    "database_url": "postgresql://opsportal@db.invalid/opsportal",
    "public_base_url": "https://ops.example.com",
    # Named, since tests/conftest.py lowers the default for the test run.
    "password_hash_time_cost": 3,
    "password_hash_memory_kib": 65536,
}


def production(**changes: object) -> Settings:
    return Settings(**{**GOOD, **changes})  # type: ignore[arg-type]


class TestProductionRefusals:
    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"secret_key": None}, "OPSPORTAL_SECRET_KEY is not set"),
            ({"secret_key": ""}, "OPSPORTAL_SECRET_KEY is not set"),
            ({"secret_key": "k" * 31}, "OPSPORTAL_SECRET_KEY is 31 characters long"),
            ({"session_cookie_secure": False}, "OPSPORTAL_SESSION_COOKIE_SECURE is false"),
            ({"database_url": "sqlite:///./opsportal.db"}, "OPSPORTAL_DATABASE_URL is SQLite"),
            ({"password_hash_time_cost": 2}, "OPSPORTAL_PASSWORD_HASH_TIME_COST is 2"),
            ({"password_hash_memory_kib": 32768}, "OPSPORTAL_PASSWORD_HASH_MEMORY_KIB is 32768"),
            ({"public_base_url": ""}, "OPSPORTAL_PUBLIC_BASE_URL is not set"),
            ({"public_base_url": "http://ops.example.com"}, "must start with https://"),
        ],
    )
    def test_create_app_refuses(
        self, session_factory: SessionFactory, changes: dict[str, object], message: str
    ) -> None:
        with pytest.raises(ConfigurationError, match=message) as refused:
            create_app(production(**changes), session_factory=session_factory)
        assert "OPSPORTAL_ENVIRONMENT=production" in str(refused.value)

    def test_every_problem_is_named_at_once(self) -> None:
        problems = production_problems(
            production(secret_key=None, session_cookie_secure=False, database_url="sqlite://")
        )
        assert len(problems) == 3

    def test_good_production_settings_start(self, session_factory: SessionFactory) -> None:
        app = create_app(production(), session_factory=session_factory)
        with TestClient(app, base_url="https://testserver") as client:
            response = client.get("/login")
        assert response.status_code == 200
        assert response.headers["strict-transport-security"].startswith("max-age=")
        assert "secure" in response.headers["set-cookie"].lower()

    def test_development_starts_with_anything(self) -> None:
        assert production_problems(Settings(secret_key=None, database_url="sqlite://")) == []

    def test_the_secret_key_is_not_shown_in_settings_repr(self) -> None:
        assert "k" * 32 not in repr(production())


class TestEntryPointsRefuse:
    def test_serve_prints_the_message_and_exits_non_zero(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("OPSPORTAL_ENVIRONMENT", "production")
        monkeypatch.setenv("OPSPORTAL_DATABASE_URL", "sqlite:///./never-created.db")
        monkeypatch.delenv("OPSPORTAL_SECRET_KEY", raising=False)
        get_settings.cache_clear()
        try:
            result = CliRunner().invoke(cli_app, ["serve", "--port", "1"])
        finally:
            get_settings.cache_clear()
        assert result.exit_code == 1
        output = " ".join(result.output.split())
        assert "refusing to start with OPSPORTAL_ENVIRONMENT=production" in output
        assert "OPSPORTAL_SECRET_KEY is not set" in output
        assert "OPSPORTAL_DATABASE_URL is SQLite" in output
        assert not os.path.exists("never-created.db")

    @pytest.mark.slow
    def test_uvicorn_with_the_app_factory_refuses_too(self) -> None:
        env = {
            **os.environ,
            "OPSPORTAL_ENVIRONMENT": "production",
            "OPSPORTAL_SECRET_KEY": "short",
            "OPSPORTAL_SESSION_COOKIE_SECURE": "true",
            "OPSPORTAL_DATABASE_URL": "postgresql://opsportal@db.invalid/opsportal",
            "OPSPORTAL_PUBLIC_BASE_URL": "https://ops.example.com",
        }
        done = subprocess.run(
            [sys.executable, "-m", "uvicorn", "opsportal.app:serve_app", "--factory"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode != 0
        assert "OPSPORTAL_SECRET_KEY is 5 characters long" in done.stderr
