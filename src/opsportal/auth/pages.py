"""Signing in and out, and the home redirect."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from opsportal.auth.service import authenticate_password
from opsportal.db import SessionDep
from opsportal.errors import Unauthorized
from opsportal.web.session import (
    SESSION_USER_KEY,
    CheckedForm,
    PageUser,
    safe_next,
    sign_in,
    sign_out,
)
from opsportal.web.templating import render

router = APIRouter(include_in_schema=False)


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
