"""Errors as answers: problem+json documents (RFC 9457) for the API, pages for browsers.

Every error a request can raise is mapped here, once: domain errors by their
status, validation errors as 422 naming the field, a busy database as 503 with
Retry-After, anything else as a logged 500."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from opsportal.errors import (
    PROBLEM_JSON,
    PROBLEM_TYPE_BASE,
    TROUBLE_ANSWERS,
    DatabaseTrouble,
    DomainError,
    database_trouble,
)

logger = logging.getLogger(__name__)


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


_MACHINE_PATHS = (
    "/api/",
    "/openapi.json",
    "/healthz",
    "/readyz",
    "/metrics",
    "/docs",
    "/static/",
    # SCORM content and its runtime's commits, on the content origin.
    "/scorm/",
)


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

    def busy(request: Request, exc: Exception, trouble: DatabaseTrouble) -> Response:
        logger.warning(
            "database %s on %s %s: %s", trouble.value, request.method, request.url.path, exc
        )
        title, detail, retry_after = TROUBLE_ANSWERS[trouble]
        return respond(
            request,
            503,
            title,
            detail,
            slug=trouble.value,
            headers={"Retry-After": str(retry_after)},
        )

    # Database errors get handlers of their own: Starlette runs the catch-all
    # Exception handler in its outermost middleware, which re-raises after
    # answering, and the server then drops the client's keep-alive connection.
    @app.exception_handler(DBAPIError)
    @app.exception_handler(PoolTimeoutError)
    async def _database_error(request: Request, exc: Exception) -> Response:
        trouble = database_trouble(exc)
        if trouble is not None:
            return busy(request, exc, trouble)
        return await _unexpected(request, exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        trouble = database_trouble(exc)
        if trouble is not None:
            return busy(request, exc, trouble)
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return respond(
            request,
            500,
            "Internal error",
            "Something went wrong on our side.",
            slug="internal-error",
        )
