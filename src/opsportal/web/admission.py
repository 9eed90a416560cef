"""How many requests one process serves at once: as many as it has database connections.

A request takes its connection at its first query and gives it back when its
transaction ends, and in between it hops to and from the thread pool. Were more
requests let in than there are connections, the surplus would sit in worker
threads waiting for a connection while the requests holding one wait for a
thread to finish on: the process stalls until the pool's timeout. Admitting at
most `limit` requests keeps every admitted request's connection available; the
others wait here, on the event loop, which costs nothing, and a request that
waited longer than `wait_seconds` gets 503 with `Retry-After` instead of
queueing without end.
"""

from __future__ import annotations

import logging

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send

from opsportal.errors import BUSY_RETRY_AFTER_SECONDS
from opsportal.kit.telemetry import POOL_WAITING
from opsportal.web.problems import problem

logger = logging.getLogger(__name__)


class RequestAdmission:
    """At most `limit` HTTP requests in the application at once; the rest wait their turn."""

    def __init__(self, app: ASGIApp, *, limit: int, wait_seconds: float) -> None:
        self.app = app
        self.limit = limit
        self.wait_seconds = wait_seconds
        self._limiter: anyio.CapacityLimiter | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._limiter is None:  # made on the event loop that serves, not at import
            self._limiter = anyio.CapacityLimiter(self.limit)
        limiter = self._limiter
        admitted = False
        try:
            limiter.acquire_nowait()
            admitted = True
        except anyio.WouldBlock:  # every slot taken: wait, and be counted while waiting
            POOL_WAITING.inc()
            try:
                with anyio.move_on_after(self.wait_seconds):
                    await limiter.acquire()
                    admitted = True
            finally:
                POOL_WAITING.dec()
        if not admitted:
            logger.warning("no room for %s %s: every slot busy", scope["method"], scope["path"])
            response = problem(
                503,
                "Service busy",
                f"All {self.limit} request slots are busy; nothing was changed. "
                "Try again in a moment.",
                slug="busy",
                headers={"Retry-After": str(BUSY_RETRY_AFTER_SECONDS)},
            )
            await response(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            limiter.release()
