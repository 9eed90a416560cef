"""Authorisation as dependencies: routes read `user: CurrentUser`, `admin: AdminUser`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from opsportal.auth.service import Principal, authenticate_token
from opsportal.db import SessionDep
from opsportal.errors import Forbidden, Unauthorized
from opsportal.models import Role

_bearer = HTTPBearer(auto_error=False, description="API token from `opsportal user create`")


def current_principal(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("Send an API token as `Authorization: Bearer <token>`.")
    return authenticate_token(session, token=credentials.credentials)


CurrentUser = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> object:
    allowed = ", ".join(r.value for r in roles)

    def _check(user: CurrentUser) -> Principal:
        if user.role not in roles:
            raise Forbidden(f"This needs one of the roles: {allowed}.")
        return user

    return Depends(_check)


AdminUser = Annotated[Principal, require_roles(Role.ADMIN)]
StaffUser = Annotated[Principal, require_roles(Role.ADMIN, Role.INTERNAL)]
