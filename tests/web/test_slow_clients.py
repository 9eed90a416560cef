"""Slow clients against the real server (`opsportal serve`, one worker and two), on the suite's
database: a body that trickles in holds no request slot, no write turn and no lock, and
gets 408 once its deadline passes; a request head that trickles in is cut off too.

Everything runs on loopback, with a fixed number of connections, for a bounded time.
"""

from __future__ import annotations

import os
import select
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from opsportal.db import SessionFactory, session_scope
from opsportal.models import Role
from opsportal.web.serving import DeadlineH11Protocol
from tests.factories import create_user
from tests.pages import PASSWORD, csrf_from
from tests.processes import serving

pytestmark = pytest.mark.slow

# Each worker admits `database_pool_size` (8) requests at once: twice as many
# slow connections per worker as it has slots, so however the kernel spreads
# them over two workers, each gets more than its slots.
SLOW_PER_WORKER = 16
BODY_DEADLINE_SECONDS = 10
TRICKLE_EVERY_SECONDS = 0.5
# Only a bound, so that a hung request fails the test instead of holding it.
ANSWER_WITHIN_SECONDS = 5
EMAIL = "slow-clients@example.test"


class Tricklers:
    """Connections that announce a 1,000-byte body and send it one byte at a time."""

    def __init__(self, port: int, paths: list[str]) -> None:
        self.sockets: list[socket.socket] = []
        self.answers: dict[int, bytes] = {}
        for path in paths:
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall(
                f"POST {path} HTTP/1.1\r\nHost: localhost\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                "Content-Length: 1000\r\n\r\n".encode()
            )
            self.sockets.append(sock)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._trickle, daemon=True)
        self._thread.start()

    def _trickle(self) -> None:
        while not self._stop.wait(TRICKLE_EVERY_SECONDS):
            self._collect(0)
            for index, sock in enumerate(self.sockets):
                if index not in self.answers:
                    try:
                        sock.sendall(b"x")
                    except OSError:
                        self.answers.setdefault(index, b"")

    def _collect(self, wait: float) -> None:
        waiting = [s for i, s in enumerate(self.sockets) if i not in self.answers]
        if not waiting:
            return
        readable, _, _ = select.select(waiting, [], [], wait)
        for sock in readable:
            self.answers[self.sockets.index(sock)] = read_until_closed(sock)

    def answered(self) -> int:
        return len(self.answers)

    def wait_for_all(self, seconds: float) -> list[bytes]:
        deadline = time.monotonic() + seconds
        while len(self.answers) < len(self.sockets) and time.monotonic() < deadline:
            time.sleep(0.2)
        self._stop.set()
        self._thread.join()
        return [self.answers.get(index, b"") for index in range(len(self.sockets))]

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        for sock in self.sockets:
            sock.close()


def read_until_closed(sock: socket.socket) -> bytes:
    """What the server sent, up to its closing the connection."""
    answer = b""
    try:
        while chunk := sock.recv(4096):
            answer += chunk
    except OSError:
        pass
    return answer


@contextmanager
def trickling(port: int, paths: list[str]) -> Iterator[Tricklers]:
    tricklers = Tricklers(port, paths)
    try:
        yield tricklers
    finally:
        tricklers.close()


def status_line(answer: bytes) -> str:
    return answer.split(b"\r\n", 1)[0].decode(errors="replace")


@pytest.fixture
def env(database_url: str, committed_session_factory: SessionFactory) -> dict[str, str]:
    """A server's environment on the suite's database, with a user who can log in."""
    with session_scope(committed_session_factory) as session:
        create_user(session, role=Role.ADMIN, email=EMAIL, password=PASSWORD)
    env = dict(os.environ)
    env["OPSPORTAL_DATABASE_URL"] = database_url
    env["OPSPORTAL_SECRET_KEY"] = "slow-clients-test-secret-key-long-enough"
    env["OPSPORTAL_BODY_READ_TIMEOUT_SECONDS"] = str(BODY_DEADLINE_SECONDS)
    return env


@pytest.mark.parametrize("workers", [1, 2])
def test_slow_bodies_hold_nothing_and_get_408(
    env: dict[str, str], tmp_path: Path, workers: int
) -> None:
    count = SLOW_PER_WORKER * workers
    # Most at the API's login; some at the login form, a write whose form is read
    # in the route (on SQLite, before the fix, after the write turn was taken).
    paths = ["/api/v1/login"] * (count - 4) + ["/login"] * 4
    with (
        serving(env, log=tmp_path / "serve.log", workers=workers) as url,
        trickling(int(url.rsplit(":", 1)[1]), paths) as slow,
    ):
        time.sleep(2 * TRICKLE_EVERY_SECONDS)  # every slow request is in, and trickling
        with httpx.Client(base_url=url, timeout=ANSWER_WITHIN_SECONDS) as client:
            health = [client.get("/healthz").status_code for _ in range(3)]
            api_logins = [
                client.post("/api/v1/login", json={"email": EMAIL, "password": PASSWORD})
                for _ in range(2)
            ]
            form = client.get("/login")
            assert health == [200, 200, 200]
            assert [response.status_code for response in api_logins] == [201, 201]
            assert form.status_code == 200
            form_login = client.post(
                "/login",
                data={"email": EMAIL, "password": PASSWORD, "csrf_token": csrf_from(form.text)},
                follow_redirects=False,
            )
        # All of that happened while every slow body was still arriving.
        assert slow.answered() == 0

        token = api_logins[0].json()["token"]
        me = httpx.get(
            f"{url}/api/v1/me",
            headers={"Authorization": f"Bearer {token}"},
            timeout=ANSWER_WITHIN_SECONDS,
        )
        assert me.json()["email"] == EMAIL
        assert form_login.status_code == 303

        # Past the deadline, each slow body is answered 408 and its connection closed.
        answers = slow.wait_for_all(BODY_DEADLINE_SECONDS + 20)
        assert {status_line(answer) for answer in answers} == {"HTTP/1.1 408 Request Timeout"}
        assert all(b"request-timeout" in answer for answer in answers)


def test_a_head_that_trickles_in_is_cut_off(live_app: FastAPI) -> None:
    # uvicorn alone keeps a connection whose request line and headers arrive a
    # byte at a time for ever; the protocol `serve` runs closes it at its deadline.
    class QuickDeadline(DeadlineH11Protocol):
        head_timeout_seconds = 1.0

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(live_app, http=QuickDeadline, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive()
            time.sleep(0.02)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as slow:
            closed = False
            for byte in b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"x" * 100:
                try:
                    slow.sendall(bytes([byte]))
                except OSError:
                    closed = True
                    break
                readable, _, _ = select.select([slow], [], [], 0.1)
                if readable and slow.recv(100) == b"":
                    closed = True
                    break
            assert closed, "the server kept a connection that never finished its head"
        # A client that sends its request in time is served as usual.
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
