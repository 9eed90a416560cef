"""`opsportal demo` and `opsportal serve` as a user runs them: real processes, a fresh database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from opsportal.db import make_engine, make_session_factory
from opsportal.models import Organization, User
from tests.processes import free_port

pytestmark = pytest.mark.slow


def run_cli(
    *args: str, env: dict[str, str], timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "opsportal.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def fresh_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["OPSPORTAL_DATABASE_URL"] = f"sqlite:///{tmp_path / 'fresh.db'}"
    env["OPSPORTAL_SCHEDULER_ENABLED"] = "false"
    return env


def test_demo_loads_idempotently_and_prints_logins(fresh_env: dict[str, str]) -> None:
    first = run_cli("demo", "--no-serve", env=fresh_env)
    assert first.returncode == 0, first.stderr
    for email in ("admin@opsportal.example", "ops@opsportal.example", "customer@northwind.example"):
        assert email in first.stdout

    engine = make_engine(fresh_env["OPSPORTAL_DATABASE_URL"])
    factory = make_session_factory(engine)

    def counts() -> tuple[int, int]:
        with factory() as session:
            users = session.scalar(select(func.count()).select_from(User)) or 0
            orgs = session.scalar(select(func.count()).select_from(Organization)) or 0
            return users, orgs

    try:
        before = counts()
        second = run_cli("demo", "--no-serve", env=fresh_env)
        assert second.returncode == 0, second.stderr
        assert counts() == before
    finally:
        engine.dispose()
    assert before[0] >= 3


def test_serve_answers_health_and_docs(fresh_env: dict[str, str]) -> None:
    assert run_cli("db", "upgrade", env=fresh_env).returncode == 0
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "opsportal.cli", "serve", "--port", str(port), "--no-scheduler"],
        env=fresh_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError("server did not come up") from None
                time.sleep(0.2)
        assert health.json()["status"] == "ok"
        assert httpx.get(f"{base}/docs", timeout=5).status_code == 200
        login = httpx.get(f"{base}/login", timeout=5)
        assert login.status_code == 200 and "Log in" in login.text
    finally:
        process.terminate()
        process.wait(timeout=20)
