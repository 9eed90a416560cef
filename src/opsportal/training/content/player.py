"""The content origin's routes: the runtime frame, its commits, and the package's files.

Served only on `OPSPORTAL_CONTENT_BASE_URL`'s host (web/content_origin.py), under
`/scorm/{launch key}/`, never with the portal's cookie. Each response says who
may frame it and what it may load or call (see docs/security.md):

- the runtime frame (ours): our scripts only; it may call its own commit URL;
- the package's files (not ours): anything from the content origin, inline
  script included, as SCOs need; connections only to its own files; framed
  only by the runtime frame and the portal.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterator
from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse

from opsportal.db import session_scope
from opsportal.deps import SessionDep, SettingsDep
from opsportal.errors import InvalidInput, NotFound
from opsportal.models.base import utcnow
from opsportal.training.content import repository, runtime
from opsportal.training.content.service import CHUNK_BYTES
from opsportal.web.i18n import (
    DEFAULT_LOCALE,
    SHIPPED_LOCALES,
    _,
    text_direction,
    using_locale,
)
from opsportal.web.templating import STATIC_DIR

router = APIRouter(include_in_schema=False)

PREFIX = "/scorm/"
# The runtime's own files, served from the content origin (the SCO finds the API
# object in the runtime frame's window, so they must run on the content's origin).
ASSETS = {
    "scorm12.min.js": STATIC_DIR / "vendor" / "scorm-again" / "scorm12.min.js",
    "scorm2004.min.js": STATIC_DIR / "vendor" / "scorm-again" / "scorm2004.min.js",
    "runtime.js": STATIC_DIR / "scorm-runtime.js",
    "runtime.css": STATIC_DIR / "scorm-runtime.css",
}
ASSET_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
# Files up to this size are sent in one piece; larger ones are streamed chunk by chunk.
WHOLE_FILE_BYTES = 8 * CHUNK_BYTES
MAX_COMMIT_BYTES = 1024 * 1024


def _origin(url: str) -> str:
    return url.rstrip("/")


def runtime_policy(content: str, portal: str, token: str) -> str:
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"frame-src 'self'; connect-src {content}/scorm/{token}/commit; base-uri 'none'; "
        f"form-action 'none'; frame-ancestors {portal}"
    )


def content_policy(content: str, portal: str, token: str) -> str:
    return (
        "default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:; "
        f"connect-src {content}/scorm/{token}/content/; object-src 'none'; base-uri 'self'; "
        f"form-action 'self'; frame-ancestors 'self' {portal}"
    )


RUNTIME_PAGE = """<!doctype html>
<html lang="{lang}"{dir}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{page_title}</title>
<link rel="stylesheet" href="/scorm/assets/runtime.css">
</head>
<body>
<div id="scorm-runtime" data-state="{state}" data-commit-url="{commit}" data-content-base="{base}"
  data-saved-message="{saved}">
<p id="scorm-message" role="status"></p>
<iframe id="scorm-sco" title="{title}"></iframe>
</div>
<script src="/scorm/assets/{library}"></script>
<script src="/scorm/assets/runtime.js"></script>
</body>
</html>
"""


@router.get("/scorm/assets/{name}")
def runtime_asset(name: str) -> Response:
    path = ASSETS.get(name)
    if path is None:
        raise NotFound("No such file.")
    return Response(
        path.read_bytes(),
        media_type=ASSET_TYPES[path.suffix],
        headers={"Cache-Control": "public, max-age=3600"},
    )


def _runtime_locale(lang: str | None) -> str:
    """The player page's language (`?lang=`, one the portal ships), else English."""
    return lang if lang in SHIPPED_LOCALES else DEFAULT_LOCALE


@router.get("/scorm/{token}/")
def runtime_frame(
    token: str, session: SessionDep, settings: SettingsDep, lang: str | None = None
) -> HTMLResponse:
    attempt = runtime.attempt_for(session, token, now=utcnow())
    state = runtime.runtime_state(session, attempt)
    package = runtime.package_of(session, attempt)
    content = _origin(settings.content_base_url or "")
    locale = _runtime_locale(lang)
    with using_locale(locale):
        saved = _("Your progress is saved. You can close this course.")
        page = RUNTIME_PAGE.format(
            lang=locale,
            dir="" if text_direction(locale) == "ltr" else ' dir="rtl"',
            page_title=escape(_("Course player")),
            saved=escape(saved, quote=True),
            state=escape(json.dumps(state), quote=True),
            commit=escape(f"/scorm/{token}/commit", quote=True),
            base=escape(f"/scorm/{token}/content/", quote=True),
            title=escape(package.title or _("Course content"), quote=True),
            library="scorm12.min.js" if state["version"] == "1.2" else "scorm2004.min.js",
        )
    return HTMLResponse(
        page,
        headers={
            "Content-Security-Policy": runtime_policy(content, settings.public_base_url, token),
            "Referrer-Policy": "no-referrer",
        },
    )


async def commit_body(request: Request) -> Any:
    """The commit's JSON, whatever its content type (a beacon at unload sends text/plain)."""
    body = await request.body()
    if len(body) > MAX_COMMIT_BYTES:
        raise InvalidInput(f"A commit is at most {MAX_COMMIT_BYTES:,} bytes.")
    try:
        return json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("The commit is not JSON.") from exc


@router.post("/scorm/{token}/commit")
def runtime_commit(
    token: str, data: Annotated[Any, Depends(commit_body)], session: SessionDep
) -> JSONResponse:
    result = runtime.commit(session, token=token, data=data, now=utcnow())
    return JSONResponse(result.model_dump(by_alias=True))


def _package_path(path: str) -> str:
    normal = posixpath.normpath("/" + path).lstrip("/")
    if not path or path.endswith("/") or normal in ("", "."):
        raise NotFound("No such file in this package.")
    return normal


@router.get("/scorm/{token}/content/{path:path}")
def package_file(
    token: str, path: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    attempt = runtime.attempt_for(session, token, now=utcnow())
    found = repository.find_file(session, package_id=attempt.package_id, path=_package_path(path))
    if found is None:
        raise NotFound("No such file in this package.")
    content = _origin(settings.content_base_url or "")
    headers = {
        "Content-Security-Policy": content_policy(content, settings.public_base_url, token),
        "Cache-Control": "private, max-age=3600",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if found.size <= WHOLE_FILE_BYTES:
        data = b"".join(repository.chunks(session, found.id))
        return Response(data, media_type=found.content_type, headers=headers)
    factory = request.app.state.read_session_factory
    file_id = found.id

    def stream() -> Iterator[bytes]:
        # The request's session has ended by now: each few chunks read in a short session of
        # their own, so a slow download holds no connection between reads.
        seq = 0
        while True:
            with session_scope(factory) as own:
                batch = list(repository.chunks(own, file_id, start=seq, stop=seq + 4))
            if not batch:
                return
            yield from batch
            seq += len(batch)

    headers["Content-Length"] = str(found.size)
    return StreamingResponse(stream(), media_type=found.content_type, headers=headers)
