"""The app's routes as one flat table, and a first-segment index in front of it.

FastAPI keeps an included router as one entry of its parent's routes, and
matches a request by walking every included router's routes in turn, twice
(once to match, once to handle), setting and restoring scope keys for each
candidate. With every domain's routers included (about 150 routes, three
levels deep), finding `/healthz` cost some 160 route checks and most of the
CPU time of the request: the stack answered it at about a third of the rate a
plain FastAPI app answers its one route.

`flatten` puts the leaf routes themselves into the app's route list, in the
same order, so a request is matched the way a route declared on the app is.
It only accepts includes that add nothing to their routes (no prefix, tags,
dependencies, responses or other settings: the domains declare those on
their own routers; an include may keep out of the schema only routes that
are out of it already), and refuses anything else rather than change a route.

`RouteIndex` then groups the routes by the first segment of their path (the
text up to the second "/"), and the router checks only the routes of the
request's segment, plus the few whose first segment is a parameter, in their
original order: a route of another segment could not have matched, so the
route found (and a 405 for a path matched with another method) is the one
the full walk would find.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from fastapi import FastAPI
from fastapi.routing import APIRoute, APIRouter, _update_scope
from fastapi.telemetry._api import _route_selected
from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import Receive, Scope, Send


def _leaves(routes: Sequence[BaseRoute], *, in_schema: bool = True) -> Iterator[BaseRoute]:
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is None:
            if not in_schema and getattr(route, "include_in_schema", False):
                raise ValueError(f"{route!r} is in the schema, but included out of it")
            yield route
            continue
        context = route.include_context  # type: ignore[attr-defined]
        plain = (
            context.prefix == ""
            and not context.tags
            and not context.dependencies
            and not context.responses
            and not context.callbacks
            and context.deprecated is None
            and context.max_body_size is None
        )
        if not plain:
            raise ValueError(f"cannot flatten an include with its own settings: {context!r}")
        # Kept out of the schema by the include: only routes already out of it.
        yield from _leaves(original.routes, in_schema=in_schema and context.include_in_schema)


def flatten(app: FastAPI) -> None:
    """Replace every included router in `app`'s routes by its routes, in order."""
    flat = list(_leaves(app.router.routes))
    app.router.routes[:] = flat
    app.router._mark_routes_changed()  # FastAPI's own cache of its routes


def first_segment(path: str) -> str:
    """ "/api/v1/me" -> "api"; "/" -> ""."""
    return path[1:].partition("/")[0]


def _route_path(route: BaseRoute) -> str | None:
    if isinstance(route, (APIRoute, Route, Mount)):
        return route.path
    return None


class RouteIndex:
    """The routes of each first path segment, in the router's order."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.routes = list(routes)
        by_segment: dict[str, list[int]] = {}
        anywhere: list[int] = []  # routes whose first segment is not literal text
        for position, route in enumerate(self.routes):
            path = _route_path(route)
            segment = first_segment(path) if path is not None else None
            if segment is None or "{" in segment or (isinstance(route, Mount) and not segment):
                anywhere.append(position)
            else:
                by_segment.setdefault(segment, []).append(position)
        self._by_segment = {
            segment: [self.routes[p] for p in sorted({*positions, *anywhere})]
            for segment, positions in by_segment.items()
        }
        self._anywhere = [self.routes[p] for p in anywhere]

    def candidates(self, path: str) -> list[BaseRoute]:
        return self._by_segment.get(first_segment(path), self._anywhere)


class IndexedDispatch:
    """The router's dispatch: the request's segment's routes first, else FastAPI's full walk.

    A route that matches in full is handled exactly as the router would handle
    it; anything else (no route, a 405, a redirect to the path with or without
    its trailing slash) is left to the router's own walk, which answers it.
    """

    def __init__(self, router: APIRouter) -> None:
        self.router = router
        self.full_walk = router.app
        self._index: RouteIndex | None = None
        self._indexed: tuple[int, int] = (0, 0)

    def index(self) -> RouteIndex:
        routes = self.router.routes
        key = (id(routes), len(routes))
        if self._index is None or key != self._indexed:
            self._index, self._indexed = RouteIndex(routes), key
        return self._index

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.router.form_limits:
            await self.full_walk(scope, receive, send)
            return
        for route in self.index().candidates(get_route_path(scope)):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope.setdefault("router", self.router)
                _update_scope(scope, child_scope)
                _route_selected(
                    scope=scope,
                    path=getattr(route, "path_format", None),
                    mount=isinstance(route, Mount),
                )
                await route.handle(scope, receive, send)
                return
        await self.full_walk(scope, receive, send)


def install_route_index(app: FastAPI) -> None:
    """Flatten `app`'s routes, and match each request against its segment's routes first.

    Call it once every route is in place; routes added later are indexed as they come.
    """
    flatten(app)
    router = app.router
    if router.middleware_stack == router.app:  # nothing of the router's own in between
        router.middleware_stack = IndexedDispatch(router)
