"""Scheduled firings shared by every job of the server's scheduler.

Every server process may run a scheduler — several workers, several replicas —
and each fires at the same cron times. A firing runs once: the first process
to insert its row in `scheduled_firings` runs it, the others see it taken and
skip. The nightly benchmarks and the daily training reminders both elect
their firings this way.
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.exc import IntegrityError

from opsportal.db import SessionFactory, session_scope
from opsportal.models import ScheduledFiring


def this_worker() -> str:
    """Names this process: "host:pid"."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def last_fire_time(trigger: CronTrigger, now: datetime, *, within: timedelta) -> datetime | None:
    """The newest time the trigger fired at or before `now`, looking back at most `within`."""
    found = None
    fire = trigger.get_next_fire_time(None, now - within)
    while fire is not None and fire <= now:
        found = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return found


def claim_firing(session_factory: SessionFactory, *, job: str, fire_time: datetime) -> bool:
    """Claim one firing for this process; False when another process claimed it first.

    Losing is the normal case for all but one process, so it is an answer, not
    an error: the row is added inside the savepoint, and a taken key rolls back
    with it, leaving nothing for the outer commit to insert again.
    """
    fire_time = fire_time.astimezone(UTC)
    with session_scope(session_factory) as session:
        try:
            with session.begin_nested():
                session.add(ScheduledFiring(job=job, fire_time=fire_time, worker=this_worker()))
                session.flush()
        except IntegrityError:
            return False
    return True
