"""Authorisation as dependencies: routes read `user: CurrentUser`, `admin: AdminUser`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import BackgroundTasks, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from opsportal.auth.service import check_token, record_token_use
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


@dataclass
class Caller:
    """The API token a request came with, checked when first asked for (`principal()`).

    For a route whose reads run in one `run_read` (the scorecard's JSON): asked
    inside it, the check and the route's reads share the one trip to a worker
    thread that a read takes on PostgreSQL, instead of a trip each.
    """

    request: Request
    session: Session
    token: str
    background: BackgroundTasks
    _checked: Principal | None = field(default=None, repr=False)

    def principal(self) -> Principal:
        """Who the token speaks for (401 if nobody); reads the database the first time only."""
        if self._checked is None:
            with identity_session(self.request, self.session) as db:
                checked = check_token(db, token=self.token)
            if checked.last_used_is_stale:
                # Not in the request's transaction either: the rare write gets a short
                # transaction of its own, after the response has gone.
                factory = self.request.app.state.session_factory
                self.background.add_task(_record_use, factory, checked.token_id)
            self._checked = checked.principal
        return self._checked


async def caller(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    background: BackgroundTasks,
) -> Caller:
    """The request's token, not yet checked: a request without one is refused at once."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("Send an API token as `Authorization: Bearer <token>`.")
    return Caller(request, session, credentials.credentials, background)


CallerDep = Annotated[Caller, Depends(caller)]


async def current_principal(who: CallerDep) -> Principal:
    # A read (on a write's request, in a short read of its own): see `run_read`.
    return await run_read(who.session, who.principal)


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
