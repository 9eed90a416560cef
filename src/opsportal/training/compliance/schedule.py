"""The daily reminders as an elected job (see `opsportal.kit.elected`): one run per firing.

Even without the election, the reminders' own "sent" rows keep a second run from
sending anything twice. `opsportal.scheduler` adds the job to the server's scheduler.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.triggers.cron import CronTrigger

from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.kit.elected import ElectedJob, run_elected
from opsportal.training.compliance.reminders import send_reminders

logger = logging.getLogger(__name__)

JOB_ID = "training-reminders"
MISFIRE_GRACE = timedelta(hours=6)


def cron_trigger(settings: Settings) -> CronTrigger:
    return CronTrigger.from_crontab(settings.reminder_cron, timezone=settings.reminder_timezone)


def reminder_job(settings: Settings, session_factory: SessionFactory) -> ElectedJob[int]:
    def send() -> int:
        with session_scope(session_factory) as session:
            sent = send_reminders(session, settings=settings)
        logger.info("training reminders: %s sent", len(sent))
        return len(sent)

    return ElectedJob(
        id=JOB_ID,
        name="Training reminders",
        trigger=cron_trigger(settings),
        misfire_grace=MISFIRE_GRACE,
        run=send,
    )


def daily_reminders(settings: Settings, session_factory: SessionFactory) -> int | None:
    """Send the due reminders if this process claims the firing; never raises.

    Returns how many were sent, or None when the firing was another process's.
    """
    return run_elected(reminder_job(settings, session_factory), session_factory)
