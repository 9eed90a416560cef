"""The HTTP edge's share of the Prometheus metrics (`kit/telemetry.py`): requests and the pool.

`RequestMetrics` counts every answer by the route's template (`/api/v1/users/{user_id}`,
never the path with its ids), method and status, and times it to the last
byte. `watch_pool` keeps the gauge of checked-out database connections.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, event
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from opsportal.kit import telemetry

# Methods are few and fixed; anything else a client invents is counted as one.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_template(scope: Scope) -> str:
    """The path template of the route that served this request, or "unmatched"."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str) and path:
        return path
    return telemetry.UNMATCHED_ROUTE


class RequestMetrics:
    """Counts and times every HTTP request, labelled by route template, method and status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers if the app raises before starting one

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            method = scope.get("method", "GET")
            method = method if method in KNOWN_METHODS else "OTHER"
            route = route_template(scope)
            if route == telemetry.UNMATCHED_ROUTE and status != 404:
                route = _mount_of(scope) or route
            telemetry.REQUESTS.labels(route, method, str(status)).inc()
            telemetry.REQUEST_SECONDS.labels(route, method).observe(time.perf_counter() - started)


def _mount_of(scope: Scope) -> str | None:
    """For an answer given before routing (a 413, a 503 from admission): the route it was for."""
    app = scope.get("app")
    for route in getattr(getattr(app, "router", None), "routes", ()):
        match, _ = route.matches(scope)
        if match is Match.FULL:
            path = getattr(route, "path", None)
            return path if isinstance(path, str) else None
    return None


_WATCHED = "_opsportal_pool_watched"


def watch_pool(engine: Engine) -> None:
    """Keep `opsportal_db_pool_connections_in_use` as this engine's connections come and go."""
    if getattr(engine, _WATCHED, False):
        return
    setattr(engine, _WATCHED, True)

    @event.listens_for(engine, "checkout")
    def _checked_out(*_args: Any) -> None:
        telemetry.POOL_IN_USE.inc()

    @event.listens_for(engine, "checkin")
    def _checked_in(*_args: Any) -> None:
        telemetry.POOL_IN_USE.dec()
