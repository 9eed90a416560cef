"""The xAPI sender: claim each due statement, PUT it to the LRS, record the answer.

The mail outbox's design (`opsportal.notifications.mail`), with its backoff and
claim tokens: a conditional UPDATE claims a row for a lease, only the claimant
marks it SENT or records a failure, rows are never deleted.

Never sent twice: each statement goes by `PUT {endpoint}/statements?statementId=`
with the UUID fixed when it was queued. When an attempt's outcome is unknown (a
timeout after the LRS stored it, a process that died before recording SENT),
the retry carries the same id, and the LRS answers 204 (the same statement) or
409 (it holds that id): both mean stored, and the row is marked SENT.

Answers: 2xx and 409 are sent; 401, 403, 408, 429, 5xx and no connection stop the
pass (the LRS or our credentials, not this statement) and the row is retried with
backoff; any other 4xx is this statement's fault, FAILED at once.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Protocol

import httpx

from opsportal.config import Settings
from opsportal.db import SessionFactory, read_only, session_scope
from opsportal.kit.sending import SendReport, next_try, this_sender, until_drained
from opsportal.models.base import utcnow
from opsportal.notifications.mail import MAX_ERROR_LENGTH
from opsportal.training.content.xapi import repository

logger = logging.getLogger(__name__)

XAPI_VERSION = "1.0.3"
PASS_LIMIT = 500
# A claim lasts this many request timeouts.
LEASE_TIMEOUTS = 3
# Not this statement's fault: retried after the backoff, and the pass stops.
RETRIED_STATUSES = frozenset({401, 403, 408, 425, 429})


class LrsUnavailable(Exception):
    """No usable answer from the LRS: this pass stops, the next one tries again."""


class Refused(Exception):
    """The LRS refused this statement for good (a 4xx about it): no retry."""


class Transport(Protocol):
    def put(self, statement_id: str, statement: dict[str, object]) -> None: ...

    def close(self) -> None: ...


class HttpTransport:
    """One HTTP client for a pass, with basic auth and the xAPI version header."""

    def __init__(self, settings: Settings) -> None:
        assert settings.xapi_endpoint is not None
        auth = None
        if settings.xapi_username is not None:
            auth = httpx.BasicAuth(settings.xapi_username, settings.xapi_password or "")
        self.client = httpx.Client(
            base_url=settings.xapi_endpoint,
            auth=auth,
            timeout=settings.xapi_timeout_seconds,
            headers={"X-Experience-API-Version": XAPI_VERSION},
        )

    def put(self, statement_id: str, statement: dict[str, object]) -> None:
        try:
            response = self.client.put(
                "statements",
                params={"statementId": statement_id},
                json=statement,
            )
        except httpx.HTTPError as exc:
            raise LrsUnavailable(f"{type(exc).__name__}: {exc}") from exc
        status = response.status_code
        if 200 <= status < 300 or status == 409:
            return  # stored now, or already (a retry of a statement it holds)
        said = f"HTTP {status}: {response.text[:500]}"
        if status >= 500 or status in RETRIED_STATUSES:
            raise LrsUnavailable(said)
        raise Refused(said)

    def close(self) -> None:
        self.client.close()


def send_pending(
    session_factory: SessionFactory,
    *,
    settings: Settings,
    transport: Transport | None = None,
    limit: int = PASS_LIMIT,
) -> SendReport:
    """One sender pass over the due statements; safe to run in any number of processes at once."""
    report = SendReport()
    if settings.xapi_endpoint is None and transport is None:
        return report
    with session_scope(session_factory) as session:
        read_only(session)
        due = repository.due_ids(session, now=utcnow(), limit=limit)
    if not due:
        return report
    transport = transport or HttpTransport(settings)
    lease = timedelta(seconds=settings.xapi_timeout_seconds * LEASE_TIMEOUTS)
    token = this_sender()
    try:
        for row_id in due:
            if not _send_one(
                session_factory,
                row_id=row_id,
                token=token,
                lease=lease,
                transport=transport,
                settings=settings,
                report=report,
            ):
                break
    finally:
        transport.close()
    if report.sent or report.retrying or report.failed:
        logger.info(
            "xapi: %s sent, %s to retry, %s failed", report.sent, report.retrying, report.failed
        )
    return report


def send_queued(session_factory: SessionFactory, *, settings: Settings) -> SendReport:
    """Every statement due now, pass after pass (the command line's `opsportal xapi send`)."""
    return until_drained(lambda: send_pending(session_factory, settings=settings), limit=PASS_LIMIT)


def _send_one(
    session_factory: SessionFactory,
    *,
    row_id: int,
    token: str,
    lease: timedelta,
    transport: Transport,
    settings: Settings,
    report: SendReport,
) -> bool:
    """Claim, send and record one statement; False when the LRS is unavailable."""
    with session_scope(session_factory) as session:
        row = repository.claim(
            session, row_id=row_id, token=token, now=utcnow(), until=utcnow() + lease
        )
        if row is None:
            report.skipped += 1
            return True
        attempts, statement_id, statement = row.attempts, row.statement_id, dict(row.statement)
    try:
        transport.put(statement_id, statement)
    except (LrsUnavailable, Refused) as exc:
        refused = isinstance(exc, Refused)
        error = str(exc)[:MAX_ERROR_LENGTH]
        retry_at = next_try(
            attempts, max_attempts=settings.xapi_max_attempts, permanent=refused, now=utcnow()
        )
        with session_scope(session_factory) as session:
            repository.record_failure(
                session, row_id=row_id, token=token, error=error, retry_at=retry_at
            )
        if retry_at is None:
            report.failed += 1
            logger.error("xapi statement %s failed for good: %s", statement_id, error)
        else:
            report.retrying += 1
            logger.warning(
                "xapi statement %s: attempt %s failed (%s)", statement_id, attempts, error
            )
        return refused
    with session_scope(session_factory) as session:
        marked = repository.mark_sent(session, row_id=row_id, token=token, now=utcnow())
    if marked:
        report.sent += 1
    else:  # the lease ran out while sending: a retry carries the same id, the LRS keeps one
        logger.warning("xapi statement %s was sent after its claim expired", statement_id)
    return True
