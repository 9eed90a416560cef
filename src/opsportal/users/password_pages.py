"""The public page where a one-time link (an invitation or a reset) sets a password."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from opsportal.auth.login import PasswordCheckSlot
from opsportal.deps import SessionDep
from opsportal.errors import DomainError, InvalidInput
from opsportal.users import password_links
from opsportal.web.i18n import _
from opsportal.web.session import CheckedForm
from opsportal.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/set-password/{token}")
def set_password_form(request: Request, token: str, session: SessionDep) -> Response:
    try:
        target = password_links.user_for_password_link(session, token=token)
    except DomainError as exc:
        return render(
            request, "users/set_password.html", target=None, error=_(exc.detail), status_code=404
        )
    return render(request, "users/set_password.html", target=target, error=None)


@router.post("/set-password/{token}")
def set_password(
    request: Request,
    token: str,
    session: SessionDep,
    form: CheckedForm,
    slot: PasswordCheckSlot,  # hashing a password, for an anonymous caller: bounded
) -> Response:
    password = form.get("password")
    repeated = form.get("password_again")
    try:
        target = password_links.user_for_password_link(session, token=token)
    except DomainError as exc:
        return render(
            request, "users/set_password.html", target=None, error=_(exc.detail), status_code=404
        )
    if not isinstance(password, str) or password != repeated:
        return render(
            request,
            "users/set_password.html",
            target=target,
            error=_("The two passwords differ."),
            status_code=422,
        )
    try:
        password_links.set_password_with_link(session, token=token, password=password)
    except InvalidInput as exc:
        return render(
            request, "users/set_password.html", target=target, error=_(exc.detail), status_code=422
        )
    return render(request, "users/set_password.html", target=target, error=None, done=True)
