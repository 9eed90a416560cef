"""The web session: who is signed in, and CSRF tokens for every form post.

The session lives in Starlette's signed cookie (HttpOnly, SameSite=Lax). A
random CSRF token is kept in it and must come back in each form's hidden
`csrf_token` field; SameSite=Lax alone would still let a same-site page post.
The cookie also carries the user's session version from sign-in, checked on
every request (`opsportal.auth.sessions`): logging out or changing the password
bumps it in the database, so a copy of the cookie kept from before opens nothing.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from opsportal.auth.sessions import session_principal, session_version
from opsportal.deps import SessionDep, identity_session, run_read
from opsportal.errors import Forbidden, Unauthorized
from opsportal.models import Role
from opsportal.principal import Principal
from opsportal.web.i18n import N_
from opsportal.web.locales import speak_for

SESSION_USER_KEY = "user_id"
SESSION_CSRF_KEY = "csrf"
SESSION_VERSION_KEY = "version"

# Counts the navigation shows beside its links (notifications' "Notifications (3)"),
# by template variable. Domains add theirs at start-up (`opsportal.wiring`), so the
# pages' shared layer knows no domain.
NavigationCount = Callable[[Session, int], int]
_navigation_counts: dict[str, NavigationCount] = {}


def add_navigation_count(name: str, count: NavigationCount) -> None:
    """Show `count(session, user_id)` as `name` in every signed-in page; again: replaces it."""
    _navigation_counts[name] = count


def navigation_counts(request: Request) -> dict[str, int]:
    """This page's counts, as `page_principal` found them (zero where none was added)."""
    found: dict[str, int] = getattr(request.state, "navigation_counts", {})
    return {name: found.get(name, 0) for name in _navigation_counts}


class LoginRequired(Unauthorized):
    """Raised by pages; rendered as a redirect to the login form."""

    def __init__(self, next_path: str) -> None:
        super().__init__("Please log in.")
        self.next_path = next_path

    @property
    def login_url(self) -> str:
        return "/login?next=" + quote(self.next_path, safe="/")


def csrf_token(request: Request) -> str:
    token = request.session.get(SESSION_CSRF_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF_KEY] = token
    return token


def sign_in(
    request: Request, principal: Principal, *, db: Session | None = None, version: int | None = None
) -> None:
    """Sign `principal` in: with the session `version` its sign-in was checked at, or else
    the one in the database (`db`) now."""
    # A fresh session on login, so a session planted before login is worthless.
    request.session.clear()
    request.session[SESSION_USER_KEY] = principal.user_id
    if version is None:
        assert db is not None, "sign_in needs the session version or a database session"
        version = session_version(db, principal.user_id)
    request.session[SESSION_VERSION_KEY] = version
    request.session[SESSION_CSRF_KEY] = secrets.token_urlsafe(32)


def sign_out(request: Request) -> None:
    request.session.clear()


def signed_in_principal(request: Request, db: Session) -> Principal | None:
    """Who this request's session cookie speaks for, if its session has not been ended."""
    if "session" not in request.scope:
        return None
    user_id = request.session.get(SESSION_USER_KEY)
    version = request.session.get(SESSION_VERSION_KEY)
    # bool is an int too; a cookie from before session versions has none and is refused.
    if type(user_id) is not int or type(version) is not int:
        return None
    return session_principal(db, user_id=user_id, version=version)


async def checked_form(request: Request) -> FormData:
    """The posted form, after its CSRF token matched the session's."""
    form = await request.form()
    expected = request.session.get(SESSION_CSRF_KEY)
    given = form.get("csrf_token")
    if (
        not isinstance(expected, str)
        or not isinstance(given, str)
        or not hmac.compare_digest(expected, given)
    ):
        raise Forbidden(
            N_("This form has expired or did not come from opsportal. Reload the page.")
        )
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


def _signed_in_with_counts(request: Request, session: Session) -> Principal | None:
    with identity_session(request, session) as db:
        principal = signed_in_principal(request, db)
        if principal is not None:
            request.state.navigation_counts = {
                name: count(db, principal.user_id) for name, count in _navigation_counts.items()
            }
    return principal


async def maybe_page_principal(request: Request, session: SessionDep) -> Principal | None:
    """Who is signed in (with the navigation's counts), or None: for public pages.

    Their own language, from the principal loaded here anyway, becomes the
    request's: async so that it is set in the request's own context, which the
    handler (in a worker thread or not) runs in. The reads go through `run_read`:
    at once on SQLite, one trip to a worker thread on PostgreSQL (a synchronous
    dependency would take that trip on SQLite too).
    """
    principal = await run_read(session, lambda: _signed_in_with_counts(request, session))
    if principal is not None:
        speak_for(principal.locale)
    return principal


async def page_principal(request: Request, session: SessionDep) -> Principal:
    principal = await maybe_page_principal(request, session)
    if principal is None:
        next_path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(next_path)
    return principal


PageUser = Annotated[Principal, Depends(page_principal)]
# A public page shows the navigation to whoever is signed in.
MaybePageUser = Annotated[Principal | None, Depends(maybe_page_principal)]


def _page_roles(*roles: Role, refusal: str) -> object:
    async def _check(user: PageUser) -> Principal:
        if user.role not in roles:
            raise Forbidden(refusal)
        return user

    return Depends(_check)


# The pages' guards, one per audience: a page names who it is for, never checks roles itself.
PageStaff = Annotated[
    Principal,
    _page_roles(Role.ADMIN, Role.INTERNAL, refusal=N_("This page is for operations staff.")),
]
PageAdmin = Annotated[
    Principal, _page_roles(Role.ADMIN, refusal=N_("This page is for administrators."))
]
# Admins for everyone; a customer_admin for its own organisation's users.
PageUserManager = Annotated[
    Principal,
    _page_roles(Role.ADMIN, Role.CUSTOMER_ADMIN, refusal=N_("This page is for administrators.")),
]
# Staff for every organisation; a customer_admin for its own (compliance, assignments).
PageTrainingOverseer = Annotated[
    Principal,
    _page_roles(
        Role.ADMIN,
        Role.INTERNAL,
        Role.CUSTOMER_ADMIN,
        refusal=N_("This page is for operations staff and customer administrators."),
    ),
]


def safe_next(next_path: str | None) -> str:
    """Only local paths, so the login form cannot be used to bounce users elsewhere."""
    if (
        next_path
        and next_path.startswith("/")
        and not next_path.startswith("//")
        and "\\" not in next_path
    ):
        return next_path
    return "/"
