"""Content that is not ours (SCORM packages) on an origin of its own, and nothing else there.

The content origin (`OPSPORTAL_CONTENT_BASE_URL`, e.g. `https://content.example.com`
beside `https://portal.example.com`) answers only under its prefix (`/scorm/`);
every other path there is 404, so a package's script finds no page, API or
sign-in form on its own origin. The portal's origin, in turn, never serves the
content: under the prefix it answers 404, so a package never runs with the
portal's origin, its cookie or its pages in reach.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from opsportal.web.security import send_problem


def origin_host(base_url: str) -> str:
    """The Host header of a request to `base_url` (its port only when not the default)."""
    return urlsplit(base_url).netloc.lower()


class SeparateOrigin:
    """Requests for `host` reach only paths under `prefix`; those paths only on `host`."""

    def __init__(self, app: ASGIApp, *, host: str | None, prefix: str) -> None:
        self.app = app
        self.host = host
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = Headers(scope=scope).get("host", "").lower()
        on_content_origin = self.host is not None and host == self.host
        under_prefix = str(scope.get("path", "")).startswith(self.prefix)
        if on_content_origin != under_prefix:
            await send_problem(
                send, 404, "Not found", "Nothing is served at this address.", slug="not-found"
            )
            return
        await self.app(scope, receive, send)
