"""Domain errors that carry their HTTP status, and which database errors mean "busy".

Services raise these; `web.problems` renders them (problem+json or a page).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError
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


# Seconds a client is asked to wait when the database is busy.
BUSY_RETRY_AFTER_SECONDS = 1
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


def is_busy_database(exc: BaseException) -> bool:
    """True for a database that is busy rather than broken: the request may simply be retried."""
    if isinstance(exc, PoolTimeoutError):
        return True
    # A connection the server closed (a restart, a failover): SQLAlchemy has
    # already dropped it and the pool's older ones, so a retry gets a fresh one.
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, OperationalError):
        message = str(exc.orig if exc.orig is not None else exc).lower()
        return any(marker in message for marker in _BUSY_MARKERS)
    return False
