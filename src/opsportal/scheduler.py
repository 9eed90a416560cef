"""The server's scheduler (APScheduler), assembled in one place: every domain's scheduled jobs.

- the nightly benchmarks, the daily reminders and the daily retention, elected
  jobs that one process runs per firing however many serve (`opsportal.kit.elected`);
- the xAPI sender (when an LRS is configured), an elected job every minute;
- the outbox sender, which every process runs (two passes never send the same
  message), every minute and soon after a commit that queued mail.

Each job keeps its cron and timezone in its own settings.
"""

from __future__ import annotations

import logging
import threading

from apscheduler.schedulers.background import BackgroundScheduler

from opsportal.benchmarks import schedule as benchmarks
from opsportal.config import Settings
from opsportal.db import SessionFactory
from opsportal.kit.elected import add_elected_job
from opsportal.notifications.schedule import add_mail_jobs
from opsportal.privacy import schedule as retention
from opsportal.training.compliance import schedule as reminders
from opsportal.training.content.xapi import schedule as xapi

logger = logging.getLogger(__name__)

CATCH_UP_THREAD = "benchmark-catch-up"  # the thread that catches up a missed night at start


def build_scheduler(settings: Settings, session_factory: SessionFactory) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    add_elected_job(scheduler, benchmarks.nightly_job(settings, session_factory), session_factory)
    add_elected_job(scheduler, reminders.reminder_job(settings, session_factory), session_factory)
    add_elected_job(scheduler, retention.retention_job(settings, session_factory), session_factory)
    add_mail_jobs(scheduler, settings, session_factory)
    if settings.xapi_endpoint is not None:
        add_elected_job(scheduler, xapi.sender_job(settings, session_factory), session_factory)
    return scheduler


def start_scheduler(settings: Settings, session_factory: SessionFactory) -> BackgroundScheduler:
    """Start the scheduler, and catch up a missed benchmark night in the background."""
    scheduler = build_scheduler(settings, session_factory)
    scheduler.start()
    job = scheduler.get_job(benchmarks.JOB_ID)
    logger.info("scheduler started; next benchmark run at %s", job.next_run_time if job else None)
    threading.Thread(
        target=benchmarks.catch_up_quietly,
        args=(settings, session_factory),
        name=CATCH_UP_THREAD,
        daemon=True,
    ).start()
    return scheduler
