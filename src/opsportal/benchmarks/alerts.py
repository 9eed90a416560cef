"""Benchmark drop alerts: the benchmark domain decides who is told what; notifications delivers.

After a successful run, an organisation whose verdict for a metric fell since the
previous calculated day is told so: the messages are written here and handed to
`notifications.service.notify_organizations`, which knows nothing of benchmarks.

The verdicts are the ones its customers are shown on their scorecard, in the
peer group the scorecard opens on (its most specific own group that places it:
industry × size, industry, size, all customers; `service/scorecard.py`), in the
same words: estimated from the quartiles published to them and their own value,
never from the exact stored percentile (`benchmarks/privacy.py`). And alerts
follow the run that is published for a day: a re-run of the day keeps the
alerts it repeats, takes back those it does not (with their emails, where not
sent yet), and adds its new ones. A drop on a day before yesterday is history,
not news: it is listed already read, and no email is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, timedelta
from functools import partial
from typing import NamedTuple

from sqlalchemy.orm import Session

from opsportal.benchmarks import privacy
from opsportal.benchmarks.aggregation import COHORT_KINDS
from opsportal.benchmarks.cohorts import describe_peer_group
from opsportal.benchmarks.repository import Membership, Position
from opsportal.benchmarks.repository import alerts as repository
from opsportal.benchmarks.verdicts import Verdict, dropped, verdict_for, verdict_words
from opsportal.config import Settings
from opsportal.config_values import SizeBand
from opsportal.i18n import _, format_day, language_of
from opsportal.metrics.registry import get_metric
from opsportal.metrics.service import utc_today
from opsportal.models import CustomerView
from opsportal.notifications.service import (
    NoticeWords,
    OrganizationNotice,
    notify_organizations,
    withdraw_notices,
)

logger = logging.getLogger(__name__)

BENCHMARK_DROP = "benchmark_drop"


def benchmark_drops(session: Session, *, day: date, settings: Settings) -> int:
    """After a successful run for `day`, in its transaction: alert organisations whose verdict fell.

    Compares the verdict each organisation's customers were shown in the group
    their scorecard opens on with the previous calculated day's in the same kind
    of group; a worse verdict is a `benchmark_drop` for its customer users, plus
    an email. Only groups that showed customers quartiles on both days count.
    A re-run of a day keeps the alerts it repeats (told once, however often the
    day is re-run) and takes back the earlier run's others. A run for a day
    older than the newest calculated one alerts nobody new: that news is old;
    a drop on a day before yesterday is recorded already read, with no email.

    Never raises: a failure here is logged and leaves the run published.
    """
    try:
        with session.begin_nested():
            return _benchmark_drops(session, day=day, settings=settings)
    except Exception:
        logger.exception("benchmark drop alerts for %s failed; the run stays published", day)
        return 0


def _benchmark_drops(session: Session, *, day: date, settings: Settings) -> int:
    previous = repository.previous_calculated_day(session, before=day)
    notices = []
    news = day >= utc_today() - timedelta(days=1)
    if previous is not None:
        for fall in verdict_falls(session, day=day, previous=previous, bands=settings.size_bands):
            notices.append(
                drop_notice(**fall._asdict(), day=day, base_url=settings.public_base_url, news=news)
            )
    keep = {notice.dedupe_key for notice in notices}
    withdrawn = withdraw_notices(session, kind=BENCHMARK_DROP, key_prefix=_day_key(day), keep=keep)
    if withdrawn:
        logger.info("benchmark drop alerts for %s: %s taken back by a re-run", day, withdrawn)
    if repository.later_day_exists(session, after=day):
        return 0
    addressed = notify_organizations(session, notices, default_locale=settings.default_locale)
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
    # The peer group, (industry, size band), "" where it has none: ("Healthcare", "").
    group: tuple[str, str]


# The order the scorecard tries an organisation's groups in (`own_groups`), as
# cohort kinds (COHORT_KINDS): industry × size, industry, size, all customers.
SCORECARD_KINDS = (3, 1, 2, 0)

Groups = dict[repository.GroupKey, tuple[CustomerView, int]]


def group_of(
    kind: int, membership: Membership | None, bands: Sequence[SizeBand]
) -> tuple[str, str] | None:
    """The (industry, size band) of an organisation's group of that kind, or None: none."""
    uses_sector, uses_band = COHORT_KINDS[kind]
    sector = membership.industry_sector if membership is not None else ""
    employees = membership.employee_count if membership is not None else None
    band = next((b.label for b in bands if employees is not None and b.contains(employees)), "")
    if (uses_sector and not sector) or (uses_band and not band):
        return None
    return (sector if uses_sector else "", band if uses_band else "")


