"""Logging: one configuration for `serve`, `demo` and uvicorn, and the request id on every line.

- `log_config(settings)` is the `logging.config.dictConfig` document that the
  server and uvicorn (its `log_config`) both use: one handler for the
  application's and uvicorn's messages (standard error), one for uvicorn's
  access log (standard output). Every filter in its `filters` section sits on
  every handler, so a filter added there (say one that takes secrets out of a
  line) covers every line the server writes.
- `OPSPORTAL_LOG_FORMAT=json` writes one JSON object per line; `text` (the
  default) writes plain lines.
- `RequestId` (middleware) takes the caller's `X-Request-ID` when it is short
  and made of safe characters, or makes one, returns it in the answer, and
  keeps it in a context variable for as long as the request runs: the
  `request_id` filter puts it on every record logged meanwhile, uvicorn's
  access line included.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Final

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from opsportal.config import Settings

REQUEST_ID_HEADER: Final = "X-Request-ID"
# What a caller's own id may be: short, and nothing a log reader could mistake
# for the line's structure (no spaces, quotes, control characters or newlines).
REQUEST_ID_SHAPE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,63}")
NO_REQUEST: Final = "-"

request_id: ContextVar[str | None] = ContextVar("opsportal_request_id", default=None)


def current_request_id() -> str | None:
    return request_id.get()


def accepted_request_id(value: str | None) -> str:
    """The caller's id if it is one we keep as it is; otherwise a new one."""
    if value is not None and REQUEST_ID_SHAPE.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestId:
    """Every HTTP request gets an id: the caller's `X-Request-ID`, or a new one, sent back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = accepted_request_id(Headers(scope=scope).get(REQUEST_ID_HEADER))
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = rid
            await send(message)

        token = request_id.set(rid)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts the request id (or "-" outside a request) on every record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get() or NO_REQUEST
        return True


# uvicorn's access records carry these arguments, in this order.
_ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and the error."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "requestId": getattr(record, "request_id", None) or NO_REQUEST,
            "process": record.process,
        }
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            if len(record.args) == len(_ACCESS_FIELDS):
                entry.update(zip(_ACCESS_FIELDS, record.args, strict=True))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["error"] = record.exc_text
        return json.dumps(entry, default=str, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
ACCESS_TEXT_FORMAT = (
    "%(asctime)s %(levelname)s [%(request_id)s] "
    '%(client_addr)s - "%(request_line)s" %(status_code)s'
)


def log_config(settings: Settings) -> dict[str, Any]:
    """The logging set-up of a server process, for `logging.config.dictConfig` and uvicorn.

    Every filter named under "filters" is put on every handler.
    """
    json_lines = settings.log_format == "json"
    config: dict[str, Any] = {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": f"{__name__}.RequestIdFilter"},
            # No secret in any line: one-time links, OIDC codes, API tokens.
            "no_secrets": {"()": "opsportal.web.serving.RedactSecrets"},
        },
        "formatters": {
            "default": (
                {"()": f"{__name__}.JsonFormatter"}
                if json_lines
                else {"format": TEXT_FORMAT, "datefmt": "%Y-%m-%dT%H:%M:%S%z"}
            ),
            "access": (
                {"()": f"{__name__}.JsonFormatter"}
                if json_lines
                else {
                    "()": "uvicorn.logging.AccessFormatter",
                    "fmt": ACCESS_TEXT_FORMAT,
                    "datefmt": "%Y-%m-%dT%H:%M:%S%z",
                    "use_colors": False,
                }
            ),
        },
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stderr",
            },
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "access",
                "stream": "ext://sys.stdout",
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
            "opsportal": {"level": settings.log_level},
        },
        # The application's records (INFO and up from opsportal, WARNING and up from
        # the libraries) reach the same handler as uvicorn's.
        "root": {"handlers": ["default"], "level": "WARNING"},
    }
    return with_filters_on_every_handler(config)


def with_filters_on_every_handler(config: Mapping[str, Any]) -> dict[str, Any]:
    """`config` with each of its filters on each of its handlers."""
    result = dict(config)
    names = list(result.get("filters", {}))
    handlers = {name: dict(handler) for name, handler in result.get("handlers", {}).items()}
    for handler in handlers.values():
        handler["filters"] = [
            *handler.get("filters", []),
            *[n for n in names if n not in handler.get("filters", [])],
        ]
    result["handlers"] = handlers
    return result
