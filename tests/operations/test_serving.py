"""A live `opsportal serve --workers 2`: one scrape sums both workers, parsed by
prometheus-client's own parser; logs are JSON lines that carry each request's id."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.parser import text_string_to_metric_families

from tests.processes import START_SECONDS, free_port, wait_for

pytestmark = pytest.mark.slow

COMMAND = [sys.executable, "-m", "opsportal.cli"]
TOKEN = "scrape-token-for-the-test"
REQUESTS = 60


class Server(NamedTuple):
    url: str
    log: Path
    pids: list[int]
    metrics_dir: Path


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["OPSPORTAL_DATABASE_URL"] = f"sqlite:///{tmp_path / 'served.db'}"
    env["OPSPORTAL_METRICS_TOKEN"] = TOKEN
    env["OPSPORTAL_LOG_FORMAT"] = "json"
    env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path / "samples")
    env["COLUMNS"] = "200"
    subprocess.run([*COMMAND, "db", "upgrade"], env=env, check=True, capture_output=True)
    return env


def serve(env: dict[str, str], log: Path) -> Iterator[Server]:
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*COMMAND, "serve", "--port", str(port), "--workers", "2", "--no-scheduler"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: "serving http" in log.read_text(), seconds=START_SECONDS, what="workers")
        found = re.search(r"with 2 workers \(pids (\d+), (\d+)\)", log.read_text())
        assert found is not None, log.read_text()
        pids = [int(found.group(1)), int(found.group(2))]
        yield Server(f"http://127.0.0.1:{port}", log, pids, Path(env["PROMETHEUS_MULTIPROC_DIR"]))
    finally:
        process.terminate()
        process.wait(timeout=60)


def scrape(url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    with httpx.Client() as client:  # a connection of its own: any worker may answer
        response = client.get(f"{url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


HEALTH = (
    "opsportal_http_requests_total",
    frozenset({("route", "/healthz"), ("method", "GET"), ("status", "200")}),
)


def per_worker(metrics_dir: Path, pid: int) -> float:
    """The /healthz count one worker wrote to its own file."""
    path = metrics_dir / f"counter_{pid}.db"
    if not path.exists():
        return 0.0
    total = 0.0
    for key, value, _timestamp, _pos in MmapedDict.read_all_values_from_file(str(path)):
        name, sample, labels, *_ = json.loads(key)
        if sample == HEALTH[0] and frozenset(labels.items()) == HEALTH[1]:
            total += value
    del name
    return total


def test_one_scrape_sums_both_workers_and_a_new_server_starts_from_zero(
    environment: dict[str, str], tmp_path: Path, on_postgres: bool
) -> None:
    if on_postgres:
        pytest.skip("serves its own SQLite database: run once, in the SQLite pass")
    # An earlier server's samples in the same directory must not be summed in.
    earlier = serve(environment, tmp_path / "earlier.log")
    server = next(earlier)
    for _ in range(7):
        assert httpx.get(f"{server.url}/healthz").status_code == 200
    next(earlier, None)

    run = serve(environment, tmp_path / "serve.log")
    server = next(run)
    try:
        for n in range(REQUESTS):  # a new connection each: the kernel spreads them over both
            response = httpx.get(f"{server.url}/healthz", headers={"X-Request-ID": f"probe-{n}"})
            assert response.status_code == 200
            assert response.headers["x-request-id"] == f"probe-{n}"
        shares = [per_worker(server.metrics_dir, pid) for pid in server.pids]
        assert sum(shares) == REQUESTS and min(shares) > 0, shares
        for _ in range(6):  # whichever worker answers the scrape, it sums both
            assert scrape(server.url)[HEALTH] == REQUESTS
        assert httpx.get(f"{server.url}/metrics").status_code == 401
        lines = server.log.read_text().splitlines()
    finally:
        next(run, None)

    entries = [json.loads(line) for line in lines if line.strip()]  # every line is JSON
    assert all(isinstance(entry, dict) and "message" in entry for entry in entries)
    access = [e for e in entries if e["logger"] == "uvicorn.access" and e.get("path") == "/healthz"]
    assert {e["requestId"] for e in access} == {f"probe-{n}" for n in range(REQUESTS)}
    assert {e["process"] for e in access} == set(server.pids)
