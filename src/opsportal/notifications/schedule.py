"""The outbox sender inside the server's scheduler: every minute, and woken after mail is queued.

Every process runs it: a pass that finds nothing due costs one indexed read,
and two passes never send the same message (see `mail.py`).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger

from opsportal.config import Settings
from opsportal.db import SessionFactory
from opsportal.kit.telemetry import JOB_RUNS
from opsportal.notifications import mail

logger = logging.getLogger(__name__)

SENDER_JOB_ID = "outbox-sender"


def send_outbox(settings: Settings, session_factory: SessionFactory) -> None:
    """One sender pass; never raises (the next pass tries again)."""
    try:
        mail.send_pending(session_factory, settings=settings)
    except Exception:
        logger.exception("outbox sender pass failed")
        JOB_RUNS.labels(SENDER_JOB_ID, "failure").inc()
        return
    JOB_RUNS.labels(SENDER_JOB_ID, "success").inc()


def add_mail_jobs(
    scheduler: BaseScheduler, settings: Settings, session_factory: SessionFactory
) -> None:
    """Send the outbox every minute, and soon after a commit that queued mail in this process."""
    scheduler.add_job(
        send_outbox,
        IntervalTrigger(minutes=1),
        args=(settings, session_factory),
        id=SENDER_JOB_ID,
        name="Outbox sender",
        max_instances=1,
        coalesce=True,
        replace_existing=True,
    )

    def wake() -> None:
        scheduler.modify_job(SENDER_JOB_ID, next_run_time=datetime.now(UTC))

    mail.set_waker(wake)
