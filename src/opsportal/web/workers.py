"""`opsportal serve --workers N`: N processes on one port, each with a socket of its own.

Why not uvicorn's own `--workers`: it hands every worker the one listening
socket it bound, so whichever worker wakes first accepts a whole burst of
connections while the others idle; and that socket is made without naming TCP
as its protocol, so asyncio never turns Nagle's algorithm off and small
responses wait for the client's delayed ACK (bench/README.md has the figures).

Here each worker binds its own socket with `SO_REUSEPORT` (Linux), and the
kernel spreads new connections across them. The parent says "serving" once
every worker listens, starts a new worker when one dies, and stops them all
when it is told to stop.

Each server gets a directory of its own for the workers' Prometheus samples
(`metrics_directory`), emptied when it starts, so that one scrape of any
worker sums them all (see `kit/telemetry.py`).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE

from opsportal.config import get_settings
from opsportal.web.logs import log_config
from opsportal.web.serving import uvicorn_options

APP = "opsportal.app:serve_app"
WATCH_SECONDS = 0.5
READY_POLL_SECONDS = 0.05
# A worker told to stop finishes its requests in flight; after this, it is killed.
STOP_SECONDS = 30.0
# After Ctrl+C, which reaches the workers too, how long they get to stop on their own.
INTERRUPT_GRACE_SECONDS = 5.0
PR_SET_PDEATHSIG = 1  # Linux prctl(2)
# prometheus-client's multiprocess mode: where each process writes its samples.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


@contextmanager
def metrics_directory() -> Iterator[Path]:
    """Set `PROMETHEUS_MULTIPROC_DIR` for the workers this server starts, fresh for this server.

    The operator's own directory, if set, is emptied of an earlier server's
    samples (which would otherwise be summed in); otherwise a temporary one is
    made, and removed when the server stops. Call it before any worker starts.
    """
    wanted = os.environ.get(MULTIPROC_ENV)
    if wanted:
        path = Path(wanted)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink(missing_ok=True)
    else:
        path = Path(tempfile.mkdtemp(prefix="opsportal-metrics-"))
        os.environ[MULTIPROC_ENV] = str(path)
    try:
        yield path
    finally:
        if not wanted:
            os.environ.pop(MULTIPROC_ENV, None)
            shutil.rmtree(path, ignore_errors=True)


def uvicorn_logging() -> dict[str, Any]:
    """uvicorn's logging options for a server process: the one configuration (`web/logs.py`)."""
    return {"log_config": log_config(get_settings()), "log_level": "info"}


def own_sockets_supported() -> bool:
    return sys.platform == "linux" and hasattr(socket, "SO_REUSEPORT")


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port that other workers' sockets may share."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named outright: asyncio sets TCP_NODELAY only on connections
    # accepted from a socket whose protocol says TCP.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _end_with_parent(parent: int) -> None:
    """Have the kernel stop this worker if the supervisor dies (kill -9, out of memory).

    Otherwise its workers would live on as orphans, holding the port.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # it died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)


def _worker(app: str, host: str, port: int, listening: EventType, parent: int) -> None:
    _end_with_parent(parent)
    sock = listening_socket(host, port)
    # The worker's settings, from the environment the supervisor passed on.
    options = {**uvicorn_options(get_settings()), **uvicorn_logging()}
    server = uvicorn.Server(uvicorn.Config(app, factory=True, **options))

    def tell_when_listening() -> None:
        while not server.started and not server.should_exit:
            time.sleep(READY_POLL_SECONDS)
        if server.started:
            listening.set()

    threading.Thread(target=tell_when_listening, daemon=True).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn passes Ctrl+C on once it has shut down
        pass


def _forget_samples_of(pid: int | None) -> None:
    """A dead worker's live gauges (connections in use, waiting) stop counting in the sums."""
    if pid is None or not os.environ.get(MULTIPROC_ENV):
        return
    from opsportal.kit.telemetry import process_ended

    process_ended(pid)


class Supervisor:
    """Keeps `count` workers of `app` (a factory's import path) serving until SIGTERM or SIGINT."""

    def __init__(
        self, host: str, port: int, count: int, *, say: Callable[[str], None], app: str = APP
    ) -> None:
        self.host, self.port, self.count, self.app = host, port, count, app
        self.say = say
        self._context = multiprocessing.get_context("spawn")
        self._stop = threading.Event()
        self._interrupted = False

    def _start(self) -> tuple[BaseProcess, EventType]:
        listening = self._context.Event()
        process = self._context.Process(
            target=_worker, args=(self.app, self.host, self.port, listening, os.getpid())
        )
        process.start()
        return process, listening

    def _wait_listening(self, started: list[tuple[BaseProcess, EventType]]) -> bool:
        """True once every one listens; False if one exits first or the user stops."""
        for process, listening in started:
            while not listening.wait(READY_POLL_SECONDS):
                if not process.is_alive() or self._stop.is_set():
                    return False
        return True

    def _on_signal(self, number: int, _frame: FrameType | None) -> None:
        self._interrupted = number == signal.SIGINT
        self._stop.set()

    def run(self) -> int:
        """Serve until told to stop; the exit code (uvicorn's STARTUP_FAILURE if none can start)."""
        # Fails here, before any worker starts, if another program holds the port.
        listening_socket(self.host, self.port).close()
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        started = [self._start() for _ in range(self.count)]
        workers = [process for process, _ in started]
        if self._wait_listening(started):
            pids = ", ".join(str(worker.pid) for worker in workers)
            self.say(
                f"serving http://{self.host}:{self.port} with {self.count} workers (pids {pids})"
            )
        code = 0
        while not self._stop.wait(WATCH_SECONDS):
            for index, worker in enumerate(workers):
                if worker.is_alive():
                    continue
                _forget_samples_of(worker.pid)
                if worker.exitcode == STARTUP_FAILURE:
                    self.say("a worker could not start; stopping")
                    code = STARTUP_FAILURE
                    self._stop.set()
                    break
                replacement, listening = self._start()
                workers[index] = replacement
                if self._wait_listening([(replacement, listening)]):
                    self.say(
                        f"worker {worker.pid} exited ({worker.exitcode}); "
                        f"worker {replacement.pid} replaces it"
                    )
        self._stop_all(workers)
        return code

    def _stop_all(self, workers: list[BaseProcess]) -> None:
        if self._interrupted:  # Ctrl+C reached the workers too: let them finish
            for worker in workers:
                worker.join(INTERRUPT_GRACE_SECONDS)
        for worker in workers:
            if worker.is_alive():
                worker.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        for worker in workers:
            worker.join(STOP_SECONDS)
            if worker.is_alive():
                worker.kill()
                worker.join()
