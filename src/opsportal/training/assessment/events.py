"""What happens to attempts, for whoever listens: a start, a graded submission.

Assessment knows no listener. `opsportal.wiring` registers them at start-up (the
xAPI statements, say); each runs inside the attempt's own transaction, so what
it writes commits or rolls back with the attempt. Registering again replaces.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from opsportal.models import QuizAttempt

AttemptHook = Callable[[Session, QuizAttempt], None]

_started: dict[str, AttemptHook] = {}
_submitted: dict[str, AttemptHook] = {}


def on_attempt_started(name: str, hook: AttemptHook) -> None:
    """Run `hook(session, attempt)` after every attempt started."""
    _started[name] = hook


def on_attempt_submitted(name: str, hook: AttemptHook) -> None:
    """Run `hook(session, attempt)` after every attempt graded (its score and pass recorded)."""
    _submitted[name] = hook


def attempt_started(session: Session, attempt: QuizAttempt) -> None:
    for hook in list(_started.values()):
        hook(session, attempt)


def attempt_submitted(session: Session, attempt: QuizAttempt) -> None:
    for hook in list(_submitted.values()):
        hook(session, attempt)
