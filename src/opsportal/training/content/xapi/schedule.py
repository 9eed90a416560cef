"""The xAPI sender as an elected job (`opsportal.kit.elected`): one process runs each firing.

Every minute by default (`OPSPORTAL_XAPI_SEND_CRON`). The election saves the
other processes a pass; even without it, claims keep two senders from sending
the same statement, and its fixed id keeps a retry from storing it twice.
`opsportal.scheduler` adds the job when an LRS is configured.
"""

from __future__ import annotations

from datetime import timedelta

from apscheduler.triggers.cron import CronTrigger

from opsportal.config import Settings
from opsportal.db import SessionFactory
from opsportal.kit.elected import ElectedJob
from opsportal.kit.sending import SendReport
from opsportal.training.content.xapi.sender import send_pending

JOB_ID = "xapi-sender"
MISFIRE_GRACE = timedelta(minutes=5)


def sender_job(settings: Settings, session_factory: SessionFactory) -> ElectedJob[SendReport]:
    def send() -> SendReport:
        return send_pending(session_factory, settings=settings)

    return ElectedJob(
        id=JOB_ID,
        name="xAPI sender",
        trigger=CronTrigger.from_crontab(settings.xapi_send_cron, timezone="UTC"),
        misfire_grace=MISFIRE_GRACE,
        run=send,
    )
