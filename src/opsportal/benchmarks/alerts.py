"""Benchmark drop alerts: the benchmark domain decides who is told what; notifications delivers.

After a successful run, an organisation whose verdict for a metric fell since the
previous calculated day is told so: the messages are written here and handed to
`notifications.service.notify_organizations`, which knows nothing of benchmarks.
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy.orm import Session

from opsportal.benchmarks.repository import alerts as repository
from opsportal.benchmarks.verdicts import VERDICT_TEXT, Verdict, dropped, verdict_for
from opsportal.config import Settings
from opsportal.metrics.registry import get_metric
from opsportal.notifications.service import OrganizationNotice, notify_organizations

logger = logging.getLogger(__name__)

BENCHMARK_DROP = "benchmark_drop"


def benchmark_drops(session: Session, *, day: date, settings: Settings) -> int:
    """After a successful run for `day`, in its transaction: alert organisations whose verdict fell.

    Compares each organisation's stored all-customers percentile with the
    previous calculated day's, as verdicts (`benchmarks.verdicts`); a worse
    verdict is a `benchmark_drop` for its customer users, plus an email. Only
    groups shown to customers on both days count, and a day is alerted once per
    organisation and metric however often it is re-run. A run for a day older
    than the newest calculated one alerts nobody: that news is old.

    Never raises: a failure here is logged and leaves the run published.
    """
    try:
        with session.begin_nested():
            return _benchmark_drops(session, day=day, base_url=settings.public_base_url)
    except Exception:
        logger.exception("benchmark drop alerts for %s failed; the run stays published", day)
        return 0


def _benchmark_drops(session: Session, *, day: date, base_url: str) -> int:
    if repository.later_day_exists(session, after=day):
        return 0
    previous = repository.previous_calculated_day(session, before=day)
    if previous is None:
        return 0
    notices = []
    for fall in repository.percentile_falls(session, day=day, previous=previous):
        before, after = verdict_for(fall.previous), verdict_for(fall.current)
        if dropped(before, after):
            notices.append(
                drop_notice(
                    organization_id=fall.organization_id,
                    metric=fall.metric,
                    before=before,
                    after=after,
                    day=day,
                    base_url=base_url,
                )
            )
    addressed = notify_organizations(session, notices)
    if notices:
        logger.info(
            "benchmark drop alerts for %s: %s drops, %s users told",
            day,
            len(notices),
            addressed,
        )
    return addressed


def drop_notice(
    *,
    organization_id: int,
    metric: str,
    before: Verdict,
    after: Verdict,
    day: date,
    base_url: str,
) -> OrganizationNotice:
    """What a customer is told: the metric and its verdict before and after, nothing more."""
    known = get_metric(metric)
    label = known.label if known else metric
    old, new = VERDICT_TEXT[before], VERDICT_TEXT[after]
    link = f"/benchmarks/organizations/{organization_id}"
    body = (
        f"Your organisation's place on {label.lower()} moved from “{old}” to “{new}” "
        f"among all customers in the benchmarks of {day.isoformat()}."
    )
    return OrganizationNotice(
        organization_id=organization_id,
        kind=BENCHMARK_DROP,
        title=f"{label}: now “{new}”",
        body=body,
        link=link,
        dedupe_key=f"{BENCHMARK_DROP}:{organization_id}:{metric}:{day.isoformat()}",
        email_subject=f"opsportal: {label} dropped to “{new}”",
        email_body=f"{body}\n\nYour scorecard: {base_url}{link}\n",
    )
