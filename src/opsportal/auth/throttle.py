"""The login throttle: failed password logins counted in the database, per email and address.

Every process and replica shares the counts, because they are rows in
`login_failures` rather than memory. Within a sliding window (15 minutes),
10 failures for one email, or 50 from one client address, refuse further
attempts with 429 and `Retry-After` — a correct password too — until enough of
those failures have left the window. A successful login clears its email's
failures. Refused attempts are not counted (their password is not checked), so
waiting always ends the refusal.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from opsportal.errors import TooManyRequests
from opsportal.models import LoginFailure

MAX_ADDRESS_LENGTH = 100


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures_per_email: int
    max_failures_per_address: int
    window: timedelta


def email_key(email: str) -> str:
    """What the throttle stores for an email: a SHA-256 of its trimmed, lower-cased form.

    Any text an attacker posts fits the column (length, NUL characters), and the
    table holds no list of the addresses people tried.
    """
    return hashlib.sha256(email.strip().lower().encode("utf-8", "replace")).hexdigest()


def address_key(address: str) -> str:
    return address[:MAX_ADDRESS_LENGTH]


def _recent(
    session: Session,
    column: InstrumentedAttribute[str],
    key: str,
    *,
    since: datetime,
    limit: int,
) -> list[datetime]:
    """The newest failures for one key within the window, newest first, at most `limit`."""
    return list(
        session.scalars(
            select(LoginFailure.failed_at)
            .where(column == key, LoginFailure.failed_at > since)
            .order_by(LoginFailure.failed_at.desc())
            .limit(limit)
        )
    )


def _blocked_for(failures: list[datetime], *, limit: int, window: timedelta, now: datetime) -> int:
    """Seconds until fewer than `limit` of these failures are in the window (0: not blocked)."""
    if len(failures) < limit:
        return 0
    # The limit-th newest failure leaves the window last among those that block.
    until = failures[limit - 1] + window
    return max(1, math.ceil((until - now).total_seconds()))


@dataclass(frozen=True)
class ThrottleState:
    email_failures: int


def check(
    session: Session, *, email: str, address: str, policy: ThrottlePolicy, now: datetime
) -> ThrottleState:
    """Raise TooManyRequests when this email or address has failed too often of late."""
    since = now - policy.window
    by_email = _recent(
        session,
        LoginFailure.email_hash,
        email_key(email),
        since=since,
        limit=policy.max_failures_per_email,
    )
    by_address = _recent(
        session,
        LoginFailure.address,
        address_key(address),
        since=since,
        limit=policy.max_failures_per_address,
    )
    wait = max(
        _blocked_for(by_email, limit=policy.max_failures_per_email, window=policy.window, now=now),
        _blocked_for(
            by_address, limit=policy.max_failures_per_address, window=policy.window, now=now
        ),
    )
    if wait:
        minutes = math.ceil(wait / 60)
        raise TooManyRequests(
            "Too many failed logins for this account or from this network. "
            f"Try again in {minutes} minute{'' if minutes == 1 else 's'}.",
            retry_after=wait,
        )
    return ThrottleState(email_failures=len(by_email))


def record_failure(
    session: Session, *, email: str, address: str, policy: ThrottlePolicy, now: datetime
) -> None:
    """Count one failed login; failures that have left the window are deleted on the way."""
    session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= now - policy.window))
    session.add(
        LoginFailure(email_hash=email_key(email), address=address_key(address), failed_at=now)
    )
    session.flush()


def clear(session: Session, *, email: str) -> None:
    """A successful login: this email's failures no longer count."""
    session.execute(delete(LoginFailure).where(LoginFailure.email_hash == email_key(email)))
