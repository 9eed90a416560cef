"""The nightly benchmark job inside `opsportal serve` (APScheduler, cron from the settings)."""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from opsportal.benchmarks.service import run_benchmarks
from opsportal.config import Settings
from opsportal.db import SessionFactory

logger = logging.getLogger(__name__)

JOB_ID = "benchmarks-nightly"


def nightly_benchmarks(settings: Settings, session_factory: SessionFactory) -> None:
    """Calculate today's benchmarks; a failure is recorded on the run and logged, never raised."""
    try:
        run_benchmarks(session_factory, settings=settings, trigger="schedule")
    except Exception:
        logger.exception("nightly benchmark run failed")


def build_scheduler(settings: Settings, session_factory: SessionFactory) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=settings.benchmark_timezone)
    trigger = CronTrigger.from_crontab(
        settings.benchmark_cron, timezone=settings.benchmark_timezone
    )
    scheduler.add_job(
        nightly_benchmarks,
        trigger,
        args=(settings, session_factory),
        id=JOB_ID,
        name="Nightly peer benchmarks",
        max_instances=1,
        coalesce=True,
        # A server that was down at 02:00 and comes back within the hour still runs it.
        misfire_grace_time=3600,
        replace_existing=True,
    )
    return scheduler


def start_scheduler(settings: Settings, session_factory: SessionFactory) -> BackgroundScheduler:
    scheduler = build_scheduler(settings, session_factory)
    scheduler.start()
    job = scheduler.get_job(JOB_ID)
    logger.info("benchmark scheduler started; next run at %s", job.next_run_time if job else None)
    return scheduler
