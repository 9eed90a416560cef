"""Authorisation as dependencies: routes read `user: CurrentUser`, `admin: AdminUser`."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import BackgroundTasks, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from opsportal.auth.service import TokenCheck, check_token, record_token_use
from opsportal.db import SessionFactory, session_scope
from opsportal.deps import SessionDep, identity_session, run_read
from opsportal.errors import Forbidden, Unauthorized
from opsportal.models import Role
from opsportal.principal import Principal

logger = logging.getLogger(__name__)

_bearer = HTTPBearer(
    auto_error=False,
    description="API token: issued by an admin (`POST /api/v1/users/{id}/tokens`, "
    "`opsportal user create`) or by `POST /api/v1/login`",
)


async def current_principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    background: BackgroundTasks,
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("Send an API token as `Authorization: Bearer <token>`.")
    token = credentials.credentials

    def check() -> TokenCheck:
        with identity_session(request, session) as db:
            return check_token(db, token=token)

    # A read (on a write's request, in a short read of its own): see `run_read`.
    checked = await run_read(session, check)
    if checked.last_used_is_stale:
        # Not in the request's transaction either: the rare write gets a short
        # transaction of its own, after the response has gone.
        background.add_task(_record_use, request.app.state.session_factory, checked.token_id)
    return checked.principal


def _record_use(session_factory: SessionFactory, token_id: int) -> None:
    try:
        with session_scope(session_factory) as session:
            record_token_use(session, token_id=token_id)
    except Exception:  # the next request tries again; the answer has gone already
        logger.warning("could not record the use of API token %s", token_id, exc_info=True)


CurrentUser = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> object:
    allowed = ", ".join(r.value for r in roles)

    async def _check(user: CurrentUser) -> Principal:
        if user.role not in roles:
            raise Forbidden(f"This needs one of the roles: {allowed}.")
        return user

    return Depends(_check)


AdminUser = Annotated[Principal, require_roles(Role.ADMIN)]
StaffUser = Annotated[Principal, require_roles(Role.ADMIN, Role.INTERNAL)]
# Admins, and customer_admins for their own organisation's customer users.
UserManager = Annotated[Principal, require_roles(Role.ADMIN, Role.CUSTOMER_ADMIN)]