def _shown(
    kind: int,
    metric: str,
    position: Position | None,
    membership: Membership | None,
    groups: Groups,
    bands: Sequence[SizeBand],
) -> tuple[Verdict, tuple[str, str]] | None:
    """The verdict customers were shown for `metric` in their group of `kind`, and the group."""
    group = group_of(kind, membership, bands)
    if group is None or position is None or position.percentile(kind) is None:
        return None
    view, peers = groups.get((metric, *group), (CustomerView.WITHHELD, 0))
    if view != CustomerView.QUARTILES:
        return None
    found = customer_verdict(position, metric, peers, kind=kind)
    return (found, group) if found is not None else None


def scorecard_kind(
    positions: dict[str, Position],
    membership: Membership | None,
    groups: Groups,
    bands: Sequence[SizeBand],
) -> int | None:
    """The kind of group the customers' scorecard opens on: the first that places a metric."""
    for kind in SCORECARD_KINDS:
        if any(
            _shown(kind, metric, position, membership, groups, bands)
            for metric, position in positions.items()
        ):
            return kind
    return None


def verdict_falls(
    session: Session, *, day: date, previous: date, bands: Sequence[SizeBand]
) -> list[Fall]:
    """Where the verdict customers were shown on their scorecard's group got worse."""
    now_groups = repository.day_groups(session, day)
    before_groups = repository.day_groups(session, previous)
    falls = []
    for pair in repository.position_pairs(session, day=day, previous=previous):
        kind = scorecard_kind(pair.current, pair.membership, now_groups, bands)
        if kind is None:
            continue
        for metric in sorted(pair.current.keys() & pair.previous.keys()):
            is_now = _shown(kind, metric, pair.current[metric], pair.membership, now_groups, bands)
            was = _shown(
                kind,
                metric,
                pair.previous[metric],
                pair.previous_membership or pair.membership,
                before_groups,
                bands,
            )
            if was is not None and is_now is not None and dropped(was[0], is_now[0]):
                falls.append(Fall(pair.organization_id, metric, was[0], is_now[0], is_now[1]))
    return falls


def customer_verdict(
    position: Position | None, metric: str, peers: int, *, kind: int = 0
) -> Verdict | None:
    """The verdict a customer was shown in its group of `kind` (None: none shown)."""
    quartiles = position.customer_quartiles(kind) if position is not None else None
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
    group: tuple[str, str],
    day: date,
    base_url: str,
    news: bool = True,
) -> OrganizationNotice:
    """What a customer is told: the metric, its group and its verdict before and after.

    In the scorecard's words ("slower than the median"), so the alert and the
    page it links to say the same thing, and in each recipient's language.
    """
    link = f"/benchmarks/organizations/{organization_id}"
    return OrganizationNotice(
        organization_id=organization_id,
        kind=BENCHMARK_DROP,
        link=link,
        # One alert per organisation, metric, day and change: a re-run that repeats it
        # keeps it; one that does not takes it back (see _benchmark_drops).
        dedupe_key=f"{_day_key(day)}{organization_id}:{metric}:{before.value}>{after.value}",
        words=partial(
            drop_words,
            metric=metric,
            before=before,
            after=after,
            group=group,
            day=day,
            url=f"{base_url}{link}",
        ),
        already_read=not news,
    )


def drop_words(
    *, metric: str, before: Verdict, after: Verdict, group: tuple[str, str], day: date, url: str
) -> NoticeWords:
    """The alert's words in the current locale (notify_organizations sets each recipient's)."""
    known = get_metric(metric)
    label = known.label if known else metric
    unit, higher = (known.unit, known.higher_is_better) if known else ("", True)
    old = in_sentence(verdict_words(before, unit=unit, higher_is_better=higher))
    new = in_sentence(verdict_words(after, unit=unit, higher_is_better=higher))
    words = {"metric": in_sentence(label), "before": old, "after": new, "day": format_day(day)}
    if group == ("", ""):
        body = _(
            "Your organisation's %(metric)s moved from “%(before)s” to “%(after)s” among "
            "all customers in the benchmarks of %(day)s.",
            **words,
        )
    else:
        body = _(
            "Your organisation's %(metric)s moved from “%(before)s” to “%(after)s” among "
            "the %(group)s peer group in the benchmarks of %(day)s.",
            group=describe_peer_group(*group, None),
            **words,
        )
    scorecard = _("Your scorecard: %(url)s", url=url)
    return NoticeWords(
        title=_("%(metric)s: now %(verdict)s", metric=label, verdict=new),
        body=body,
        email_subject=_("opsportal: %(metric)s now %(verdict)s", metric=label, verdict=new),
        email_body=f"{body}\n\n{scorecard}\n",
    )


# Languages whose nouns keep their capital inside a sentence.
_CAPITALISED_NOUNS = frozenset({"de", "lb"})


def in_sentence(words: str) -> str:
    """A label or verdict ("Login rate", "Lower than the median") inside a sentence."""
    return words if language_of() in _CAPITALISED_NOUNS else words.lower()
