"""Signing in and out, and the home redirect."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from opsportal.auth.login import PasswordCheckSlot, client_address, log_in
from opsportal.auth.sessions import end_sessions
from opsportal.auth.sso.pages import login_redirect
from opsportal.config import Settings
from opsportal.db import read_only, session_scope
from opsportal.deps import SessionDep, SessionFactoryDep, SettingsDep
from opsportal.errors import Forbidden, TooManyRequests, Unauthorized
from opsportal.principal import Principal
from opsportal.web.i18n import _, ngettext
from opsportal.web.locales import speak_for
from opsportal.web.session import (
    SESSION_USER_KEY,
    CheckedForm,
    PageUser,
    checked_form,
    safe_next,
    sign_in,
    sign_out,
    signed_in_principal,
)
from opsportal.web.templating import render

router = APIRouter(include_in_schema=False)


def landing_path(user: Principal) -> str:
    """Where a user lands after signing in: where their job is.

    A customer's job here is its training; a customer_admin's, its organisation's
    training (who is behind, what to assign); staff's, the customers' benchmarks.
    """
    if user.is_staff:
        return "/benchmarks"
    if user.is_customer_admin:
        return "/training/compliance"
    return "/training"


@router.get("/")
def home(user: PageUser) -> RedirectResponse:
    return RedirectResponse(landing_path(user), status_code=303)


def _login_page(
    request: Request,
    settings: Settings,
    *,
    next_path: str,
    email: str,
    error: str | None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "login.html",
        next=next_path,
        email=email,
        error=error,
        staff_sso=settings.staff_oidc_configured,
        status_code=status_code,
    )


@router.get("/login")
def login_form(
    request: Request, session: SessionDep, settings: SettingsDep, next: str | None = None
) -> Response:
    if signed_in_principal(request, session) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, settings, next_path=safe_next(next), email="", error=None)


@router.post("/login")
def login(
    request: Request,
    form: CheckedForm,
    settings: SettingsDep,
    session_factory: SessionFactoryDep,
    slot: PasswordCheckSlot,
) -> Response:
    """Throttled and bounded like the API's login (`opsportal.auth.login`)."""
    email = str(form.get("email") or "")
    password = str(form.get("password") or "")
    next_path = safe_next(str(form.get("next") or "/"))
    # Home-realm discovery: an email of an SSO domain goes to its identity provider.
    # Looked up in a read of its own: the request's session would take SQLite's write
    # lock, which recording a failed login (in its own transaction) then waits for.
    with session_scope(session_factory) as db:
        read_only(db)
        elsewhere = login_redirect(
            db, settings, email=email, password=password, next_path=next_path
        )
    if elsewhere is not None:
        # A page that moves on by itself rather than a redirect: the login page's
        # Content-Security-Policy (form-action 'self') would stop the form's redirect
        # chain at the identity provider, another origin.
        return render(
            request,
            "sso/continue.html",
            url=elsewhere,
            email=email.strip(),
            staff=elsewhere.startswith("/auth/oidc/login"),
        )
    if not password:
        return _login_page(
            request,
            settings,
            next_path=next_path,
            email=email,
            error=_("Enter your password, or an email your organisation signs in with."),
            status_code=422,
        )
    try:
        logged_in = log_in(
            session_factory,
            email=email,
            password=password,
            address=client_address(request),
            settings=settings,
        )
    except TooManyRequests as exc:
        page = _login_page(
            request,
            settings,
            next_path=next_path,
            email=email,
            error=_throttled(exc),
            status_code=429,
        )
        page.headers.update(exc.headers)
        return page
    except (Unauthorized, Forbidden) as exc:
        return _login_page(
            request,
            settings,
            next_path=next_path,
            email=email,
            error=_(exc.detail),
            status_code=exc.status_code,
        )
    sign_in(request, logged_in.principal, version=logged_in.session_version)
    return RedirectResponse(next_path, status_code=303)


def _throttled(exc: TooManyRequests) -> str:
    """The throttle's answer (auth/throttle.py), its minutes counted in the page's language."""
    minutes = math.ceil(exc.retry_after / 60)
    return ngettext(
        "Too many failed logins for this account or from this network. "
        "Try again in %(num)s minute.",
        "Too many failed logins for this account or from this network. "
        "Try again in %(num)s minutes.",
        minutes,
    )


async def _logout_form(request: Request) -> int | None:
    """The signed-in user's id, once the form's CSRF token matched (None: nobody to sign out)."""
    user_id = request.session.get(SESSION_USER_KEY)
    if type(user_id) is not int:
        return None
    await checked_form(request)
    return user_id


@router.get("/logout")
def logout_page(request: Request, session: SessionDep) -> Response:
    # A GET never signs anyone out: a link or an image on another site could
    # send it. Whoever follows an old link gets the button instead.
    user = signed_in_principal(request, session)
    if user is None:
        return RedirectResponse("/login", status_code=303)
    speak_for(user.locale)
    return render(request, "logout.html", user=user)


@router.post("/logout")
def logout(
    request: Request,
    session: SessionDep,
    user_id: Annotated[int | None, Depends(_logout_form)],
) -> RedirectResponse:
    """Ends every session of this user (a saved copy of the cookie opens nothing), then: log in."""
    if user_id is not None:
        end_sessions(session, user_id=user_id)
    sign_out(request)
    return RedirectResponse("/login", status_code=303)
