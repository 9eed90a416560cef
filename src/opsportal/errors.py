"""Domain errors that carry their HTTP status, and their problem+json rendering (RFC 9457)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

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


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    slug: str,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    body.update(jsonable_encoder(extra))
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        source, rest = parts[0], parts[1:]
        return ".".join(rest) if rest else source
    return ".".join(parts)


def describe_validation_errors(errors: list[dict[str, Any]] | Any) -> list[dict[str, str]]:
    return [
        {"field": _field_path(err.get("loc", ())), "message": str(err.get("msg", "invalid"))}
        for err in errors
    ]


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


_STATUS_SLUGS = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Not authenticated"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    413: ("payload-too-large", "Payload too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("invalid-input", "Invalid input"),
    429: ("too-many-requests", "Too many requests"),
    503: ("busy", "Service busy"),
}


# Renders an error for a person in a browser: (request, status, title, detail) -> Response.
HtmlErrorRenderer = Callable[[Request, int, str, str], Response]

_MACHINE_PATHS = ("/api/", "/openapi.json", "/healthz", "/docs", "/static/")


def wants_html(request: Request) -> bool:
    """Pages get HTML errors; the JSON API (and anything machine-facing) gets problem+json."""
    return not request.url.path.startswith(_MACHINE_PATHS)


def install_error_handlers(app: FastAPI, *, html_errors: HtmlErrorRenderer | None = None) -> None:
    def respond(
        request: Request,
        status: int,
        title: str,
        detail: str,
        *,
        slug: str,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> Response:
        if html_errors is not None and wants_html(request):
            page = html_errors(request, status, title, detail)
            if headers and status != 401:  # a 401 page is a redirect to the login form
                page.headers.update(headers)
            return page
        return problem(status, title, detail, slug=slug, headers=headers, **extra)

    @app.exception_handler(DomainError)
    async def _domain_error(request: Request, exc: DomainError) -> Response:
        headers = dict(exc.headers)
        if exc.status_code == 401:
            headers["WWW-Authenticate"] = "Bearer"
        return respond(
            request,
            exc.status_code,
            exc.title,
            exc.detail,
            slug=exc.slug,
            headers=headers,
            **exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        if any(err.get("type") == "json_invalid" for err in errors):
            return respond(
                request,
                400,
                "Malformed JSON",
                "The request body is not valid JSON.",
                slug="malformed-json",
            )
        described = describe_validation_errors(errors)
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in described)
        return respond(
            request, 422, "Invalid input", detail, slug="invalid-input", errors=described
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        slug, title = _STATUS_SLUGS.get(exc.status_code, ("http-error", "HTTP error"))
        detail = exc.detail if isinstance(exc.detail, str) else title
        return respond(request, exc.status_code, title, detail, slug=slug, headers=exc.headers)

    def busy(request: Request, exc: Exception) -> Response:
        logger.warning("database busy on %s %s: %s", request.method, request.url.path, exc)
        return respond(
            request,
            503,
            "Service busy",
            DATABASE_BUSY,
            slug="busy",
            headers={"Retry-After": str(BUSY_RETRY_AFTER_SECONDS)},
        )

    # Database errors get handlers of their own: Starlette runs the catch-all
    # Exception handler in its outermost middleware, which re-raises after
    # answering, and the server then drops the client's keep-alive connection.
    @app.exception_handler(DBAPIError)
    @app.exception_handler(PoolTimeoutError)
    async def _database_error(request: Request, exc: Exception) -> Response:
        if is_busy_database(exc):
            return busy(request, exc)
        return await _unexpected(request, exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        if is_busy_database(exc):
            return busy(request, exc)
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return respond(
            request,
            500,
            "Internal error",
            "Something went wrong on our side.",
            slug="internal-error",
        )
