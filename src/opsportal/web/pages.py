"""Signing in and out, the home redirect, the organisation list, and HTML error pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from opsportal.auth.service import authenticate_password, principal_for_user_id
from opsportal.db import SessionDep
from opsportal.errors import Unauthorized
from opsportal.tenants import service as tenant_service
from opsportal.web.session import (
    SESSION_USER_KEY,
    CheckedForm,
    LoginRequired,
    PageStaff,
    PageUser,
    safe_next,
    sign_in,
    sign_out,
)
from opsportal.web.templating import render

router = APIRouter(include_in_schema=False)

ORGANIZATIONS_PER_PAGE = 50


@router.get("/")
def home(user: PageUser) -> RedirectResponse:
    return RedirectResponse("/benchmarks", status_code=303)


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    if isinstance(request.session.get(SESSION_USER_KEY), int):
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", next=safe_next(next), email="", error=None)


@router.post("/login")
def login(request: Request, session: SessionDep, form: CheckedForm) -> Response:
    email = str(form.get("email") or "")
    password = str(form.get("password") or "")
    next_path = safe_next(str(form.get("next") or "/"))
    try:
        principal = authenticate_password(session, email=email, password=password)
    except Unauthorized as exc:
        return render(
            request, "login.html", next=next_path, email=email, error=exc.detail, status_code=401
        )
    sign_in(request, principal)
    return RedirectResponse(next_path, status_code=303)


@router.get("/logout")
def logout(request: Request) -> RedirectResponse:
    sign_out(request)
    return RedirectResponse("/login", status_code=303)


@router.get("/organizations")
def organization_list(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    q: Annotated[str | None, Query(max_length=200)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    organizations, total = tenant_service.list_organizations(
        session,
        principal=user,
        search=q,
        limit=ORGANIZATIONS_PER_PAGE,
        offset=(page - 1) * ORGANIZATIONS_PER_PAGE,
    )
    pages = max(1, -(-total // ORGANIZATIONS_PER_PAGE))
    return render(
        request,
        "organizations.html",
        user=user,
        organizations=organizations,
        total=total,
        q=q or "",
        page=page,
        pages=pages,
    )


def render_html_error(request: Request, status: int, title: str, detail: str) -> Response:
    """Pages show the same problem texts as the API, as a page (login redirect for 401)."""
    if status == 401:
        next_path = request.url.path
        if request.url.query:
            next_path += "?" + request.url.query
        return RedirectResponse(LoginRequired(next_path).login_url, status_code=303)
    user = None
    user_id = request.session.get(SESSION_USER_KEY) if "session" in request.scope else None
    if isinstance(user_id, int):
        factory = request.app.state.session_factory
        with factory() as session:
            user = principal_for_user_id(session, user_id)
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
