"""Why a comparison is not shown to its caller: the API's English sentence, and which reason.

The sentences are the JSON API's (clients match on them) and stay English; each
comes with its code (`Reason.code`, carried to the pages by `Wording.reason`) so
the pages say the same in their reader's language (`benchmarks.pages.wording`).
"""

from __future__ import annotations

from dataclasses import dataclass

from opsportal.benchmarks.published import PublishedDay
from opsportal.benchmarks.service.peer_groups import PeerGroup
from opsportal.config import Settings
from opsportal.metrics.registry import Metric
from opsportal.models import CustomerView, Organization
from opsportal.principal import Principal

NOT_PUBLISHED = (
    "No benchmark is published for {group}. A peer group is shown only when it is one "
    "of your organization's own groups and large enough that no member's numbers can "
    "be worked out from it."
)
NOT_CALCULATED = "Benchmarks have not been calculated yet."
FEW_PEERS = (
    "Fewer than {minimum} organizations: their quartiles and your percentile are shown "
    "from {minimum} up, so that no member's numbers can be worked out."
)


@dataclass(frozen=True)
class Subject:
    """The organisation one caller asks about, the peer group, and the organisation's kind in it."""

    principal: Principal
    organization: Organization
    group: PeerGroup
    kind: int | None
    settings: Settings


def day_kind(subject: Subject, published: PublishedDay) -> int | None:
    """Which of the organisation's groups on the calculated day the subject's group was, or None.

    A day records the organisation's industry and size as its run saw them; a
    day stored before that falls back to its groups now (`subject.kind`).
    """
    if published.membership is None:
        return subject.kind
    return subject.group.kind_on(published.membership)


@dataclass(frozen=True)
class Reason:
    """Why a comparison is not shown: the API's English `text`, and which reason it is
    (`code`, one of REASONS) for the pages to word in their reader's language."""

    code: str
    text: str
    minimum: int = 0  # the peer minimum the text quotes


# The codes of the reasons above, as `Wording.reason` carries them.
REASONS = ("not_calculated", "no_value", "too_few", "not_published", "few_peers", "not_available")
NOT_AVAILABLE = "Not available."


def unavailable_reason(subject: Subject, metric: Metric, published: PublishedDay) -> Reason | None:
    """Why this comparison cannot be shown to this caller, or None when it can."""
    settings, group = subject.settings, subject.group
    day = published.calculated_for
    if day is None:
        return Reason("not_calculated", NOT_CALCULATED)
    position = published.positions.get(metric.name)
    result = published.results.get(metric.name)
    # "a value for <label>" reads right whatever the label ("Cases closed on time" too).
    no_value = Reason(
        "no_value",
        f"{subject.organization.name} has no value for {metric.label.lower()} recorded in the "
        f"{settings.benchmark_freshness_days} days up to {day.isoformat()}.",
    )
    not_published = Reason("not_published", NOT_PUBLISHED.format(group=group.describe()))
    if subject.principal.is_staff:
        if position is None:
            return no_value
        if result is None:
            minimum = settings.benchmark_min_peers
            return Reason(
                "too_few",
                f"Fewer than {minimum} organizations in {group.describe()} had a recent value "
                f"for {metric.label.lower()} on {day.isoformat()}, so this peer group is not "
                "published.",
                minimum,
            )
        return None
    on_day = day_kind(subject, published)
    if subject.kind is None or on_day is None:
        return not_published
    if position is None:
        return no_value  # about the customer's own organisation: no one else's secret
    if (
        result is None
        or result.customer_view == CustomerView.WITHHELD
        or position.percentile(on_day) is None
        or (
            result.customer_view == CustomerView.QUARTILES
            and position.customer_quartiles(on_day) is None  # a day stored before these rules
        )
    ):
        return not_published
    return None
