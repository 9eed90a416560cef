"""The one place a SCORM course's completion is announced: `course_completed`.

It runs once per attempt, inside the commit's transaction, the moment the
SCO's data first says the course is done (1.2: lesson_status passed or
completed; 2004: completion_status completed and success_status not failed).
Whatever else should follow a completion (xAPI statements, an export's
bookkeeping) listens here with `on_course_completed`, registered at start-up
by `opsportal.wiring`, and writes in the same transaction: if the commit
rolls back, so does everything a listener did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class CourseCompleted:
    user_id: int
    course_id: int
    track_id: int
    attempt_id: int
    version: str  # "1.2" or "2004"
    passed: bool | None  # None: the SCO reported completion without pass or fail
    score_raw: float | None
    score_scaled: float | None
    total_seconds: float
    at: datetime


Listener = Callable[[Session, CourseCompleted], None]
_listeners: dict[str, Listener] = {}


def on_course_completed(name: str, listener: Listener) -> None:
    """Call `listener` for every SCORM course completion from now on; registering under
    the same name again replaces (as the assessment and certification events do)."""
    _listeners[name] = listener


def course_completed(session: Session, event: CourseCompleted) -> None:
    """Announce a completion to every listener, in the completing commit's transaction."""
    for listener in list(_listeners.values()):
        listener(session, event)
