"""The outbox sender: claim each due message, send it over SMTP (or to the log), record it.

Every email is first a row in `outbox`, written in the transaction that decided
to send it, so nothing is sent for work that rolled back and nothing decided is
lost. A sender pass — every minute in each server process, and soon after a
commit that enqueued mail — takes the due rows one at a time:

1. it claims a row with a conditional UPDATE (still QUEUED and due, i.e. not
   claimed or its claim expired), which pushes `next_attempt_at` to the end of
   a lease and counts the attempt; two processes or replicas can both try, only
   one UPDATE matches;
2. it sends the message (stdlib `smtplib`; with no SMTP URL set, it names the message in
   the log, without its body, which may hold a one-time link);
3. it marks the row SENT — only while its claim still holds — or records the
   error and when to try again (exponential backoff), FAILED after the last
   attempt or a permanent refusal of the recipient. Rows are never deleted.

A permanent reply (5xx) fails the message at once; a row that cannot be built
into a message fails alone, and the pass goes on. Two windows can still send a
message twice: a connection that drops after the message was sent and before
the server's 250 (the retry sends it again), and a process that dies (or a
database that is unavailable) between that 250 and the SENT commit: after the
lease the message is sent again. Every attempt carries the same Message-ID,
derived from the row, so mail clients show it once. The lease is several times
the SMTP timeout, so a slow server never lets a second sender in.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from datetime import timedelta
from email.errors import MessageError
from email.message import EmailMessage
from email.utils import format_datetime
from hashlib import sha256
from typing import Protocol

from opsportal.addresses import email_problem, sender_domain
from opsportal.config import Settings
from opsportal.config_values import SmtpServer, parse_smtp_url
from opsportal.db import SessionFactory, read_only, session_scope
from opsportal.kit.sending import SendReport, next_try, this_sender, until_drained
from opsportal.models import OutboxMessage
from opsportal.models.base import utcnow
from opsportal.notifications import repository

logger = logging.getLogger(__name__)

# Backoff after the n-th failed attempt: 1, 2, 4, ... minutes, at most an hour.
# A claim lasts this many SMTP timeouts: connecting, greeting, TLS, login, MAIL,
# RCPT, DATA and the message itself each wait at most one timeout.
LEASE_TIMEOUTS = 10
# Due messages one pass looks at; the rest wait for the next pass (a minute).
PASS_LIMIT = 500
MAX_ERROR_LENGTH = 2000


class UnbuildableMessage(ValueError):
    """The row cannot become an email (a recipient that is not one plain address, say)."""


def message_id_of(row: OutboxMessage, *, sender: str) -> str:
    """The row's Message-ID: derived from the row alone, so every attempt carries the same one.

    A message sent twice (see the module docstring) is then one message to the
    recipient's mail client. The hash of the row's unique key keeps apart rows
    of two databases (a test and a production one) that share an id.
    """
    token = sha256(f"{row.id}:{row.dedupe_key}".encode()).hexdigest()[:24]
    return f"<outbox-{row.id}.{token}@{sender_domain(sender)}>"


def build_email(row: OutboxMessage, *, sender: str) -> EmailMessage:
    """The email for a row; UnbuildableMessage when the row cannot be one."""
    # Rows written before addresses were checked may hold anything: one that
    # would add a header or a recipient fails alone (see `_send_one`).
    problem = email_problem(row.recipient)
    if problem is not None:
        raise UnbuildableMessage(f"recipient {row.recipient!r}: {problem}")
    message = EmailMessage()
    try:
        message["From"] = sender
        message["To"] = row.recipient
        # A line break in a header would start another header.
        message["Subject"] = " ".join(row.subject.split())
        message["Date"] = format_datetime(utcnow())
        message["Message-ID"] = message_id_of(row, sender=sender)
        message.set_content(row.body)
    except (ValueError, TypeError, LookupError, MessageError) as exc:
        raise UnbuildableMessage(_describe(exc)) from exc
    return message


class PermanentFailure(Exception):
    """The server refused the message for good (a 5xx reply): no retry."""


# A 5xx that is about this server's settings rather than the message: retried.
AUTHENTICATION_REQUIRED = 530


class ServerUnavailable(Exception):
    """No usable connection to the SMTP server: this pass stops, the next one tries again."""


class Transport(Protocol):
    name: str

    def send(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


class LogTransport:
    """No SMTP server configured: the message is named in the log and stays in the outbox.

    Its body is not logged: an invitation or a password link carries a one-time
    secret, and secrets never reach a log. The body stays readable in the outbox.
    """

    name = "log"

    def send(self, message: EmailMessage) -> None:
        logger.info(
            "mail not sent (no OPSPORTAL_SMTP_URL); kept in the outbox: To: %s, Subject: %s",
            message["To"],
            message["Subject"],
        )

    def close(self) -> None:
        pass


class SmtpTransport:
    """One SMTP connection, opened on the first message and reused for the pass."""

    name = "smtp"

    def __init__(self, server: SmtpServer, *, timeout: float) -> None:
        self.server = server
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        server = self.server
        smtp: smtplib.SMTP
        if server.security == "tls":
            smtp = smtplib.SMTP_SSL(
                server.host,
                server.port,
                timeout=self.timeout,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if server.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if server.username is not None:
                smtp.login(server.username, server.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        if self._smtp is None:
            try:
                self._smtp = self._connect()
            except OSError as exc:  # smtplib's errors are OSErrors too
                raise ServerUnavailable(_describe(exc)) from exc
        try:
            self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if codes and all(code >= 500 for code in codes):
                raise PermanentFailure(_describe(exc)) from exc
            raise
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 421:  # the server is closing the connection
                self.close()
                raise ServerUnavailable(_describe(exc)) from exc
            if exc.smtp_code == AUTHENTICATION_REQUIRED:  # our settings, not this message
                raise ServerUnavailable(_describe(exc)) from exc
            if 500 <= exc.smtp_code < 600:
                # A permanent reply (to MAIL, or to DATA: the message itself was
                # refused): sending it again gets the same answer.
                raise PermanentFailure(_describe(exc)) from exc
            raise  # a 4xx: try again later; the connection is still usable
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            # The connection is gone; the next pass opens a new one.
            self.close()
            raise ServerUnavailable(_describe(exc)) from exc

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def make_transport(settings: Settings) -> Transport:
    if not settings.smtp_url:
        return LogTransport()
    return SmtpTransport(parse_smtp_url(settings.smtp_url), timeout=settings.smtp_timeout_seconds)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = [
            f"{recipient}: {code} {reply.decode(errors='replace')}"
            for recipient, (code, reply) in exc.recipients.items()
        ]
        return "recipient refused: " + "; ".join(parts)
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        return f"{type(exc).__name__}: {exc.smtp_code} {text}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def send_pending(
    session_factory: SessionFactory,
    *,
    settings: Settings,
    transport: Transport | None = None,
    limit: int = PASS_LIMIT,
) -> SendReport:
    """One sender pass over the due messages; safe to run in any number of processes at once."""
    report = SendReport()
    with session_scope(session_factory) as session:
        read_only(session)  # most passes find nothing: no write lock for that
        due = repository.due_message_ids(session, now=utcnow(), limit=limit)
    if not due:
        return report
    transport = transport or make_transport(settings)
    lease = timedelta(seconds=settings.smtp_timeout_seconds * LEASE_TIMEOUTS)
    token = this_sender()
    try:
        for message_id in due:
            if not _send_one(
                session_factory,
                message_id=message_id,
                token=token,
                lease=lease,
                transport=transport,
                settings=settings,
                report=report,
            ):
                break  # the server is unreachable: the rest wait for the next pass
    finally:
        transport.close()
    if report.sent or report.retrying or report.failed:
        logger.info(
            "outbox: %s sent, %s to retry, %s failed",
            report.sent,
            report.retrying,
            report.failed,
        )
    return report


def send_queued(session_factory: SessionFactory, *, settings: Settings) -> SendReport:
    """Send every message due now, pass after pass: what the command line runs.

    Ends when a pass finds fewer due messages than it may take, which includes
    a pass that stopped at an unreachable server; messages to retry are not due
    again until their backoff is over.
    """
    return until_drained(lambda: send_pending(session_factory, settings=settings), limit=PASS_LIMIT)


def _send_one(
    session_factory: SessionFactory,
    *,
    message_id: int,
    token: str,
    lease: timedelta,
    transport: Transport,
    settings: Settings,
    report: SendReport,
) -> bool:
    """Claim, send and record one message; False when the server is unreachable."""
    with session_scope(session_factory) as session:
        row = repository.claim_message(
            session, message_id=message_id, token=token, now=utcnow(), until=utcnow() + lease
        )
    if row is None:
        report.skipped += 1
        return True
    attempts = row.attempts
    try:
        email = build_email(row, sender=settings.mail_from)
    except Exception as exc:
        # It would fail the same way on every pass: it fails alone, for good,
        # and the rest of the queue goes on.
        error = f"cannot be built: {exc}"[:MAX_ERROR_LENGTH]
        with session_scope(session_factory) as session:
            repository.record_failure(
                session, message_id=message_id, token=token, error=error, retry_at=None
            )
        report.failed += 1
        logger.error("outbox message %s failed for good: %s", message_id, error)
        return True
    try:
        transport.send(email)
    except Exception as exc:
        permanent = isinstance(exc, PermanentFailure)
        known = isinstance(exc, PermanentFailure | ServerUnavailable)
        error = (str(exc) if known else _describe(exc))[:MAX_ERROR_LENGTH]
        retry_at = next_try(
            attempts, max_attempts=settings.mail_max_attempts, permanent=permanent, now=utcnow()
        )
        with session_scope(session_factory) as session:
            recorded = repository.record_failure(
                session, message_id=message_id, token=token, error=error, retry_at=retry_at
            )
        if retry_at is None:
            report.failed += 1
            logger.error("outbox message %s failed for good: %s", message_id, error)
        else:
            report.retrying += 1
            logger.warning(
                "outbox message %s: attempt %s failed (%s); retrying", message_id, attempts, error
            )
        if not recorded:
            logger.warning("outbox message %s: its claim expired before the failure", message_id)
        return not isinstance(exc, ServerUnavailable)
    with session_scope(session_factory) as session:
        marked = repository.mark_sent(
            session, message_id=message_id, token=token, now=utcnow(), transport=transport.name
        )
    if marked:
        report.sent += 1
    else:  # the lease ran out while sending: another sender may send it again
        logger.error("outbox message %s was sent after its claim expired", message_id)
    return True


# Set by the scheduler of this process: runs a sender pass soon.
_waker: Callable[[], None] | None = None


def set_waker(waker: Callable[[], None] | None) -> None:
    global _waker
    _waker = waker


def wake_sender() -> None:
    """Ask this process's sender to run now (after a commit that enqueued mail)."""
    waker = _waker
    if waker is None:
        return  # no scheduler here (a CLI run): a server's sender takes it within a minute
    try:
        waker()
    except Exception:
        logger.warning("could not wake the outbox sender; it runs within a minute", exc_info=True)
