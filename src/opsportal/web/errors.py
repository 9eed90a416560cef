"""HTML error pages: the same problem texts as the API, as a page."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from opsportal.db import read_only
from opsportal.web.session import SESSION_USER_KEY, LoginRequired, signed_in_principal
from opsportal.web.templating import render


def render_html_error(request: Request, status: int, title: str, detail: str) -> Response:
    """Pages show the same problem texts as the API, as a page (login redirect for 401)."""
    if status == 401:
        next_path = request.url.path
        if request.url.query:
            next_path += "?" + request.url.query
        return RedirectResponse(LoginRequired(next_path).login_url, status_code=303)
    user = None
    user_id = request.session.get(SESSION_USER_KEY) if "session" in request.scope else None
    if isinstance(user_id, int) and status != 503:  # a busy database would fail again here
        factory = request.app.state.session_factory
        with factory() as session:
            read_only(session)
            user = signed_in_principal(request, session)
    home_url = "/" if user else "/login"
    return render(
        request,
        "error.html",
        user=user,
        status_code=status,
        status=status,
        title=title,
        detail=detail,
        home_url=home_url,
    )
