"""The daily reminder job inside `opsportal serve`: one run per firing across all processes.

The firing is claimed in `scheduled_firings` like the nightly benchmarks'; even
without that, the reminders' own "sent" rows keep a second run from sending
anything twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.models.base import utcnow
from opsportal.scheduling import claim_firing, last_fire_time
from opsportal.training.compliance.reminders import send_reminders

logger = logging.getLogger(__name__)

JOB_ID = "training-reminders"
MISFIRE_GRACE = timedelta(hours=6)


def cron_trigger(settings: Settings) -> CronTrigger:
    return CronTrigger.from_crontab(settings.reminder_cron, timezone=settings.benchmark_timezone)


def daily_reminders(settings: Settings, session_factory: SessionFactory) -> int | None:
    """Send the due reminders if this process claims the firing; never raises.

    Returns how many were sent, or None when the firing was another process's.
    """
    try:
        fire_time = last_fire_time(cron_trigger(settings), utcnow(), within=MISFIRE_GRACE)
        if fire_time is None:
            return None
        if not claim_firing(session_factory, job=JOB_ID, fire_time=fire_time):
            logger.info("reminder firing %s taken by another process; skipped", fire_time)
            return None
        with session_scope(session_factory) as session:
            sent = send_reminders(session, settings=settings)
        logger.info("training reminders: %s sent", len(sent))
        return len(sent)
    except Exception:
        logger.exception("training reminders failed")
        return None


def add_reminder_job(
    scheduler: BaseScheduler, settings: Settings, session_factory: SessionFactory
) -> None:
    scheduler.add_job(
        daily_reminders,
        cron_trigger(settings),
        args=(settings, session_factory),
        id=JOB_ID,
        name="Training reminders",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=int(MISFIRE_GRACE.total_seconds()),
        replace_existing=True,
    )
