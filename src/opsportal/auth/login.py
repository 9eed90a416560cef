"""Password logins, for the login form and the API: throttled, in constant time, bounded.

- Throttled per email and per client address (`auth.throttle`), counted in the
  database so that every process and replica shares the counts.
- Every attempt that is not throttled costs one full argon2 verification, also
  for an unknown email or a user without a password, so the time taken does not
  tell accounts apart.
- The hashing anonymous requests can trigger is bounded: a login waits (in the
  event loop, holding no worker thread) for one of a few process-wide slots,
  and gets 503 with `Retry-After` if none frees up in time. So a burst of
  logins cannot take every worker thread, or every core, from other requests.
- A login never holds a database write lock while it hashes: it reads in one
  short transaction, verifies outside any, and records the outcome in another.
- A good password whose hash was made at a lower cost than the setting asks for
  now is hashed again at the current cost (outside any transaction too).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from opsportal.auth import repository, throttle
from opsportal.auth.secrets import hash_password, is_below_current_cost, verify_password
from opsportal.config import Settings
from opsportal.db import SessionFactory, read_only, session_scope
from opsportal.errors import Forbidden, ServiceBusy, TooManyRequests, Unauthorized
from opsportal.kit.telemetry import LOGIN_FAILURES, LOGINS_THROTTLED
from opsportal.messages import N_
from opsportal.models.base import utcnow
from opsportal.principal import Principal

WRONG = N_("Email or password is wrong.")
STAFF_USE_SSO = N_(
    "Staff sign in through the company's single sign-on; password sign-in is switched off "
    "for staff."
)


def policy_of(settings: Settings) -> throttle.ThrottlePolicy:
    return throttle.ThrottlePolicy(
        max_failures_per_email=settings.login_max_failures_per_email,
        max_failures_per_address=settings.login_max_failures_per_address,
        window=settings.login_window,
    )


@dataclass(frozen=True)
class LoggedIn:
    """Who logged in, with the user's session version and credentials epoch as they were
    when the password was checked: a session or token made from this login carries
    those, so a password changed meanwhile ends it too."""

    principal: Principal
    session_version: int
    credentials_epoch: int


def log_in(
    session_factory: SessionFactory,
    *,
    email: str,
    password: str,
    address: str,
    settings: Settings,
    now: datetime | None = None,
) -> LoggedIn:
    """The user these credentials belong to; 401 if wrong, 429 if throttled.

    Call it holding a password-check slot (`PasswordCheckSlot`).
    """
    now = now or utcnow()
    policy = policy_of(settings)
    email = email.strip()
    with session_scope(session_factory) as session:
        read_only(session)
        try:
            state = throttle.check(session, email=email, address=address, policy=policy, now=now)
        except TooManyRequests:
            LOGINS_THROTTLED.inc()
            raise
        # An email with NUL characters cannot exist (and PostgreSQL refuses to compare it).
        user = None if "\x00" in email else repository.get_user_by_email(session, email)
        stored_hash = user.password_hash if user is not None else None
        logged_in = (
            LoggedIn(Principal.of(user), user.session_version, user.credentials_epoch)
            if user is not None and user.is_active
            else None
        )
    matches = verify_password(stored_hash, password)
    principal = logged_in.principal if logged_in is not None else None
    if principal is not None and principal.is_staff and not settings.staff_password_login:
        # Checked after the (constant-time) verification, and whatever its outcome.
        raise Forbidden(STAFF_USE_SSO)
    if matches and logged_in is not None:
        assert stored_hash is not None  # it verified
        rehashed = hash_password(password) if is_below_current_cost(stored_hash) else None
        if state.email_failures or rehashed is not None:
            with session_scope(session_factory) as session:
                if state.email_failures:
                    throttle.clear(session, email=email)
                if rehashed is not None:
                    repository.replace_password_hash(
                        session, user_id=logged_in.principal.user_id, old=stored_hash, new=rehashed
                    )
        return logged_in
    with session_scope(session_factory) as session:
        throttle.record_failure(session, email=email, address=address, policy=policy, now=now)
    LOGIN_FAILURES.inc()
    raise Unauthorized(WRONG)


def client_address(request: Request) -> str:
    """The client's address as the server sees it (behind a proxy: see config.py)."""
    return request.client.host if request.client is not None else "unknown"


# One set of slots per event loop: a served process has one loop, so they are
# process-wide there (each worker process has its own).
_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _slots_for(size: int) -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    slots = _slots.get(loop)
    if slots is None:
        slots = _slots[loop] = asyncio.Semaphore(size)
    return slots


async def password_check_slot(request: Request) -> AsyncIterator[None]:
    """Hold one of the process's password-check slots while the route runs.

    Waiting happens here, in the event loop, before the route takes a worker
    thread; past the configured wait the request gets 503 with Retry-After.
    """
    settings: Settings = request.app.state.settings
    slots = _slots_for(settings.password_checks_concurrent)
    try:
        async with asyncio.timeout(settings.password_check_wait_seconds):
            await slots.acquire()
    except TimeoutError:
        raise ServiceBusy(
            N_(
                "Too many logins are being checked right now; nothing was changed. "
                "Try again in a moment."
            ),
            retry_after=1,
        ) from None
    try:
        yield
    finally:
        slots.release()


PasswordCheckSlot = Annotated[None, Depends(password_check_slot)]
