"""Elected jobs: cron jobs that every server process schedules and exactly one runs per firing.

Every server process may run a scheduler — several workers, several replicas —
and each fires at the same cron times. A firing runs once: the first process
to insert its row in `scheduled_firings` runs it, the others see it taken and
skip quietly. The nightly benchmarks and the daily training reminders are
elected jobs; `opsportal.scheduler` adds them.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Generic, TypeVar

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.exc import IntegrityError

from opsportal.db import SessionFactory, session_scope
from opsportal.kit.telemetry import JOB_RUNS, JOB_SECONDS
from opsportal.models import ScheduledFiring
from opsportal.models.base import utcnow

logger = logging.getLogger(__name__)

Result = TypeVar("Result", covariant=True)


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


@dataclass(frozen=True)
class ElectedJob(Generic[Result]):
    """A cron job run by one process per firing: `run()` does the work in its own session."""

    id: str
    name: str
    trigger: CronTrigger
    # A process that was down at the firing and comes back within this time still runs it.
    misfire_grace: timedelta
    run: Callable[[], Result]


def run_elected(job: ElectedJob[Result], session_factory: SessionFactory) -> Result | None:
    """Run the job's newest firing if this process claims it: what `run()` returned, else None.

    Never raises: a failure is logged (None), and the next firing tries again.
    Each firing is counted in `opsportal_scheduled_job_runs` by its outcome.
    """
    started = time.perf_counter()
    try:
        fire_time = last_fire_time(job.trigger, utcnow(), within=job.misfire_grace)
        if fire_time is None:
            return None
        if not claim_firing(session_factory, job=job.id, fire_time=fire_time):
            logger.info(
                "%s: the firing of %s was taken by another process; skipped", job.name, fire_time
            )
            JOB_RUNS.labels(job.id, "skipped").inc()
            return None
        result = job.run()
    except Exception:
        logger.exception("%s failed", job.name)
        JOB_RUNS.labels(job.id, "failure").inc()
        JOB_SECONDS.labels(job.id).observe(time.perf_counter() - started)
        return None
    JOB_RUNS.labels(job.id, "success").inc()
    JOB_SECONDS.labels(job.id).observe(time.perf_counter() - started)
    return result


def add_elected_job(
    scheduler: BaseScheduler, job: ElectedJob[object], session_factory: SessionFactory
) -> None:
    scheduler.add_job(
        run_elected,
        job.trigger,
        args=(job, session_factory),
        id=job.id,
        name=job.name,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=int(job.misfire_grace.total_seconds()),
        replace_existing=True,
    )
