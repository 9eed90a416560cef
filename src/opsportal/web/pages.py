"""The pages every visitor may open: the accessibility statement, and the favicon."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from opsportal.deps import SettingsDep
from opsportal.web.session import MaybePageUser
from opsportal.web.templating import STATIC_DIR, render

router = APIRouter(include_in_schema=False)


@router.get("/accessibility")
def accessibility_statement(
    request: Request, user: MaybePageUser, settings: SettingsDep
) -> HTMLResponse:
    return render(request, "accessibility.html", user=user, contact=settings.accessibility_contact)


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    """For the browsers and tools that ask for /favicon.ico whatever the page links."""
    # The same for everyone: cached like the static files (web/security.py).
    return FileResponse(STATIC_DIR / "favicon.ico", media_type="image/x-icon")
