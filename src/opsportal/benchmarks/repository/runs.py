"""Benchmark runs: the run lock, a run's claim and guard, abandoned runs, the run history."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import NamedTuple

from sqlalchemy import Connection, Engine, func, insert, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from opsportal.errors import Conflict
from opsportal.kit.elected import this_worker
from opsportal.models import BenchmarkRun, RunStatus

# pg_advisory_xact_lock key for "a benchmark run is writing" ("opsbench" in ASCII).
RUN_LOCK_KEY = 0x6F70736265
RUN_LOCK_WAIT = "120s"
# pg_advisory_lock(RUN_GUARD_CLASS, run_id): held by the process running that run
# for as long as it lives, so a run whose guard is free has lost its process.
RUN_GUARD_CLASS = 0x6F70


def acquire_run_lock(session: Session) -> None:
    """Hold the benchmark-run lock until this transaction ends; wait for a running one.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: every transaction
    already begins with BEGIN IMMEDIATE (see db.py), which holds the database's
    single write lock until commit, so starting the transaction is the lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        try:
            session.execute(text(f"SET LOCAL lock_timeout = '{RUN_LOCK_WAIT}'"))
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RUN_LOCK_KEY})
        except OperationalError as exc:
            raise Conflict("Another benchmark run is still in progress; try again later.") from exc
    else:
        session.execute(text("SELECT 1"))


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


@contextmanager
def claimed_run(
    session_factory: sessionmaker[Session],
    *,
    day: date,
    trigger: str,
    on_claim: Callable[[Session | Connection, int], None] | None = None,
) -> Iterator[int]:
    """Record a RUNNING run for `day`, and hold its guard until the block ends.

    On PostgreSQL the guard is a session-level advisory lock, taken in the same
    transaction that makes the run visible, on a connection kept for the run's
    whole life: the database frees it when that connection goes, so also when
    the process dies. On SQLite the run records its process id instead.
    `on_claim(db, run_id)` writes in the transaction that records the run (its audit row).
    """
    values = {
        "calculated_for": day,
        "status": RunStatus.RUNNING,
        "trigger": trigger,
        "worker": this_worker(),
    }
    bind = session_factory.kw.get("bind")
    if isinstance(bind, Engine) and bind.dialect.name == "postgresql":
        with bind.connect() as connection:
            run_id = connection.execute(
                insert(BenchmarkRun).values(**values).returning(BenchmarkRun.id)
            ).scalar_one()
            if on_claim is not None:
                on_claim(connection, run_id)
            key = {"kind": RUN_GUARD_CLASS, "run": run_id}
            connection.execute(text("SELECT pg_advisory_lock(:kind, :run)"), key)
            connection.commit()
            try:
                yield run_id
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:kind, :run)"), key)
                connection.commit()
        return
    with session_factory() as session:
        run = BenchmarkRun(**values)
        session.add(run)
        session.flush()
        if on_claim is not None:
            on_claim(session, run.id)
        session.commit()
        run_id = run.id
    yield run_id


def running_runs(session: Session) -> list[BenchmarkRun]:
    return list(
        session.scalars(select(BenchmarkRun).where(BenchmarkRun.status == RunStatus.RUNNING))
    )


def run_is_abandoned(session: Session, run: BenchmarkRun) -> bool:
    """True when the process that was running `run` is gone (its guard is free)."""
    if _is_postgresql(session):
        key = {"kind": RUN_GUARD_CLASS, "run": run.id}
        # Transaction-level, so the probe lets go of it when this transaction ends.
        return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:kind, :run)"), key))
    host, _, pid = (run.worker or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # SQLite lives on one machine; a run from elsewhere is not ours to judge
    return not _process_alive(int(pid))


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class PublishedRun(NamedTuple):
    calculated_for: date
    run_id: int


# Built once: every scorecard request asks this, and building a statement costs
# more than running this one.
_LATEST_PUBLISHED_RUN = (
    select(BenchmarkRun.calculated_for, BenchmarkRun.id)
    .where(BenchmarkRun.status == RunStatus.SUCCEEDED)
    .order_by(BenchmarkRun.calculated_for.desc(), BenchmarkRun.id.desc())
    .limit(1)
)


def latest_published_run(session: Session) -> PublishedRun | None:
    """The newest calculated day and the run that published it (one indexed row)."""
    # On the connection, not through the ORM: every scorecard request asks this.
    row = session.connection().execute(_LATEST_PUBLISHED_RUN).first()
    return PublishedRun(row[0], row[1]) if row else None


# How many runs have published, and the newest of them: a key that changes with every
# publication, a back-dated one or one that finished after a newer one too. (A run
# is marked SUCCEEDED in the transaction that stores its results, and never after.)
_PUBLICATIONS = select(func.count(BenchmarkRun.id), func.max(BenchmarkRun.id)).where(
    BenchmarkRun.status == RunStatus.SUCCEEDED
)


def publications(session: Session) -> tuple[int, int | None]:
    """(runs that published, the newest such run's id): changes whenever a run publishes."""
    row = session.connection().execute(_PUBLICATIONS).one()
    return int(row[0]), row[1]


def calculated_days(session: Session, *, since: date) -> list[date]:
    """Every day with a successful run since `since`, oldest first."""
    query = (
        select(BenchmarkRun.calculated_for)
        .where(BenchmarkRun.status == RunStatus.SUCCEEDED, BenchmarkRun.calculated_for >= since)
        .distinct()
        .order_by(BenchmarkRun.calculated_for)
    )
    return list(session.scalars(query))


def get_run(session: Session, run_id: int) -> BenchmarkRun | None:
    return session.get(BenchmarkRun, run_id)


def list_runs(session: Session, *, limit: int, offset: int) -> tuple[list[BenchmarkRun], int]:
    total = session.scalar(select(func.count(BenchmarkRun.id))) or 0
    rows = session.scalars(
        select(BenchmarkRun)
        .order_by(BenchmarkRun.started_at.desc(), BenchmarkRun.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


def runs_of_day(session: Session, day: date) -> list[BenchmarkRun]:
    """Every run recorded for `day`, oldest first."""
    return list(
        session.scalars(
            select(BenchmarkRun).where(BenchmarkRun.calculated_for == day).order_by(BenchmarkRun.id)
        )
    )
