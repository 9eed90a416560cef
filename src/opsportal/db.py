"""Engine, sessions and the per-request transaction.

The request (or job) owns the transaction: `session_scope` commits when the
block ends normally and rolls back when it raises. Services only flush.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

import anyio
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from opsportal.config import DEFAULT_POOL_SIZE
from opsportal.errors import Conflict

try:
    import fcntl
except ImportError:  # not on Windows: only SQLite's own lock orders writers there
    fcntl = None  # type: ignore[assignment]

SessionFactory = sessionmaker[Session]

# Connection execution option: this unit of work only reads (see `read_only`).
READ_ONLY_OPTION: Final = "opsportal_read_only"
# How long a statement waits for a lock before the database counts as busy; jobs
# (the CLI) wait longer than requests.
DEFAULT_BUSY_TIMEOUT_SECONDS = 30.0
# Room beyond the pool (OPSPORTAL_DATABASE_POOL_SIZE) for what runs beside the
# requests: the scheduler's jobs, a benchmark run's own transactions, a token's
# last-use write after a response.
POOL_OVERFLOW = 10
# HTTP methods that never write, so their requests read without SQLite's write lock.
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def dialect_insert(session: Session) -> Any:
    """This database's own INSERT, which has ON CONFLICT (both SQLite's and PostgreSQL's do)."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def normalise_url(url: str) -> str:
    """Accept the usual postgres:// spellings and route them to psycopg 3."""
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(
    url: str,
    *,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT_SECONDS,
    pool_size: int = DEFAULT_POOL_SIZE,
    **kwargs: Any,
) -> Engine:
    """An engine for `url`; a statement waits at most `busy_timeout` seconds for a lock.

    Past that the database counts as busy, which a request answers with 503 and
    Retry-After (errors.py) rather than holding the client indefinitely.
    """
    url = normalise_url(url)
    # Idle connections are kept up to pool_size (a busier pool would close and
    # reopen connections on every request), and the wait for one is bounded: a
    # burst beyond it gets 503, never a stalled worker.
    if not url.endswith(":memory:"):
        kwargs.setdefault("pool_size", pool_size)
        kwargs.setdefault("max_overflow", POOL_OVERFLOW)
        kwargs.setdefault("pool_timeout", busy_timeout)
    if is_sqlite(url):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy_timeout},
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    # No ping before each checkout: it would cost every request a round trip. A
    # connection the server has closed fails its one request with 503 and
    # Retry-After (errors.is_busy_database), and SQLAlchemy then renews the pool.
    kwargs.setdefault("pool_pre_ping", False)
    milliseconds = max(1, round(busy_timeout * 1000))
    kwargs.setdefault("connect_args", {"options": f"-c lock_timeout={milliseconds}"})
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINTs;
    # take it over (SQLAlchemy's documented recipe) and switch on FKs and WAL.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A unit of work that writes takes the write lock up front (IMMEDIATE), so
        # two writers queue on busy_timeout instead of one failing half-way with
        # "database is locked". A read-only one begins DEFERRED: under WAL it reads
        # a snapshot next to the writer and never waits for, or holds, the lock.
        if conn.get_execution_options().get(READ_ONLY_OPTION):
            conn.exec_driver_sql("BEGIN DEFERRED")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> SessionFactory:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: SessionFactory) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def read_only(session: Session) -> Session:
    """Mark a fresh session's unit of work as reads only (SQLite then begins it DEFERRED)."""
    session.connection(execution_options={READ_ONLY_OPTION: True})
    return session


def read_only_factory(factory: SessionFactory) -> SessionFactory:
    """Sessions like `factory`'s whose transactions are marked read-only from the start.

    Unlike `read_only`, this touches no connection, so a request can have its
    session without a trip to the database. A factory bound to one connection
    (the tests') is returned as it is: that connection's transaction is open already.

    On PostgreSQL these sessions run in autocommit: each read is a statement of
    its own, with no BEGIN before it and no COMMIT after (two round trips fewer
    per request, and ending the unit of work sends nothing, so a request ends it
    without a trip to a worker thread). That reads what the transaction would
    have: at READ COMMITTED, PostgreSQL's level and ours, every statement takes
    its own snapshot anyway. Whatever writes takes `factory`'s sessions instead.
    """
    bind = factory.kw.get("bind")
    if not isinstance(bind, Engine):
        return factory
    marks: dict[str, Any] = {READ_ONLY_OPTION: True}
    if bind.dialect.name == "postgresql":
        marks["isolation_level"] = "AUTOCOMMIT"
    options = {**factory.kw, "bind": bind.execution_options(**marks)}
    return sessionmaker(class_=factory.class_, **options)


class WritersFile:
    """The advisory lock (flock) that serving processes' writers take in turn."""

    POLL_SECONDS = 0.002

    def __init__(self, path: str) -> None:
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)

    async def acquire(self, deadline: float) -> bool:
        """True once taken; False if `deadline` (anyio's clock) passes first."""
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if anyio.current_time() >= deadline:
                    return False
                await anyio.sleep(self.POLL_SECONDS)

    def release(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)


def sqlite_writers_file(database_url: str) -> WritersFile | None:
    """The writers' lock file beside a SQLite database file; None for other databases."""
    if not is_sqlite(database_url) or fcntl is None:
        return None
    database = make_url(database_url).database
    if not database or database == ":memory:":
        return None
    path = os.path.abspath(f"{database}-writers.lock")
    # One open file per process and database: every app made in the process
    # (tests make many) shares it rather than holding a descriptor each.
    if path not in _writers_files:
        try:
            _writers_files[path] = WritersFile(path)
        except OSError:  # a directory we may not write to: SQLite's own lock still orders writes
            return None
    return _writers_files[path]


_writers_files: dict[str, WritersFile] = {}


def flush_or_conflict(session: Session, message: str) -> None:
    """Flush pending changes; a unique-key violation becomes a 409 with `message`.

    The services check uniqueness first, but a concurrent insert of the same key
    passes that check and fails here: report it as the conflict it is, not a 500.
    The savepoint keeps the rest of the transaction usable.
    """
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict(message) from exc
