"""A real Learning Record Store for tests: Learning Locker's xAPI statements service.

`xapi-statements` (npm, Learning Locker's statement API, GPL-3.0, used here only as a
test server) keeps statements in memory, takes PUT and POST /xAPI/statements, and
answers GET /xAPI/statements with the standard's filters (agent, verb, ...). Its
"test" auth accepts any basic credentials.

Why not Ralph (ralph-malph): its only server-less backend, the filesystem one, writes
each request with the CREATE operation into one file (fs_lrs.jsonl), and neither its
API nor its settings choose another operation: the second statement gets a 500
("already exists and overwrite is not allowed"), in 4.x and 5.x alike. Its other
backends need Elasticsearch, MongoDB or ClickHouse servers, which are not to be had here.

It is installed once with npm into `LRS_DIR` (`.ci/run` does it before the tests).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.processes import free_port, wait_for

LRS_PACKAGE = "xapi-statements@5.0.1"
LRS_DIR = Path(
    os.environ.get(
        "OPSPORTAL_TEST_LRS_DIR", Path.home() / ".cache" / "opsportal-tests" / "xapi-statements"
    )
)
ENTRY = LRS_DIR / "node_modules" / "xapi-statements" / "dist" / "index.js"
XAPI_HEADERS = {"X-Experience-API-Version": "1.0.3"}


def installed() -> bool:
    """Install the LRS into LRS_DIR unless it is there; False when node or npm is missing."""
    if ENTRY.is_file():
        return True
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        return False
    LRS_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [npm, "install", "--prefix", str(LRS_DIR), "--no-audit", "--no-fund", "--ignore-scripts",
         "--loglevel", "error", LRS_PACKAGE],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    return ENTRY.is_file()


@contextmanager
def running_lrs(home: Path) -> Iterator[str]:
    """The LRS on a free loopback port, statements in memory; yields its xAPI endpoint."""
    port = free_port()
    env = {
        **os.environ,
        "EXPRESS_PORT": str(port),
        "MODELS_REPO": "memory",
        "STORAGE_REPO": "local",
        "AUTH_REPO": "test",
        "EVENTS_REPO": "test",
        "SERVICE_AWAIT_UPDATES": "true",
        "FS_LOCAL_STORAGE_DIR": str(home / "storage"),
        "EXPRESS_MORGAN_DIRECTORY": str(home / "access"),
        "WINSTON_CONSOLE_LEVEL": "warn",
    }
    url = f"http://127.0.0.1:{port}/xAPI"
    node = shutil.which("node")
    assert node is not None
    with (home / "lrs.log").open("wb") as log:
        process = subprocess.Popen(
            [node, str(ENTRY)], cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT
        )

    def up() -> bool:
        if process.poll() is not None:
            return True
        try:
            return httpx.get(f"{url}/about", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(up, seconds=60, what="the LRS")
        assert process.poll() is None, (home / "lrs.log").read_text()
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def statements_of(url: str, agent: dict[str, object]) -> list[dict[str, object]]:
    """What the LRS holds for `agent`, asked through its xAPI API (GET /statements)."""
    import json

    response = httpx.get(
        f"{url}/statements",
        params={"agent": json.dumps(agent), "limit": 100},
        auth=("portal", "secret"),
        headers=XAPI_HEADERS,
    )
    assert response.status_code == 200, response.text
    return list(response.json()["statements"])
