"""What every response carries and what every request must respect, as plain ASGI middleware.

- `SecurityHeaders`: the Content-Security-Policy (no inline script or style
  anywhere, /docs included: its Swagger UI is served from the package and
  started by a script file), no framing, `nosniff`, `Referrer-Policy`, HSTS
  behind HTTPS, and `Cache-Control: no-store` on everything but static files.
- `ApiBodyNeedsToken`: an API request with a body and no valid API token gets
  401 before a byte of the body is read (see the class for why here).
- `BodyLimit`: every body is read in full before the request is admitted, under
  a size limit (413, at once when `Content-Length` says so) and a deadline (408),
  so a slow client holds nothing but its own connection (see the class).

They are plain ASGI rather than `BaseHTTPMiddleware`, so a body is buffered
once, where `BodyLimit` says, and a streamed response stays streamed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from tempfile import SpooledTemporaryFile

import anyio
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from opsportal.auth.service import authenticate_token
from opsportal.db import SessionFactory, read_only, session_scope
from opsportal.errors import PROBLEM_JSON, PROBLEM_TYPE_BASE, DomainError

# No inline script or style, no plugins, no framing, forms only to ourselves.
# img-src allows data: for the small SVG icons Swagger UI's stylesheet embeds.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000"
STATIC_PREFIX = "/static/"
# Static files outside /static/, at the addresses browsers ask for them.
STATIC_PATHS = frozenset({"/favicon.ico"})


class SecurityHeaders:
    """Security headers on every response; `no-store` unless a route chose its own caching."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.headers: list[tuple[str, str]] = [
            ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
            ("X-Frame-Options", "DENY"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "same-origin"),
        ]
        if hsts:
            self.headers.append(("Strict-Transport-Security", HSTS))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Static files are the same for everyone; every other response may carry
        # someone's data (a page, a PDF, an API answer) and must not be kept by a
        # browser or a proxy after the user has gone.
        path = str(scope.get("path", ""))
        cacheable = path.startswith(STATIC_PREFIX) or path in STATIC_PATHS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                # A response that says who may frame it (SCORM content, framed by
                # the portal) keeps that: X-Frame-Options would forbid it outright.
                own_framing = "frame-ancestors" in headers.get("content-security-policy", "")
                for name, value in self.headers:
                    if name == "X-Frame-Options" and own_framing:
                        continue
                    if name not in headers:
                        headers[name] = value
                if not cacheable and "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def send_problem(
    send: Send,
    status: int,
    title: str,
    detail: str,
    *,
    slug: str,
    headers: dict[str, str] | None = None,
) -> None:
    """A problem+json answer sent straight from middleware, closing the connection.

    `Connection: close` tells the server not to drain the unread rest of the body
    to keep the connection alive: the client is told, and the socket is closed.
    """
    body = json.dumps(
        {"type": PROBLEM_TYPE_BASE + slug, "title": title, "status": status, "detail": detail}
    ).encode()
    raw = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def _too_large_detail(limit: int) -> str:
    return f"The request body is larger than {limit:,} bytes; nothing was changed."


def _too_slow_detail(seconds: float) -> str:
    return f"The request body did not arrive within {seconds:g} seconds; nothing was changed."


# Kept in memory while it arrives (uvicorn stops reading a connection at 64 KB
# unread); the rest of a larger body waits in a temporary file.
IN_MEMORY_BODY_BYTES = 64 * 1024
REPLAY_CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class LargerBodies:
    """POSTs to paths matching `path` may send up to `max_bytes` within `timeout_seconds`
    (a SCORM package upload); everything else keeps the general limits."""

    path: re.Pattern[str]
    max_bytes: int
    timeout_seconds: float


def _expects_body(headers: Headers) -> bool:
    return headers.get("content-length", "0") not in ("", "0") or "transfer-encoding" in headers


