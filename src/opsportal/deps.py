"""Request dependencies every domain's routes share: the request's unit of work, the app's
settings and session factory, and the bounded path and query types.

The request owns the transaction: `SessionDep` commits after the handler and
rolls back if it raises; services only flush.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager, nullcontext
from typing import Annotated, TypeVar

import anyio
from fastapi import Depends, Path, Query, Request
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.db import READ_ONLY_METHODS, SessionFactory, WritersFile, session_scope
from opsportal.errors import DATABASE_BUSY, ServiceBusy
from opsportal.schemas import MAX_ID, MAX_LIMIT, MAX_OFFSET


async def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def app_session_factory(request: Request) -> SessionFactory:
    """For work that commits in its own transactions (benchmark runs)."""
    factory: SessionFactory = request.app.state.session_factory
    return factory


SettingsDep = Annotated[Settings, Depends(app_settings)]
SessionFactoryDep = Annotated[SessionFactory, Depends(app_session_factory)]


def _end_unit_of_work(session: Session, *, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work: committed when the handler returns, rolled back if it raises.

    Async on purpose: making the session touches no database, and a synchronous
    dependency would cost the request two hops through the thread pool (in and
    out) on top of its handler's. Only a write's commit or rollback on
    PostgreSQL, which may wait on the database, runs in a worker thread. A read
    ends at once: on PostgreSQL its session is in autocommit, so its end sends
    nothing; on SQLite it releases its snapshot. A write on SQLite ends at once
    too: it already holds the one write lock (BEGIN IMMEDIATE) and appends its
    commit to the WAL without a sync, and ending it at once means the lock is
    released without waiting for a thread first.
    """
    state = request.app.state
    read = request.method in READ_ONLY_METHODS
    factory: SessionFactory = state.read_session_factory if read else state.session_factory
    session = factory()
    sqlite = on_sqlite(session)
    # A read's end sends nothing on PostgreSQL either: it runs in autocommit (db.read_only_factory).
    at_once = read or sqlite
    turn: AbstractAsyncContextManager[None] = (
        _sqlite_write_turn(request) if sqlite and not read else nullcontext()
    )
    async with turn:
        try:
            yield session
        except BaseException:
            if at_once:
                _end_unit_of_work(session, commit=False)
            else:
                # Shielded: a client that went away must not leave the connection checked out.
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(lambda: _end_unit_of_work(session, commit=False))
            raise
        if at_once:
            _end_unit_of_work(session, commit=True)
        else:
            await anyio.to_thread.run_sync(lambda: _end_unit_of_work(session, commit=True))


T = TypeVar("T")


def on_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


async def run_read(session: Session, work: Callable[[], T]) -> T:
    """A request's reads: at once on SQLite, in a worker thread on other databases.

    A read on SQLite cannot wait: under WAL it reads a snapshot beside any
    writer, never taking or waiting for a lock, and an indexed read takes
    a fraction of a millisecond. Sending it to a worker thread costs more than
    the read: the hop there and back, and under load the wait for the GIL
    between the event loop and the thread (the profile of a scorecard request
    spent more time in those hand-overs than in its queries). On PostgreSQL a
    read is a round trip to the server, which must not hold up the event loop.
    """
    if on_sqlite(session):
        return work()
    return await anyio.to_thread.run_sync(work)


@contextmanager
def identity_session(request: Request, session: Session) -> Iterator[Session]:
    """Where a request finds out who is asking (its token or session cookie).

    A read uses its own session. A write's transaction takes SQLite's write lock
    at its first statement and keeps it until it commits, so the check runs in a
    short read of its own instead: the lock is then taken where the handler
    starts writing, not one thread-pool hop earlier.
    """
    if request.method in READ_ONLY_METHODS:
        yield session
        return
    with session_scope(request.app.state.read_session_factory) as own:
        yield own


@asynccontextmanager
async def _sqlite_write_turn(request: Request) -> AsyncIterator[None]:
    """Writing requests, one at a time: first come, first served in this process,
    and then in turn with the other serving processes (`serve --workers N`).

    SQLite has one write lock, and a connection that finds it taken polls for it
    with growing sleeps (up to 100 ms): under load a writer can keep missing it
    until its busy timeout runs out. Queued here instead, on the event loop, each
    write gets the lock the moment the one before it lets go. Between processes
    the turn is an advisory lock on a file beside the database, polled every
    few milliseconds. (Commands and jobs still meet at SQLite's own lock.)
    """
    state = request.app.state
    turns: anyio.Lock | None = getattr(state, "sqlite_write_turns", None)
    if turns is None:  # made on the serving event loop, at the first write
        turns = state.sqlite_write_turns = anyio.Lock()
    # One wait for both turns: the busy timeout.
    deadline = anyio.current_time() + state.settings.database_busy_timeout_seconds
    with anyio.CancelScope(deadline=deadline) as waiting:
        await turns.acquire()
    if waiting.cancelled_caught:
        raise ServiceBusy(DATABASE_BUSY)
    writers: WritersFile | None = getattr(state, "sqlite_writers_file", None)
    try:
        if writers is not None and not await writers.acquire(deadline):
            raise ServiceBusy(DATABASE_BUSY)
        try:
            yield
        finally:
            if writers is not None:
                writers.release()
    finally:
        turns.release()


# "function" scope: the transaction commits (or rolls back) before the response is
# sent, so a client that got 201 can read what it made, and a failed commit is an
# error response rather than a success already on the wire. (FastAPI's default
# would run the commit after sending the response.)
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


ResourceId = Annotated[int, Path(ge=1, le=MAX_ID)]


IdQuery = Annotated[int, Query(ge=1, le=MAX_ID)]


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="At most this many items")]


Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Skip this many items first")]
