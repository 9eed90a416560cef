"""Benchmark drop alerts: the benchmark domain decides who is told what; notifications delivers.

After a successful run, an organisation whose verdict for a metric fell since the
previous calculated day is told so: the messages are written here and handed to
`notifications.service.notify_organizations`, which knows nothing of benchmarks.

The verdicts are the ones its customers are shown: estimated from the
all-customers quartiles published to them and their own value, never from the
exact stored percentile (`benchmarks/privacy.py`). And alerts follow the run
that is published for a day: a re-run of the day keeps the alerts it repeats,
takes back those it does not (with their emails, where not sent yet), and adds
its new ones.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import NamedTuple

from sqlalchemy.orm import Session

from opsportal.benchmarks import privacy
from opsportal.benchmarks.repository import Position
from opsportal.benchmarks.repository import alerts as repository
from opsportal.benchmarks.verdicts import VERDICT_TEXT, Verdict, dropped, verdict_for
from opsportal.config import Settings
from opsportal.metrics.registry import get_metric
from opsportal.models import CustomerView
from opsportal.notifications.service import (
    OrganizationNotice,
    notify_organizations,
    withdraw_notices,
)

logger = logging.getLogger(__name__)

BENCHMARK_DROP = "benchmark_drop"
ALL_CUSTOMERS = 0  # the cohort kind of the all-customers group (aggregation.COHORT_KINDS)


def benchmark_drops(session: Session, *, day: date, settings: Settings) -> int:
    """After a successful run for `day`, in its transaction: alert organisations whose verdict fell.

    Compares the verdict each organisation's customers were shown in the
    all-customers group with the previous calculated day's; a worse verdict is a
    `benchmark_drop` for its customer users, plus an email. Only groups that
    showed customers quartiles on both days count. A re-run of a day keeps the
    alerts it repeats (told once, however often the day is re-run) and takes
    back the earlier run's others. A run for a day older than the newest
    calculated one alerts nobody new: that news is old.

    Never raises: a failure here is logged and leaves the run published.
    """
    try:
        with session.begin_nested():
            return _benchmark_drops(session, day=day, base_url=settings.public_base_url)
    except Exception:
        logger.exception("benchmark drop alerts for %s failed; the run stays published", day)
        return 0


def _benchmark_drops(session: Session, *, day: date, base_url: str) -> int:
    previous = repository.previous_calculated_day(session, before=day)
    notices = []
    if previous is not None:
        for fall in verdict_falls(session, day=day, previous=previous):
            notices.append(drop_notice(**fall._asdict(), day=day, base_url=base_url))
    keep = {notice.dedupe_key for notice in notices}
    withdrawn = withdraw_notices(session, kind=BENCHMARK_DROP, key_prefix=_day_key(day), keep=keep)
    if withdrawn:
        logger.info("benchmark drop alerts for %s: %s taken back by a re-run", day, withdrawn)
    if repository.later_day_exists(session, after=day):
        return 0
    addressed = notify_organizations(session, notices)
    if notices:
        logger.info(
            "benchmark drop alerts for %s: %s drops, %s users told",
            day,
            len(notices),
            addressed,
        )
    return addressed


class Fall(NamedTuple):
    organization_id: int
    metric: str
    before: Verdict
    after: Verdict


def verdict_falls(session: Session, *, day: date, previous: date) -> list[Fall]:
    """Where the verdict customers were shown in the all-customers group got worse."""
    shown = {
        label: {
            metric: count
            for metric, (view, count) in repository.all_customers_groups(session, when).items()
            if view == CustomerView.QUARTILES
        }
        for label, when in (("now", day), ("before", previous))
    }
    falls = []
    for pair in repository.position_pairs(session, day=day, previous=previous):
        for metric in sorted(shown["now"].keys() & shown["before"].keys()):
            was = customer_verdict(pair.previous.get(metric), metric, shown["before"][metric])
            is_now = customer_verdict(pair.current.get(metric), metric, shown["now"][metric])
            if was is not None and is_now is not None and dropped(was, is_now):
                falls.append(Fall(pair.organization_id, metric, was, is_now))
    return falls


def customer_verdict(position: Position | None, metric: str, peers: int) -> Verdict | None:
    """The verdict a customer was shown in the all-customers group (None: none shown)."""
    quartiles = position.customer_quartiles(ALL_CUSTOMERS) if position is not None else None
    known = get_metric(metric)
    if position is None or quartiles is None or known is None:
        return None
    percentile = privacy.estimated_percentile(
        position.value,
        quartiles,
        floor=known.min,
        ceiling=known.max,
        step=privacy.customer_step(known.unit, peers),
        higher_is_better=known.higher_is_better,
    )
    return verdict_for(percentile)


def _day_key(day: date) -> str:
    return f"{BENCHMARK_DROP}:{day.isoformat()}:"


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
        # One alert per organisation, metric, day and change: a re-run that repeats it
        # keeps it; one that does not takes it back (see _benchmark_drops).
        dedupe_key=f"{_day_key(day)}{organization_id}:{metric}:{before.value}>{after.value}",
        email_subject=f"opsportal: {label} dropped to “{new}”",
        email_body=f"{body}\n\nYour scorecard: {base_url}{link}\n",
    )
