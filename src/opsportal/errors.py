"""Domain errors that carry their HTTP status, and which database errors mean "try again".

Services raise these; `web.problems` renders them (problem+json or a page).
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Any

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_BASE = "https://opsportal.invalid/problems/"


class DomainError(Exception):
    status_code = 400
    title = "Bad request"
    slug = "bad-request"

    def __init__(self, detail: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}
        self.headers: dict[str, str] = {}


class Unauthorized(DomainError):
    status_code = 401
    title = "Not authenticated"
    slug = "unauthorized"


class Forbidden(DomainError):
    status_code = 403
    title = "Forbidden"
    slug = "forbidden"


class NotFound(DomainError):
    status_code = 404
    title = "Not found"
    slug = "not-found"


class Conflict(DomainError):
    status_code = 409
    title = "Conflict"
    slug = "conflict"


class TooManyRequests(DomainError):
    """429: the caller must wait `retry_after` seconds (sent as `Retry-After`)."""

    status_code = 429
    title = "Too many requests"
    slug = "too-many-requests"

    def __init__(self, detail: str, *, retry_after: int, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.retry_after = max(1, retry_after)
        self.headers["Retry-After"] = str(self.retry_after)


# What a request that could not get the database in time is told.
DATABASE_BUSY = "The database is busy; nothing was changed. Try again in a moment."


class ServiceBusy(DomainError):
    """503: the server is saturated for now; nothing was changed; retry after a moment."""

    status_code = 503
    title = "Service busy"
    slug = "busy"

    def __init__(self, detail: str, *, retry_after: int = 1, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.headers["Retry-After"] = str(max(1, retry_after))


class InvalidInput(DomainError):
    """422 naming the offending field (a JSON-pointer-like `field`, and `errors`)."""

    status_code = 422
    title = "Invalid input"
    slug = "invalid-input"

    def __init__(self, detail: str, *, field: str | None = None, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        if field is not None:
            self.extra.setdefault("errors", [{"field": field, "message": detail}])


# Seconds a client is asked to wait when the database is busy or unavailable.
BUSY_RETRY_AFTER_SECONDS = 1
# ... and when it has no room left: freeing space takes an operator.
FULL_RETRY_AFTER_SECONDS = 30
# How the drivers say "busy, try again": SQLite's lock, PostgreSQL's lock and
# statement timeouts and connection limits.
_BUSY_MARKERS = (
    "database is locked",
    "database table is locked",
    "lock timeout",
    "statement timeout",
    "could not obtain lock",
    "too many connections",
    "remaining connection slots",
)
# ... "not there right now": a server stopping, starting, restarting or
# recovering, or a connection it refused or dropped.
_UNAVAILABLE_MARKERS = (
    "the database system is shutting down",
    "the database system is starting up",
    "the database system is in recovery mode",
    "the database system is not yet accepting connections",
    "the database system is not accepting connections",
    "terminating connection due to",
    "connection refused",
    "server closed the connection unexpectedly",
    "could not connect to server",
    "could not receive data from server",
    "could not send data to server",
    "connection timed out",
    "connection reset by peer",
    "broken pipe",
    "no connection to the server",
    "the connection is lost",
    "the connection is closed",
    "connection already closed",
    "ssl connection has been closed unexpectedly",
    "ssl syscall error",
    "unable to open database file",
)
# ... and "no room left": SQLite's SQLITE_FULL, PostgreSQL's disk_full.
_FULL_MARKERS = (
    "database or disk is full",
    "no space left on device",
    "disk quota exceeded",
)
# PostgreSQL's SQLSTATE classes and codes for the same: connection exceptions
# (08), insufficient resources (53: disk full, out of memory, too many
# connections), an administrator's or a crash's shutdown and "cannot connect
# now" (57P01-57P03), a lock not available and a cancelled statement (timeouts).
_UNAVAILABLE_SQLSTATE_CLASSES = ("08",)
_UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03"})
_FULL_SQLSTATES = frozenset({"53100"})
_BUSY_SQLSTATE_CLASSES = ("53",)
_BUSY_SQLSTATES = frozenset({"55P03", "57014"})


class DatabaseTrouble(StrEnum):
    """Why the database could not serve a request that may simply be retried."""

    BUSY = "busy"
    UNAVAILABLE = "unavailable"
    FULL = "full"


def database_trouble(exc: BaseException) -> DatabaseTrouble | None:
    """What kept the database from serving, when a retry may succeed; None for a real error.

    Looks along the exception's causes, so an error raised while handling a
    lost connection counts as the lost connection.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < 8:
        seen.add(id(current))
        found = _trouble_of(current)
        if found is not None:
            return found
        current = current.__cause__ or current.__context__
    return None


def _trouble_of(exc: BaseException) -> DatabaseTrouble | None:
    if isinstance(exc, PoolTimeoutError):
        return DatabaseTrouble.BUSY
    if not isinstance(exc, DBAPIError):
        return None
    # A connection the server closed (a restart, a failover): SQLAlchemy has
    # already dropped it and the pool's older ones, so a retry gets a fresh one.
    if exc.connection_invalidated:
        return DatabaseTrouble.UNAVAILABLE
    orig = exc.orig
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if isinstance(code, str) and code:
        if code in _FULL_SQLSTATES:
            return DatabaseTrouble.FULL
        if code in _UNAVAILABLE_SQLSTATES or code.startswith(_UNAVAILABLE_SQLSTATE_CLASSES):
            return DatabaseTrouble.UNAVAILABLE
        if code in _BUSY_SQLSTATES or code.startswith(_BUSY_SQLSTATE_CLASSES):
            return DatabaseTrouble.BUSY
    # Only the driver's operational and interface errors are read for words: an
    # integrity or data error's message can quote the caller's own values.
    if not isinstance(exc, OperationalError | InterfaceError):
        return None
    message = str(orig if orig is not None else exc).lower()
    for markers, trouble in (
        (_FULL_MARKERS, DatabaseTrouble.FULL),
        (_UNAVAILABLE_MARKERS, DatabaseTrouble.UNAVAILABLE),
        (_BUSY_MARKERS, DatabaseTrouble.BUSY),
    ):
        if any(marker in message for marker in markers):
            return trouble
    return None


def is_busy_database(exc: BaseException) -> bool:
    """True for a database that is busy, unavailable or full rather than broken: retry later."""
    return database_trouble(exc) is not None


# What a client is told for each: (title, detail, Retry-After seconds).
TROUBLE_ANSWERS = {
    DatabaseTrouble.BUSY: ("Service busy", DATABASE_BUSY, BUSY_RETRY_AFTER_SECONDS),
    DatabaseTrouble.UNAVAILABLE: (
        "Service unavailable",
        "The database is unavailable for a moment. Try again shortly.",
        BUSY_RETRY_AFTER_SECONDS,
    ),
    DatabaseTrouble.FULL: (
        "Service unavailable",
        "The database is full; nothing was changed. Try again later.",
        FULL_RETRY_AFTER_SECONDS,
    ),
}
