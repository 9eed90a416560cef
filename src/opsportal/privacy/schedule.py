"""Retention as a daily elected job (see `opsportal.kit.elected`): one process runs each firing.

`opsportal.scheduler` adds it to the server's scheduler.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.triggers.cron import CronTrigger

from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.kit.elected import ElectedJob
from opsportal.privacy.retention import apply_retention

logger = logging.getLogger(__name__)

JOB_ID = "retention"
MISFIRE_GRACE = timedelta(hours=6)


def retention_job(settings: Settings, session_factory: SessionFactory) -> ElectedJob[int]:
    def apply() -> int:
        with session_scope(session_factory) as session:
            applied = apply_retention(session, settings=settings, dry_run=False)
        deleted = {a.kind: a.rows for a in applied if a.rows}
        logger.info("retention: deleted %s", deleted or "nothing")
        return sum(deleted.values())

    return ElectedJob(
        id=JOB_ID,
        name="Retention",
        trigger=CronTrigger.from_crontab(
            settings.retention_cron, timezone=settings.retention_timezone
        ),
        misfire_grace=MISFIRE_GRACE,
        run=apply,
    )
