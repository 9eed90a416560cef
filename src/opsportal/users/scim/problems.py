"""SCIM's own error messages (RFC 7644, section 3.12) for every error its application raises."""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from scim2_models import Context, Error, SCIMException
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from opsportal.errors import BUSY_RETRY_AFTER_SECONDS, DATABASE_BUSY, DomainError, is_busy_database

logger = logging.getLogger(__name__)

SCIM_MEDIA_TYPE = "application/scim+json"


class ScimResponse(JSONResponse):
    media_type = SCIM_MEDIA_TYPE


def scim_error(
    status: int, detail: str, scim_type: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    body = Error(status=status, scim_type=scim_type, detail=detail).model_dump(
        scim_ctx=Context.RESOURCE_QUERY_RESPONSE
    )
    return ScimResponse(body, status_code=status, headers=headers)


def install_scim_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SCIMException)
    async def _scim_error(request: Request, exc: SCIMException) -> Response:
        headers = {"WWW-Authenticate": 'Bearer realm="scim"'} if exc.status == 401 else None
        error = exc.to_error()
        return scim_error(error.status or 400, error.detail or str(exc), error.scim_type, headers)

    @app.exception_handler(DomainError)
    async def _domain_error(request: Request, exc: DomainError) -> Response:
        scim_type = {409: "uniqueness", 422: "invalidValue"}.get(exc.status_code)
        status = 400 if exc.status_code == 422 else exc.status_code
        headers = dict(exc.headers)
        if status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="scim"'
        return scim_error(status, exc.detail, scim_type, headers or None)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        return scim_error(400, "The request is not valid.", "invalidValue")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "HTTP error"
        if exc.status_code == 404:
            detail = "No such SCIM endpoint."
        return scim_error(exc.status_code, detail, None, dict(exc.headers or {}) or None)

    busy: Callable[[], Response] = lambda: scim_error(  # noqa: E731
        503, DATABASE_BUSY, None, {"Retry-After": str(BUSY_RETRY_AFTER_SECONDS)}
    )

    @app.exception_handler(DBAPIError)
    @app.exception_handler(PoolTimeoutError)
    async def _database_error(request: Request, exc: Exception) -> Response:
        if is_busy_database(exc):
            return busy()
        if isinstance(exc, IntegrityError):
            # Another request took the same userName or externalId a moment before.
            return scim_error(409, "userName or externalId is taken.", "uniqueness")
        return await _unexpected(request, exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        if is_busy_database(exc):
            return busy()
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return scim_error(500, "Something went wrong on our side.")
