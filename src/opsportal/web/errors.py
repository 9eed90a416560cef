"""HTML error pages: the same problem texts as the API, as a page, in the reader's language.

The API's problem documents stay English (clients match their texts); a page
translates the title and the detail. A detail raised as `N_("...", x=...)`
(`i18n.Message`) is translated with its values, a plain one that is a message of
the catalogue is looked up, and any other stays as it is.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from opsportal.db import read_only
from opsportal.web import i18n
from opsportal.web.i18n import N_
from opsportal.web.locales import scope_locale, speak_for
from opsportal.web.session import SESSION_USER_KEY, LoginRequired, signed_in_principal
from opsportal.web.templating import render

# The problem titles and fixed details every page can show (errors.py, web/problems.py),
# marked here for the catalogue: those modules serve the API too, which stays English.
# Literals, for the extraction; tests/web/test_languages.py checks none is missing.
PAGE_ERROR_TEXTS = (
    N_("Bad request"),
    N_("Not authenticated"),
    N_("Forbidden"),
    N_("Not found"),
    N_("Method not allowed"),
    N_("Conflict"),
    N_("Payload too large"),
    N_("Unsupported media type"),
    N_("Invalid input"),
    N_("Too many requests"),
    N_("Service busy"),
    N_("HTTP error"),
    # Starlette's own details, for a path no route has and a method a route does not take.
    N_("Not Found"),
    N_("Method Not Allowed"),
    N_("Malformed JSON"),
    N_("The request body is not valid JSON."),
    N_("Internal error"),
    N_("Something went wrong on our side."),
    N_("Service unavailable"),
    N_("The database is busy; nothing was changed. Try again in a moment."),
    N_("The database is unavailable for a moment. Try again shortly."),
    N_("The database is full; nothing was changed. Try again later."),
)


def render_html_error(request: Request, status: int, title: str, detail: str) -> Response:
    """Pages show the same problem texts as the API, as a page (login redirect for 401)."""
    if status == 401:
        next_path = request.url.path
        if request.url.query:
            next_path += "?" + request.url.query
        return RedirectResponse(LoginRequired(next_path).login_url, status_code=303)
    # An error from outside the request's middleware (a 500) has no locale set yet.
    i18n.set_locale(scope_locale(request.scope))
    user = None
    user_id = request.session.get(SESSION_USER_KEY) if "session" in request.scope else None
    if isinstance(user_id, int) and status != 503:  # a busy database would fail again here
        factory = request.app.state.session_factory
        with factory() as session:
            read_only(session)
            user = signed_in_principal(request, session)
        if user is not None:
            speak_for(user.locale)
    home_url = "/" if user else "/login"
    return render(
        request,
        "error.html",
        user=user,
        status_code=status,
        status=status,
        title=i18n.gettext(title),
        detail=i18n.gettext(detail),
        home_url=home_url,
    )
