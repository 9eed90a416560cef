"""Where an organisation stands: its stored position against one peer group's published numbers.

Everything here reads what the newest successful run stored and decided
(`benchmarks/privacy.py`); nothing is recomputed from today's values, so a
question asked twice, or about another group, or after a new value arrives,
teaches a customer nothing the run did not publish to it.

A customer compares only with the groups its organisation was in on the
calculated day, which are its own groups now too (all customers, its industry,
its size band, its industry × size band); every group it may not see reads the
same, whether empty, too small, withheld or someone else's. What it is shown of
its peers is the quartiles of the *other* members the run stored for it,
rounded; its percentile and verdict are estimated from those and its own value,
so steering that value teaches it nothing (privacy.estimated_percentile). In
groups of 5 to 9 it sees the peer count only. Staff may compare any
organisation with any published group, in full and exactly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from opsportal.benchmarks import aggregation, privacy
from opsportal.benchmarks.published import (
    GroupResult,
    PublishedDay,
    PublishedDayCache,
    read_published_day,
)
from opsportal.benchmarks.repository import Position
from opsportal.benchmarks.schemas import (
    BenchmarkComparison,
    StaffBenchmarkComparison,
    Wording,
)
from opsportal.benchmarks.service.peer_groups import PeerGroup, resolve_peer_group
from opsportal.benchmarks.service.reasons import (
    FEW_PEERS,
    NOT_AVAILABLE,
    Reason,
    Subject,
    day_kind,
    unavailable_reason,
)
from opsportal.benchmarks.verdicts import verdict_and_gap
from opsportal.config import Settings
from opsportal.errors import DomainError, NotFound
from opsportal.metrics.registry import METRIC_NAMES, METRICS, Metric, get_metric
from opsportal.models import CustomerView, Role
from opsportal.principal import Principal
from opsportal.tenants.service import get_organization


def _comparison(
    *,
    principal: Principal,
    metric: Metric,
    group: PeerGroup,
    kind: int | None,
    published: PublishedDay,
    reason: str | None,
    settings: Settings,
) -> BenchmarkComparison:
    position = published.positions.get(metric.name)
    base: dict[str, Any] = {
        "metric": metric.name,
        "label": metric.label,
        "unit": metric.unit,
        "higher_is_better": metric.higher_is_better,
        "your_value": position.value if position is not None else None,
        "calculated_for": published.calculated_for,
        "filter_description": group.describe(),
    }
    result = published.results.get(metric.name)
    if reason is not None or result is None or position is None:
        if principal.is_staff:
            return StaffBenchmarkComparison(
                **base,
                available=False,
                reason=reason or NOT_AVAILABLE,
                mean=None,
                min=None,
                max=None,
                quantiles=None,
                withheld_from_customers=None,
            )
        return BenchmarkComparison(**base, available=False, reason=reason or NOT_AVAILABLE)
    common: dict[str, Any] = {
        **base,
        "available": True,
        "peer_count": result.peer_count,
        "filter_description": group.describe(result.peer_count),
        "calculated_at": result.calculated_at,
    }
    if not principal.is_staff:
        assert kind is not None  # unavailable_reason made sure
        return _customer_view(metric, position, result, kind=kind, common=common, settings=settings)
    stored = position.percentile(kind) if kind is not None else None
    percentile = (
        stored
        if stored is not None
        # Staff looking at a group the organisation was not in: placed by the summary.
        else aggregation.percentile_rank(
            position.value,
            result.quantiles,
            result.peer_count,
            higher_is_better=metric.higher_is_better,
        )
    )
    quartiles = {"p25": result.p25, "median": result.median, "p75": result.p75}
    shown: dict[str, Any] = {
        **common,
        "percentile": percentile,
        "percentile_estimated": False,
        **quartiles,
        **verdict_and_gap(
            metric, value=position.value, percentile=percentile, median=quartiles["median"]
        ),
    }
    if principal.is_staff:
        return StaffBenchmarkComparison(
            **shown,
            mean=result.mean,
            min=result.min,
            max=result.max,
            quantiles=[float(q) for q in result.quantiles],
            withheld_from_customers=result.customer_view == CustomerView.WITHHELD,
        )
    return BenchmarkComparison(**shown)


def _customer_view(
    metric: Metric,
    position: Position,
    result: GroupResult,
    *,
    kind: int,
    common: dict[str, Any],
    settings: Settings,
) -> BenchmarkComparison:
    """What a customer is shown: built from the figures published to it and its own value only.

    In a group with quartiles for customers: the quartiles of its other peers
    the run stored for it (rounded), and a percentile and verdict estimated from
    those and its value. In a group of 5 to 9: the peer count, and (as `reason`) why no more.
    """
    if result.customer_view != CustomerView.QUARTILES:
        return BenchmarkComparison(
            **common,
            reason=FEW_PEERS.format(minimum=settings.benchmark_min_peers_quartiles),
        )
    quartiles = position.customer_quartiles(kind)
    assert quartiles is not None  # unavailable_reason made sure
    percentile = privacy.estimated_percentile(
        position.value,
        quartiles,
        floor=metric.min,
        ceiling=metric.max,
        step=privacy.customer_step(metric.unit, result.peer_count),
        higher_is_better=metric.higher_is_better,
    )
    p25, median, p75 = quartiles
    return BenchmarkComparison(
        **common,
        percentile=percentile,
        percentile_estimated=True,
        p25=p25,
        median=median,
        p75=p75,
        **verdict_and_gap(metric, value=position.value, percentile=percentile, median=median),
    )


def view(subject: Subject, metric: Metric, published: PublishedDay) -> BenchmarkComparison:
    """One metric's comparison as this caller may see it, or the reason it may not."""
    settings = subject.settings
    reason = unavailable_reason(subject, metric, published)
    found = _comparison(
        principal=subject.principal,
        metric=metric,
        group=subject.group,
        kind=day_kind(subject, published),
        published=published,
        reason=reason.text if reason is not None else None,
        settings=settings,
    )
    if reason is None and found.reason is not None:
        # A customer's group of 5 to 9 (shown, with a reason), or nothing to show.
        reason = (
            Reason("few_peers", found.reason, settings.benchmark_min_peers_quartiles)
            if found.available
            else Reason("not_available", found.reason)
        )
    found.set_wording(
        Wording(
            sector=subject.group.sector,
            size_band=subject.group.band_label,
            reason=reason.code if reason is not None else None,
            organization=subject.organization.name,
            minimum=reason.minimum if reason is not None else 0,
            freshness_days=settings.benchmark_freshness_days,
        )
    )
    return found


