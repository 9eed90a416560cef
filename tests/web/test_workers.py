"""`opsportal serve --workers 2` as an operator runs it: a real process tree on loopback."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import START_SECONDS, answers, free_port, wait_for

pytestmark = pytest.mark.slow

CONNECTIONS = 32
ESTABLISHED, LISTEN = "01", "0A"


def sockets_on(port: int, state: str) -> set[str]:
    """Socket inodes of this machine's TCP sockets on local `port` in `state`."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        lines = Path(table).read_text().splitlines()[1:]
        for fields in (line.split() for line in lines):
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == state:
                inodes.add(fields[9])
    return inodes


def sockets_held(pid: int) -> set[str]:
    held = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd)
        if target.startswith("socket:["):
            held.add(target[len("socket:[") : -1])
    return held


def running(pid: int) -> bool:
    """True while `pid` runs (a zombie waiting to be reaped holds no socket and runs nothing)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


COMMAND = [sys.executable, "-m", "opsportal.cli"]


def migrated(tmp_path: Path) -> dict[str, str]:
    """The environment of a server on a fresh, migrated SQLite database."""
    env = dict(os.environ)
    env["OPSPORTAL_DATABASE_URL"] = f"sqlite:///{tmp_path / 'workers.db'}"
    env["COLUMNS"] = "200"  # messages on one line
    subprocess.run([*COMMAND, "db", "upgrade"], env=env, check=True, capture_output=True)
    return env


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    env = migrated(tmp_path)
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*COMMAND, "serve", "--port", str(port), "--workers", "2", "--no-scheduler"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(
            lambda: "serving http" in log.read_text(),
            seconds=START_SECONDS,
            what="every worker to listen",
        )
        yield server, port, log
    finally:
        if server.poll() is None:
            server.terminate()  # the supervisor stops its workers too
            server.wait(timeout=60)


def worker_pids(log: Path) -> list[int]:
    found = re.search(r"with 2 workers \(pids (\d+), (\d+)\)", log.read_text())
    assert found is not None, log.read_text()
    return [int(found.group(1)), int(found.group(2))]


def test_connections_are_spread_over_the_workers_and_a_dead_worker_is_replaced(
    two_workers: tuple[subprocess.Popen[bytes], int, Path],
) -> None:
    server, port, log = two_workers
    url = f"http://127.0.0.1:{port}"
    first, second = worker_pids(log)
    for pid in (first, second):  # "serving" is said once each listens on a socket of its own
        assert sockets_held(pid) & sockets_on(port, LISTEN)

    # A burst of connections, as wrk or a reverse proxy opens them: each
    # worker has a socket of its own, so both take a share.
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(CONNECTIONS)]
    try:
        for client in clients:
            client.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        for client in clients:
            assert client.recv(64).startswith(b"HTTP/1.1 200")
        connections = sockets_on(port, ESTABLISHED)
        shares = [len(sockets_held(pid) & connections) for pid in (first, second)]
        assert sum(shares) == CONNECTIONS and min(shares) > 0, shares
    finally:
        for client in clients:
            client.close()

    os.kill(first, signal.SIGKILL)
    wait_for(
        lambda: "replaces it" in log.read_text(), seconds=START_SECONDS, what="a replacement worker"
    )
    replaced = re.search(
        rf"worker {first} exited \(-9\); worker (\d+) replaces it", log.read_text()
    )
    assert replaced is not None, log.read_text()
    wait_for(lambda: answers(url), seconds=START_SECONDS, what="the server after a worker died")
    replacement = int(replaced.group(1))
    assert running(replacement)

    # Stopping the server (systemd, docker stop) stops every worker with it.
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=60) == 0
    for pid in (second, replacement):
        assert not running(pid)
    assert not answers(url)


def test_workers_end_when_the_supervisor_is_killed(
    two_workers: tuple[subprocess.Popen[bytes], int, Path],
) -> None:
    # kill -9 or the out-of-memory killer gives the supervisor no chance to stop
    # its workers: they must not live on as orphans holding the port.
    server, port, log = two_workers
    workers = worker_pids(log)
    server.kill()
    server.wait(timeout=30)
    wait_for(
        lambda: not any(running(pid) for pid in workers),
        seconds=START_SECONDS,
        what="the workers to end",
    )
    assert not answers(f"http://127.0.0.1:{port}")


def test_a_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    env = migrated(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*COMMAND, "serve", "--port", str(port), "--workers", "2", "--no-scheduler"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
