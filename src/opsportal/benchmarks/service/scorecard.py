"""The scorecard as a person reads it: which peer group first, and where to go when one is withheld.

An organisation belongs to up to four peer groups, from the most specific
(its industry × its size band) to the widest (all customers). The scorecard
page opens on the most specific one that shows the viewer something, and when
a group withholds a metric the page offers the nearest wider group that shows
it. "Shows" always means as this viewer may see it (`comparisons.view`): a
customer's choice never depends on a number it is not allowed to see.

The JSON API keeps its own default (all customers, as its contract fixes); only
the pages use these choices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from opsportal.benchmarks.cohorts import describe_peer_group
from opsportal.benchmarks.published import PublishedDayCache
from opsportal.benchmarks.schemas import BenchmarkComparison
from opsportal.benchmarks.service.comparisons import as_customer, compare_organization
from opsportal.config import Settings
from opsportal.models import Organization
from opsportal.principal import Principal


@dataclass(frozen=True)
class GroupChoice:
    """A peer group as the page's chooser names it: an industry and a size band ("": any)."""

    industry: str = ""
    size: str = ""

    def describe(self) -> str:
        return describe_peer_group(self.industry, self.size, None)

    def query(self) -> str:
        """The page's query string for this group; empty values mean "any"."""
        return urlencode({"industry": self.industry, "size": self.size})

    def wider(self) -> list[GroupChoice]:
        """The groups this one is part of, nearest first (the industry is kept before the size)."""
        found = [
            GroupChoice(self.industry, ""),
            GroupChoice("", self.size),
            GroupChoice("", ""),
        ]
        unique = []
        for group in found:
            if group != self and group not in unique:
                unique.append(group)
        return unique


def own_groups(organization: Organization, settings: Settings) -> list[GroupChoice]:
    """The organisation's own peer groups, most specific first, all customers last."""
    industry = organization.industry_sector or ""
    employees = organization.employee_count
    size = next(
        (b.label for b in settings.size_bands if employees is not None and b.contains(employees)),
        "",
    )
    groups = [
        GroupChoice(industry, size),
        GroupChoice(industry, ""),
        GroupChoice("", size),
        GroupChoice("", ""),
    ]
    # An organisation without an industry or size has fewer groups; drop the repeats.
    return list(dict.fromkeys(groups))


def customer_principal(staff: Principal, organization_id: int) -> Principal:
    """Who the organisation's own customer users are, for a staff member's "Customer view"."""
    return as_customer(staff, organization_id)


def comparisons_in(
    session: Session,
    *,
    principal: Principal,
    organization_id: int,
    group: GroupChoice,
    settings: Settings,
    cache: PublishedDayCache | None,
) -> list[BenchmarkComparison]:
    return compare_organization(
        session,
        principal=principal,
        organization_id=organization_id,
        industry_sector=group.industry or None,
        size_band=group.size or None,
        settings=settings,
        cache=cache,
    )


def default_group(
    session: Session,
    *,
    principal: Principal,
    organization: Organization,
    settings: Settings,
    cache: PublishedDayCache | None,
) -> tuple[GroupChoice, list[BenchmarkComparison]]:
    """The organisation's most specific group that places this viewer's organisation on a metric.

    Falls back to all customers (the widest group) when none does, such as
    before the first run. Returns the group and its comparisons, so the page
    does not ask twice.
    """
    groups = own_groups(organization, settings)
    for group in groups:
        found = comparisons_in(
            session,
            principal=principal,
            organization_id=organization.id,
            group=group,
            settings=settings,
            cache=cache,
        )
        if any(placed(c) for c in found) or group == groups[-1]:
            return group, found
    raise AssertionError("own_groups always ends with all customers")  # pragma: no cover


def placed(comparison: BenchmarkComparison) -> bool:
    """Whether the viewer is shown where the organisation stands (not only the peer count)."""
    return comparison.available and comparison.percentile is not None


def withheld(comparison: BenchmarkComparison) -> bool:
    """A metric the organisation has a value for, not placed in this group (too small, held back,
    or, for a customer, a group of 5 to 9 that shows the peer count only).

    Not "no value recorded" (nothing to compare) and not "not calculated yet".
    """
    return (
        not placed(comparison)
        and comparison.calculated_for is not None
        and comparison.your_value is not None
    )


def wider_group(
    session: Session,
    *,
    principal: Principal,
    organization_id: int,
    group: GroupChoice,
    missing: Sequence[str],
    settings: Settings,
    cache: PublishedDayCache | None,
) -> GroupChoice | None:
    """The nearest wider group that shows this viewer at least one of the `missing` metrics."""
    for wider in group.wider():
        found = comparisons_in(
            session,
            principal=principal,
            organization_id=organization_id,
            group=wider,
            settings=settings,
            cache=cache,
        )
        if any(placed(c) and c.metric in missing for c in found):
            return wider
    return None