def as_customer(principal: Principal, organization_id: int) -> Principal:
    """The organisation's own customer users, as a staff member looks through their eyes.

    The same person and user id (nothing is written in this name), seen through
    the customer role, so every privacy rule here applies unchanged.
    """
    return dataclasses.replace(principal, role=Role.CUSTOMER, organization_id=organization_id)


def subject(
    session: Session,
    *,
    principal: Principal,
    organization_id: int,
    industry_sector: str | None,
    size_band: str | None,
    settings: Settings,
) -> Subject:
    """The organisation asked about (404 outside the caller's tenant), the group, and its kind."""
    organization = get_organization(session, principal=principal, organization_id=organization_id)
    group = resolve_peer_group(
        session,
        principal=principal,
        organization=organization,
        industry_sector=industry_sector,
        size_band=size_band,
        settings=settings,
    )
    return Subject(principal, organization, group, group.kind_of(organization), settings)


def known_metric(principal: Principal, *, organization_id: int, metric: str) -> Metric:
    found = get_metric(metric)
    if found is None:
        # The tenant check first: an unknown metric must not confirm that an organisation exists.
        principal.require_organization(organization_id)
        raise NotFound(f"Unknown metric {metric!r}; the metrics are {', '.join(METRIC_NAMES)}.")
    return found


def compare_metric(
    session: Session,
    *,
    principal: Principal,
    organization_id: int,
    metric: str,
    industry_sector: str | None = None,
    size_band: str | None = None,
    settings: Settings,
    cache: PublishedDayCache | None = None,
) -> BenchmarkComparison:
    """One metric of one organisation against its peer group (staff get the extra statistics)."""
    found = known_metric(principal, organization_id=organization_id, metric=metric)
    return compare_organization(
        session,
        principal=principal,
        organization_id=organization_id,
        metrics=[found],
        industry_sector=industry_sector,
        size_band=size_band,
        settings=settings,
        cache=cache,
    )[0]


def compare_organization(
    session: Session,
    *,
    principal: Principal,
    organization_id: int,
    industry_sector: str | None = None,
    size_band: str | None = None,
    settings: Settings,
    cache: PublishedDayCache | None = None,
    metrics: Sequence[Metric] = METRICS,
) -> list[BenchmarkComparison]:
    """Every metric (or `metrics`) of one organisation against its peer group, in registry order.

    With no industry and no size band the peer group is all active customers.
    `size_band` is a band label such as "101-500" (see `size_band_for`).
    """
    asked = subject(
        session,
        principal=principal,
        organization_id=organization_id,
        industry_sector=industry_sector,
        size_band=size_band,
        settings=settings,
    )
    published = read_published_day(
        session,
        organization_id=asked.organization.id,
        sector=asked.group.sector,
        band=asked.group.band_label,
        cache=cache,
    )
    found = [view(asked, metric, published) for metric in metrics]
    if asked.principal.is_staff:
        _add_customer_views(session, asked, found, metrics=metrics, cache=cache)
    return found


def _add_customer_views(
    session: Session,
    asked: Subject,
    found: list[BenchmarkComparison],
    *,
    metrics: Sequence[Metric],
    cache: PublishedDayCache | None,
) -> None:
    """Give each staff comparison what the organisation's customers are shown in the same group.

    Asked through the customer path itself, so a customer-success manager quotes
    exactly the customer's number, not a staff figure worked over.
    """
    customer = as_customer(asked.principal, asked.organization.id)
    group = asked.group
    try:
        theirs = subject(
            session,
            principal=customer,
            organization_id=asked.organization.id,
            industry_sector=group.sector or None,
            size_band=group.band_label or None,
            settings=asked.settings,
        )
    except DomainError:  # a group spelled in a way only staff may ask for
        return
    published = read_published_day(
        session,
        organization_id=theirs.organization.id,
        sector=theirs.group.sector,
        band=theirs.group.band_label,
        cache=cache,
    )
    for comparison, metric in zip(found, metrics, strict=True):
        if isinstance(comparison, StaffBenchmarkComparison):
            comparison.customer_view = view(theirs, metric, published)
