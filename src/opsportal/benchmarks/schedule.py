"""The nightly benchmark run as an elected job (see `opsportal.kit.elected`), and its catch-up.

A firing that every process missed (all were down past the grace time) is
caught up by the first process to start afterwards, claimed the same way.
`opsportal.scheduler` adds the job to the server's scheduler.
"""

from __future__ import annotations

import logging
from datetime import UTC, timedelta

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select

from opsportal.benchmarks.service import run_benchmarks
from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.kit.elected import ElectedJob, claim_firing, last_fire_time, run_elected
from opsportal.models import BenchmarkRun, RunStatus, ScheduledFiring
from opsportal.models.base import utcnow

logger = logging.getLogger(__name__)

JOB_ID = "benchmarks-nightly"
# A server that was down at the firing and comes back within this time still runs it.
MISFIRE_GRACE = timedelta(hours=1)
# How far back a starting server looks for a firing that nobody ran.
CATCH_UP_WINDOW = timedelta(days=1)


def cron_trigger(settings: Settings) -> CronTrigger:
    return CronTrigger.from_crontab(settings.benchmark_cron, timezone=settings.benchmark_timezone)


def nightly_job(settings: Settings, session_factory: SessionFactory) -> ElectedJob[object]:
    return ElectedJob(
        id=JOB_ID,
        name="Nightly peer benchmarks",
        trigger=cron_trigger(settings),
        misfire_grace=MISFIRE_GRACE,
        run=lambda: run_benchmarks(session_factory, settings=settings, trigger="schedule"),
    )


def nightly_benchmarks(settings: Settings, session_factory: SessionFactory) -> None:
    """Calculate today's benchmarks if this process claims the firing; never raises."""
    run_elected(nightly_job(settings, session_factory), session_factory)


def catch_up(settings: Settings, session_factory: SessionFactory) -> bool:
    """Run the newest missed firing, if no process ran it and no run has happened since.

    Returns True when this process ran it.
    """
    fire_time = last_fire_time(cron_trigger(settings), utcnow(), within=CATCH_UP_WINDOW)
    if fire_time is None:
        return False
    with session_scope(session_factory) as session:
        claimed = session.get(ScheduledFiring, (JOB_ID, fire_time.astimezone(UTC))) is not None
        ran_since = session.scalar(
            select(BenchmarkRun.id)
            .where(BenchmarkRun.status == RunStatus.SUCCEEDED, BenchmarkRun.started_at >= fire_time)
            .limit(1)
        )
    if claimed or ran_since is not None:
        return False
    if not claim_firing(session_factory, job=JOB_ID, fire_time=fire_time):
        return False
    logger.info("catching up the missed benchmark firing of %s", fire_time)
    run_benchmarks(session_factory, settings=settings, trigger="schedule")
    return True


def catch_up_quietly(settings: Settings, session_factory: SessionFactory) -> None:
    try:
        catch_up(settings, session_factory)
    except Exception:
        logger.exception("catching up a missed benchmark firing failed")
