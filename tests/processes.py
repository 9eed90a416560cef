"""Helpers for tests that start real `opsportal` processes on loopback."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

START_SECONDS = 60


def wait_for(condition: Callable[[], bool], *, seconds: float, what: str) -> None:
    """Poll `condition` until it holds; fail the test after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def answers(url: str) -> bool:
    """True once the server at `url` answers /healthz with 200."""
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_processes(env: dict[str, str], *, count: int = 2) -> Iterator[list[str]]:
    """`count` `opsportal serve --no-scheduler` processes with `env`, once each answers /healthz."""
    processes, urls = [], []
    try:
        for _ in range(count):
            port = free_port()
            processes.append(
                subprocess.Popen(
                    [
                        *(sys.executable, "-m", "opsportal.cli", "serve"),
                        *("--no-scheduler", "--port", str(port)),
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + START_SECONDS
        for url, process in zip(urls, processes, strict=True):
            while True:
                try:
                    httpx.get(f"{url}/healthz", timeout=2)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise AssertionError("a server did not come up") from None
                    time.sleep(0.2)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


@contextmanager
def serving(env: dict[str, str], *, log: Path, workers: int = 1) -> Iterator[str]:
    """`opsportal serve --no-scheduler --workers N` with `env`, its output kept in `log`;
    the URL once every worker listens. Stopped afterwards."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [
                *(sys.executable, "-m", "opsportal.cli", "serve", "--no-scheduler"),
                *("--port", str(port), "--workers", str(workers)),
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(
            lambda: (
                server.poll() is not None
                or (answers(url) and (workers == 1 or "serving http" in log.read_text()))
            ),
            seconds=START_SECONDS,
            what="the server to listen",
        )
        assert server.poll() is None, log.read_text()
        yield url
    finally:
        if server.poll() is None:
            server.terminate()  # with several workers, the supervisor stops them too
            server.wait(timeout=60)
