"""What every queue that sends its rows outward shares: the mail outbox and the xAPI statements.

A failed row waits longer after each attempt (`backoff`); a sender claims rows
under a token of its own (`this_sender`); a pass reports what it did
(`SendReport`), and `until_drained` runs passes until everything due is handled.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from opsportal.kit.elected import this_worker

BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt."""
    return min(BACKOFF_BASE * (1 << max(0, min(attempts - 1, 20))), BACKOFF_MAX)


def next_try(
    attempts: int, *, max_attempts: int, permanent: bool, now: datetime
) -> datetime | None:
    """When a row that just failed is tried again: never (None) after a permanent
    failure or its last allowed attempt, else once its backoff is over."""
    if permanent or attempts >= max_attempts:
        return None
    return now + backoff(attempts)


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    # Rows another sender claimed first.
    skipped: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed + self.skipped

    def add(self, other: SendReport) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        self.skipped += other.skipped


def until_drained(send_pass: Callable[[], SendReport], *, limit: int) -> SendReport:
    """Pass after pass until one handles fewer than `limit` rows: everything due now."""
    total = SendReport()
    while True:
        report = send_pass()
        total.add(report)
        if report.handled < limit:
            return total


def this_sender() -> str:
    """A claim token: which process, plus a random part so each pass is told apart."""
    return f"{this_worker()}:{uuid.uuid4().hex[:12]}"[:100]
