"""Who am I, and signing in for an API token."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request

from opsportal.auth import repository
from opsportal.auth.deps import CurrentUser
from opsportal.auth.login import PasswordCheckSlot, client_address, log_in
from opsportal.auth.schemas import LoginIn, MeRead, TokenIssued
from opsportal.auth.service import issue_api_token
from opsportal.deps import SessionDep, SessionFactoryDep, SettingsDep
from opsportal.models.base import utcnow

router = APIRouter(prefix="/api/v1", tags=["identity"])


@router.get("/me", response_model=MeRead)
async def read_me(user: CurrentUser) -> MeRead:
    """The caller's identity, role, organisation and language."""
    return MeRead(
        id=user.user_id,
        email=user.email,
        name=user.name,
        role=user.role,
        organization_id=user.organization_id,
        locale=user.locale,
    )


@router.post(
    "/login",
    status_code=201,
    response_model=TokenIssued,
    responses={
        401: {"description": "Email or password is wrong"},
        429: {
            "description": "Too many failed logins for this email (10 in 15 minutes) or from "
            "this address; a correct password too. Retry after `Retry-After` seconds"
        },
        503: {
            "description": "Too many logins being checked at once, or the database is busy. "
            "Retry after `Retry-After` seconds"
        },
    },
)
def log_in_for_token(
    body: LoginIn,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    session_factory: SessionFactoryDep,
    slot: PasswordCheckSlot,
) -> TokenIssued:
    """Exchange an email and password for an API token that expires like a web session.

    The token is shown this once. Logins are throttled as on the login page.
    """
    logged_in = log_in(
        session_factory,
        email=body.email,
        password=body.password,
        address=client_address(request),
        settings=settings,
    )
    principal = logged_in.principal
    user = repository.get_user(session, principal.user_id)
    assert user is not None
    expires_at = utcnow() + timedelta(seconds=settings.session_max_age_seconds)
    row, token = issue_api_token(
        session,
        user=user,
        label=body.label,
        expires_at=expires_at,
        actor=principal,
        epoch=logged_in.credentials_epoch,
    )
    return TokenIssued(id=row.id, token=token, label=row.label, expires_at=row.expires_at)
