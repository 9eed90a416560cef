"""The server's access log without one-time secrets.

A one-time link carries its secret in the path (`/set-password/<token>`), and
the server's access log writes every path. Paths under the prefixes given here
are logged with the rest replaced by `[redacted]`, so opening an invitation
leaves no working link in the log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import unquote

ACCESS_LOGGER = "uvicorn.access"
REDACTED = "[redacted]"


class RedactSecretPaths(logging.Filter):
    """Rewrites the path of an access-log record (uvicorn: client, method, path, ...)."""

    def __init__(self, prefixes: Iterable[str]) -> None:
        super().__init__()
        self.prefixes = tuple(prefixes)

    def redact(self, path: str) -> str:
        # Compared decoded, as the router matches it: `/set-password%2F...` opens the link too.
        decoded = unquote(path)
        for prefix in self.prefixes:
            if decoded.startswith(prefix):
                return prefix + REDACTED
        return path

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            redacted = self.redact(args[2])
            if redacted != args[2]:
                record.args = (*args[:2], redacted, *args[3:])
        return True


def redact_access_log(prefixes: Iterable[str]) -> None:
    """Keep paths under `prefixes` out of the access log; again: replaces the earlier filter."""
    logger = logging.getLogger(ACCESS_LOGGER)
    for existing in list(logger.filters):
        if isinstance(existing, RedactSecretPaths):
            logger.removeFilter(existing)
    logger.addFilter(RedactSecretPaths(prefixes))
