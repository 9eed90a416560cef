"""The nightly benchmark job inside `opsportal serve` (APScheduler, cron from the settings).

Every server process may run a scheduler — several workers, several replicas —
and each fires at the same cron times. A firing runs once: the first process
to insert its row in `scheduled_firings` runs it, the others see it taken and
skip. A firing that every process missed (all were down past the grace time)
is caught up by the first process to start afterwards, claimed the same way.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select

from opsportal.benchmarks.service import run_benchmarks
from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.models import BenchmarkRun, RunStatus, ScheduledFiring
from opsportal.models.base import utcnow
from opsportal.notifications.schedule import add_mail_jobs
from opsportal.scheduling import claim_firing, last_fire_time

logger = logging.getLogger(__name__)

JOB_ID = "benchmarks-nightly"
CATCH_UP_THREAD = "benchmark-catch-up"  # the thread that catches up a missed night at start
# A server that was down at the firing and comes back within this time still runs it.
MISFIRE_GRACE = timedelta(hours=1)
# How far back a starting server looks for a firing that nobody ran.
CATCH_UP_WINDOW = timedelta(days=1)


def cron_trigger(settings: Settings) -> CronTrigger:
    return CronTrigger.from_crontab(settings.benchmark_cron, timezone=settings.benchmark_timezone)


def nightly_benchmarks(settings: Settings, session_factory: SessionFactory) -> None:
    """Calculate today's benchmarks if this process claims the firing; never raises."""
    try:
        fire_time = last_fire_time(cron_trigger(settings), utcnow(), within=MISFIRE_GRACE)
        if fire_time is None:
            return
        if not claim_firing(session_factory, job=JOB_ID, fire_time=fire_time):
            logger.info("benchmark firing %s taken by another process; skipped", fire_time)
            return
        run_benchmarks(session_factory, settings=settings, trigger="schedule")
    except Exception:
        logger.exception("nightly benchmark run failed")


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


def build_scheduler(settings: Settings, session_factory: SessionFactory) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=settings.benchmark_timezone)
    scheduler.add_job(
        nightly_benchmarks,
        cron_trigger(settings),
        args=(settings, session_factory),
        id=JOB_ID,
        name="Nightly peer benchmarks",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=int(MISFIRE_GRACE.total_seconds()),
        replace_existing=True,
    )
    add_mail_jobs(scheduler, settings, session_factory)
    return scheduler


def _catch_up_quietly(settings: Settings, session_factory: SessionFactory) -> None:
    try:
        catch_up(settings, session_factory)
    except Exception:
        logger.exception("catching up a missed benchmark firing failed")


def start_scheduler(settings: Settings, session_factory: SessionFactory) -> BackgroundScheduler:
    """Start the scheduler, and catch up a missed night in the background."""
    scheduler = build_scheduler(settings, session_factory)
    scheduler.start()
    job = scheduler.get_job(JOB_ID)
    logger.info("benchmark scheduler started; next run at %s", job.next_run_time if job else None)
    threading.Thread(
        target=_catch_up_quietly,
        args=(settings, session_factory),
        name=CATCH_UP_THREAD,
        daemon=True,
    ).start()
    return scheduler
