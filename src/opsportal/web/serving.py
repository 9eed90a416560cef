"""How `opsportal serve` runs uvicorn: its timeouts, whose forwarded headers it
believes, and logs without secrets. One place, for one worker and for N.

- A request's head must arrive within `HEAD_TIMEOUT_SECONDS` (uvicorn's own
  HTTP/1.1 protocol has no such deadline: a client sending a header byte now and
  then kept its connection for ever); its body within
  `OPSPORTAL_BODY_READ_TIMEOUT_SECONDS` (`web/security.py`, `BodyLimit`); an idle
  keep-alive connection is closed after `KEEP_ALIVE_SECONDS`.
- `X-Forwarded-For` and `X-Forwarded-Proto` are believed only from the proxies
  named in `OPSPORTAL_FORWARDED_ALLOW_IPS` (none by default). uvicorn's own
  default trusts loopback, so any local proxy, or anyone who can reach the port
  through one, could name whatever client address they liked and so reset the
  per-address login limit at will.
- Every log line, uvicorn's access log included, goes through `RedactSecrets`
  (a filter of the one logging set-up, `web/logs.py`, so on every handler):
  the one-time secrets some paths and queries carry (`/set-password/<token>`, an
  OIDC callback's `code` and `state`) and anything shaped like an API token are
  replaced before the line is written.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import unquote

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from opsportal.auth.secrets import TOKEN_PREFIX
from opsportal.config import Settings

HEAD_TIMEOUT_SECONDS: Final = 20.0
KEEP_ALIVE_SECONDS: Final = 5

# Paths whose next segment is a secret: a one-time link's token. Every route
# whose path carries a secret is listed here (tests/web/test_serving.py holds
# every route of the app against this list).
# A SCORM launch key (/scorm/{key}/...) opens one learner's attempt: a secret too
# (the runtime's own /scorm/assets/ name is redacted with it, harmlessly).
SECRET_PATH_PREFIXES: Final = ("/set-password/", "/scorm/")
# Query parameters that carry a secret: an OIDC callback's one-time code, and its state.
SECRET_QUERY_PARAMETERS: Final = ("code", "state")
REDACTED: Final = "[redacted]"

_SECRET_PATHS = re.compile(
    "(" + "|".join(re.escape(prefix) for prefix in SECRET_PATH_PREFIXES) + r")[^/?#\s\"']+"
)
_API_TOKENS = re.compile(re.escape(TOKEN_PREFIX) + r"[A-Za-z0-9_\-]{16,}")
_SECRET_QUERIES = re.compile(
    r"([?&](?:" + "|".join(map(re.escape, SECRET_QUERY_PARAMETERS)) + r")=)[^&#\s\"']*"
)


def _redact_plain(text: str) -> str:
    text = _SECRET_PATHS.sub(lambda found: found.group(1) + REDACTED, text)
    text = _SECRET_QUERIES.sub(lambda found: found.group(1) + REDACTED, text)
    return _API_TOKENS.sub(TOKEN_PREFIX + REDACTED, text)


def redact(text: str) -> str:
    """`text` with every secret path segment and API token replaced.

    Percent-encoded too: the router decodes `/set-password%2F<token>` and opens
    the link, while the access log writes the path as it was sent.
    """
    cleaned = _redact_plain(text)
    if "%" in cleaned:
        decoded = unquote(cleaned)
        decoded_cleaned = _redact_plain(decoded)
        if decoded_cleaned != decoded:
            return decoded_cleaned
    return cleaned


def _redact_argument(value: object) -> object:
    if isinstance(value, str):
        return redact(value)
    if value is None or isinstance(value, int | float | bytes):
        return value
    shown = str(value)  # what %s would write
    cleaned = redact(shown)
    return value if cleaned == shown else cleaned


class RedactSecrets(logging.Filter):
    """A handler filter that takes secrets out of a record before it is formatted.

    It rewrites the arguments one by one, so formatters that read the arguments
    themselves (uvicorn's access log does) still find them where they expect;
    only a secret written into the message itself replaces the whole message.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_argument(value) for value in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {key: _redact_argument(value) for key, value in record.args.items()}
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: the handler reports it
            return True
        cleaned = redact(message)
        if cleaned != message:  # the secret is in the message itself, not an argument
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class DeadlineH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, with a deadline for each request's head.

    The clock starts when the connection opens and again when a response is
    complete; it stops once the request line and headers are in. A connection
    still without a full head when it runs out is closed. (The body has its own
    deadline, in `BodyLimit`; an idle keep-alive connection is closed sooner, by
    uvicorn's `timeout_keep_alive`.)
    """

    head_timeout_seconds: float = HEAD_TIMEOUT_SECONDS
    _head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head_clock()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._stop_head_clock()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self._start_head_clock()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_clock()
        super().connection_lost(exc)

    def _start_head_clock(self) -> None:
        self._stop_head_clock()
        self._head_deadline = self.loop.call_later(self.head_timeout_seconds, self._head_late)

    def _stop_head_clock(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_late(self) -> None:
        self._head_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """What `opsportal serve` passes to `uvicorn.Config` in every worker, besides its
    logging (`web/workers.py`, `uvicorn_logging`)."""
    trusted = settings.trusted_proxies
    return {
        "http": DeadlineH11Protocol,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": ",".join(trusted),
    }
