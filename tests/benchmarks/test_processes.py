"""Benchmark runs across real processes: one run per scheduled firing; runs whose process died."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from sqlalchemy import select

from opsportal.benchmarks.service import close_abandoned_runs
from opsportal.benchmarks.service.runs import ABANDONED
from opsportal.db import SessionFactory, read_only, session_scope
from opsportal.models import BenchmarkRun, RunStatus, ScheduledFiring
from tests.processes import answers, free_port, wait_for

pytestmark = pytest.mark.slow


def runs(factory: SessionFactory) -> list[BenchmarkRun]:
    with session_scope(factory) as session:
        read_only(session)  # beside a run that holds SQLite's write lock
        return list(session.scalars(select(BenchmarkRun).order_by(BenchmarkRun.id)))


def process_env(database_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["OPSPORTAL_DATABASE_URL"] = database_url
    env.update(extra)
    return env


def test_each_firing_runs_once_across_processes_and_workers(
    database_url: str, committed_session_factory: SessionFactory
) -> None:
    env = process_env(database_url, OPSPORTAL_BENCHMARK_CRON="* * * * *")
    servers = []
    ports = [free_port(), free_port()]
    started_at = datetime.now(UTC)
    for port, workers in zip(ports, ("2", "1"), strict=True):
        servers.append(
            subprocess.Popen(
                [sys.executable, "-m", "opsportal.cli", "serve", "--port", str(port)]
                + ["--workers", workers],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    try:
        for port in ports:
            serving = partial(answers, f"http://127.0.0.1:{port}")
            wait_for(serving, seconds=60, what=f"the server on port {port}")
        # Three schedulers (two workers and one process) share a per-minute cron:
        # wait for a firing after start-up, and a little longer for any duplicate.
        next_minute = started_at.replace(second=0, microsecond=0) + timedelta(minutes=1)

        def fired() -> bool:
            with session_scope(committed_session_factory) as session:
                return (
                    session.scalar(
                        select(ScheduledFiring.fire_time).where(
                            ScheduledFiring.fire_time >= next_minute
                        )
                    )
                    is not None
                )

        wait_for(fired, seconds=120, what="a scheduled firing")
        wait_for(
            lambda: all(r.status != RunStatus.RUNNING for r in runs(committed_session_factory)),
            seconds=60,
            what="the runs to finish",
        )
        time.sleep(5)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)

    with session_scope(committed_session_factory) as session:
        firings = list(session.scalars(select(ScheduledFiring)))
    scheduled = [r for r in runs(committed_session_factory) if r.trigger == "schedule"]
    # Each firing (the start-up catch-up of the minute before, then each minute) ran once.
    assert len(firings) >= 1
    assert len(scheduled) == len(firings)
    assert all(r.status == RunStatus.SUCCEEDED for r in scheduled)
    assert len({f.fire_time for f in firings}) == len(firings)


KILLABLE_RUN = textwrap.dedent(
    """
    import sys, time
    from opsportal.benchmarks.service import runs
    from opsportal.config import Settings
    from opsportal.db import make_engine, make_session_factory

    def stall(session, *, run, settings):
        print(run.id, flush=True)
        time.sleep(120)

    runs._compute_and_publish = stall
    url = sys.argv[1]
    runs.run_benchmarks(make_session_factory(make_engine(url)), settings=Settings(database_url=url))
    """
)


def test_a_run_whose_process_was_killed_is_closed_as_failed(
    database_url: str, committed_session_factory: SessionFactory
) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", KILLABLE_RUN, database_url],
        env=process_env(database_url),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        run_id = int(child.stdout.readline())
        (running,) = runs(committed_session_factory)
        assert (running.id, running.status) == (run_id, RunStatus.RUNNING)
        # While its process lives, the run is left alone.
        assert close_abandoned_runs(committed_session_factory) == []
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    # PostgreSQL frees a dead client's advisory lock once its backend has seen the
    # connection drop, a moment after the kill: until then the run still looks
    # alive and is rightly left alone. Ask again until it is closed (bounded).
    deadline = time.monotonic() + 30
    closed_ids = close_abandoned_runs(committed_session_factory)
    while not closed_ids and time.monotonic() < deadline:
        time.sleep(0.1)
        closed_ids = close_abandoned_runs(committed_session_factory)
    assert closed_ids == [run_id]
    (closed,) = runs(committed_session_factory)
    assert closed.status == RunStatus.FAILED and closed.error == ABANDONED
    assert closed.finished_at is not None
    assert close_abandoned_runs(committed_session_factory) == []