class BodyLimit:
    """Every request body is read in full, within `max_bytes` and `timeout_seconds`, before
    the request goes any further.

    - A declared `Content-Length` over the limit is answered 413 at once, nothing read.
    - A streamed (chunked) body is counted as it arrives: 413 as it passes the limit.
    - A body that has not arrived in full within `timeout_seconds` of the request's
      head gets 408, however steadily it trickles.

    Only then is the request let in (`RequestAdmission`), and the app gets the body
    as one message. So a slow client holds none of what a request takes on its way
    through: a request slot, SQLite's write turn, a database connection, a thread.
    Waiting for its bytes costs one task on the event loop, and the wait is bounded.
    Before this, eight connections trickling a byte at a time into `POST /api/v1/login`
    held every request slot, and `/healthz` got 503 for as long as they trickled.

    A body is kept in memory up to `IN_MEMORY_BODY_BYTES`, and beyond that in a
    temporary file (as nginx does), so connections that send large bodies and stall
    cost the process what uvicorn held for them before: 40 anonymous 9 MB form posts
    left waiting took a worker from 134 MB to 600 MB when bodies were kept in memory.
    Requests without a body go straight on.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        timeout_seconds: float,
        larger: Sequence[LargerBodies] = (),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_seconds = timeout_seconds
        self.larger = tuple(larger)

    def _limits(self, scope: Scope) -> tuple[int, float]:
        path = str(scope.get("path", ""))
        for allowed in self.larger:
            if scope.get("method") == "POST" and allowed.path.fullmatch(path):
                return allowed.max_bytes, allowed.timeout_seconds
        return self.max_bytes, self.timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if not _expects_body(headers):
            await self.app(scope, receive, send)
            return
        limit, timeout_seconds = self._limits(scope)
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return

        with SpooledTemporaryFile(max_size=IN_MEMORY_BODY_BYTES) as spool:
            received = 0
            ended: str | None = None  # why reading stopped, if it stopped before the deadline
            with anyio.move_on_after(timeout_seconds):
                while ended is None:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        ended = "disconnected"
                        break
                    chunk = message.get("body", b"")
                    received += len(chunk)
                    if received > limit:
                        ended = "too large"
                        break
                    spool.write(chunk)
                    if not message.get("more_body", False):
                        ended = "complete"
            if ended == "disconnected":
                return  # the client left: there is no one to answer
            if ended == "too large":
                await _too_large(send, limit)
                return
            if ended is None:
                await send_problem(
                    send,
                    408,
                    "Request timeout",
                    _too_slow_detail(timeout_seconds),
                    slug="request-timeout",
                )
                return

            spool.seek(0)
            left = received

            async def replay() -> Message:
                nonlocal left
                if left < 0:
                    return await receive()  # after the body, only the client's disconnect
                chunk = spool.read(REPLAY_CHUNK_BYTES)
                left -= len(chunk)
                more = left > 0
                if not more:
                    left = -1
                return {"type": "http.request", "body": chunk, "more_body": more}

            await self.app(scope, replay, send)


async def _too_large(send: Send, limit: int) -> None:
    await send_problem(
        send, 413, "Payload too large", _too_large_detail(limit), slug="payload-too-large"
    )


API_PREFIX = "/api/"
# API routes that take a body from anonymous callers: only signing in for a
# token (auth/endpoints.py). Every other API operation with a body needs a
# token; a new public one must be listed here, or it can never be reached.
PUBLIC_API_BODY_PATHS: frozenset[str] = frozenset({"/api/v1/login"})


def _bearer_token(headers: Headers) -> str | None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


class ApiBodyNeedsToken:
    """An API request with a body and no valid API token gets 401 before its body is read.

    FastAPI reads and parses a route's body before it runs any dependency, the
    token check included, so without this an anonymous caller could make the
    server parse (and hold in memory) a body as large as the limit allows, over
    and over, without ever holding a token. A dependency cannot run earlier, and
    a route declaring its body lazily would have to be written that way one by
    one; a middleware covers every API route, present and future, in one place.

    It runs before the body is read (`BodyLimit`), and so before the request is
    admitted (`RequestAdmission`): its checks take threads of their own, at most
    `checks_at_once` at a time, never the threads the admitted requests run on.

    It checks the token the way the route will (`authenticate_token`: on
    PostgreSQL in a worker thread, so the event loop is not blocked; on SQLite
    at once, a read that cannot wait, see `deps.run_read`), and only to refuse: the
    route checks the token again for itself, with its roles, so nothing about
    authorisation depends on this middleware. If the check cannot run (say the
    database is busy), the request goes on to the route, whose own check and
    error handling answer as usual. Requests without a body are left to the route.
    """

    def __init__(
        self, app: ASGIApp, *, session_factory: SessionFactory, checks_at_once: int
    ) -> None:
        self.app = app
        self.session_factory = session_factory
        self.checks_at_once = checks_at_once
        self._limiter: anyio.CapacityLimiter | None = None
        # On SQLite the check is a read that cannot wait (`deps.run_read`): done at once.
        bind = session_factory.kw.get("bind")
        self._at_once = bind is not None and bind.dialect.name == "sqlite"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or not str(scope.get("path", "")).startswith(API_PREFIX)
            or scope["path"] in PUBLIC_API_BODY_PATHS
        ):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if _expects_body(headers):
            token = _bearer_token(headers)
            if token is None or not await self._check(token):
                await send_problem(
                    send,
                    401,
                    "Not authenticated",
                    "Send a valid API token as `Authorization: Bearer <token>`.",
                    slug="unauthorized",
                    headers={"WWW-Authenticate": "Bearer"},
                )
                return
        await self.app(scope, receive, send)

    async def _check(self, token: str) -> bool:
        if self._at_once:
            return self._valid(token)
        if self._limiter is None:  # made on the event loop that serves, not at import
            self._limiter = anyio.CapacityLimiter(self.checks_at_once)
        return await anyio.to_thread.run_sync(self._valid, token, limiter=self._limiter)

    def _valid(self, token: str) -> bool:
        try:
            with session_scope(self.session_factory) as session:
                read_only(session)
                authenticate_token(session, token=token)
        except DomainError:
            return False
        except Exception:  # not ours to answer: the route checks again, and answers
            return True
        return True
