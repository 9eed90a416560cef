"""The login throttle across two real `opsportal serve` processes on one database:
the failures counted by one are refused by the other."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.pages import csrf_from
from tests.processes import serve_processes

pytestmark = pytest.mark.slow

PASSWORD = "the right password"


def run_cli(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "opsportal.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["OPSPORTAL_DATABASE_URL"] = f"sqlite:///{tmp_path / 'shared.db'}"
    env["OPSPORTAL_SCHEDULER_ENABLED"] = "false"
    # One password check at a time per process, and a long wait for it, so the
    # burst below is decided by the throttle rather than by 503s.
    env["OPSPORTAL_PASSWORD_CHECKS_CONCURRENT"] = "1"
    env["OPSPORTAL_PASSWORD_CHECK_WAIT_SECONDS"] = "60"
    run_cli("db", "upgrade", env=env)
    return env


@pytest.fixture
def servers(env: dict[str, str]) -> Iterator[list[str]]:
    with serve_processes(env) as urls:
        yield urls


def create_user(env: dict[str, str], email: str) -> None:
    out = run_cli(
        "user", "create", "--email", email, "--name", "Throttled", "--role", "internal",
        "--password", PASSWORD, env=env,
    )  # fmt: skip
    assert "token" in json.loads(out)


def api_login(url: str, email: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{url}/api/v1/login", json={"email": email, "password": password}, timeout=120
    )


def form_login(url: str, email: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=url, timeout=60) as client:
        page = client.get("/login")
        return client.post(
            "/login",
            data={
                "email": email,
                "password": password,
                "next": "/",
                "csrf_token": csrf_from(page.text),
            },
        )


def test_failures_on_one_server_lock_the_email_on_the_other(
    env: dict[str, str], servers: list[str]
) -> None:
    first, second = servers
    create_user(env, "shared@example.test")
    for n in range(10):
        url = servers[n % 2]
        assert api_login(url, "shared@example.test", f"guess {n}").status_code == 401
    for url in servers:
        refused = api_login(url, "shared@example.test", PASSWORD)
        assert refused.status_code == 429, url
        assert int(refused.headers["Retry-After"]) > 0
    page = form_login(second, "shared@example.test", PASSWORD)
    assert page.status_code == 429 and "Too many failed logins" in page.text
    # Only that email: another account logs in on either server.
    create_user(env, "other@example.test")
    assert api_login(first, "other@example.test", PASSWORD).status_code == 201


def test_a_concurrent_burst_on_both_servers_gets_about_ten_guesses(
    env: dict[str, str], servers: list[str]
) -> None:
    create_user(env, "burst@example.test")
    attempts = 30
    with ThreadPoolExecutor(max_workers=attempts) as pool:
        statuses = Counter(
            pool.map(
                lambda n: api_login(servers[n % 2], "burst@example.test", f"guess {n}").status_code,
                range(attempts),
            )
        )
    assert set(statuses) <= {401, 429}, statuses
    # Each process checks one password at a time: at most one more guess per extra
    # process can be in flight when the tenth failure is written.
    assert 10 <= statuses[401] <= 10 + len(servers) - 1, statuses
    assert api_login(servers[0], "burst@example.test", PASSWORD).status_code == 429
